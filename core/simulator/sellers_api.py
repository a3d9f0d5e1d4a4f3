"""The Sellers API: ``GET /sellers/v1/marketplaceParticipations``.

Authenticated by ``x-amz-access-token`` alone (SP-API has needed no SigV4 since October 2023). A
missing, unknown, expired or revoked token gets Amazon's 403 ``Unauthorized`` with "The access
token you provided is revoked, malformed or invalid." The usage plan is a token bucket per
seller-and-app pair, 0.016 requests a second with a burst of 15 by default; a throttled call gets
429 ``QuotaExceeded``.

Sources:

* the API, https://developer-docs.amazon.com/sp-api/docs/sellers-api, and its model (the
  payload and the usage plan),
  https://github.com/amzn/selling-partner-api-models/blob/main/models/sellers-api-model/sellers.json
* no SigV4:
  https://developer-docs.amazon.com/sp-api/changelog/sp-api-will-no-longer-require-aws-iam-or-aws-signature-version-4
* the 403 text, as developers report it:
  https://github.com/amzn/selling-partner-api-docs/issues/2147
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from core.simulator.model import SimSeller
from core.simulator.state import SimulatedAmazon
from core.simulator.wire import Request, Response, json_response, request_id, sp_api_error

PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"

DENIED = "Access to requested resource is denied."
BAD_TOKEN = "The access token you provided is revoked, malformed or invalid."  # noqa: S105
QUOTA = "You exceeded your quota for the requested resource."
#: The 403 of an access token past its hour: refresh it and try again, no reauthorization.
EXPIRED_TOKEN = "The access token you provided has expired."  # noqa: S105

# What Amazon says of each marketplace: (name, countryCode, currency, language, domain).
# Names and domains as seen in public payloads (third-party). The model gives countryCode as
# ISO 3166-1 alpha-2, so "GB" for the United Kingdom, although Amazon's marketplace-IDs page
# (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids) says "UK": which one the API
# returns is UNVERIFIED, and SP Connect accepts both. "Non-Amazon" channels have no domain.
_MARKETPLACES: Mapping[str, tuple[str, str, str, str, str]] = MappingProxyType(
    {
        "A2EUQ1WTGCTBG2": ("Amazon.ca", "CA", "CAD", "en_CA", "www.amazon.ca"),
        "ATVPDKIKX0DER": ("Amazon.com", "US", "USD", "en_US", "www.amazon.com"),
        "A1AM78C64UM0Y8": ("Amazon.com.mx", "MX", "MXN", "es_MX", "www.amazon.com.mx"),
        "A2Q3Y263D00KWC": ("Amazon.com.br", "BR", "BRL", "pt_BR", "www.amazon.com.br"),
        "A28R8C7NBKEWEA": ("Amazon.ie", "IE", "EUR", "en_IE", "www.amazon.ie"),
        "A1RKKUPIHCS9HS": ("Amazon.es", "ES", "EUR", "es_ES", "www.amazon.es"),
        "A1F83G8C2ARO7P": ("Amazon.co.uk", "GB", "GBP", "en_GB", "www.amazon.co.uk"),
        "A13V1IB3VIYZZH": ("Amazon.fr", "FR", "EUR", "fr_FR", "www.amazon.fr"),
        "AMEN7PMS3EDWL": ("Amazon.com.be", "BE", "EUR", "fr_BE", "www.amazon.com.be"),
        "A1805IZSGTT6HS": ("Amazon.nl", "NL", "EUR", "nl_NL", "www.amazon.nl"),
        "A1PA6795UKMFR9": ("Amazon.de", "DE", "EUR", "de_DE", "www.amazon.de"),
        "APJ6JRA9NG5V4": ("Amazon.it", "IT", "EUR", "it_IT", "www.amazon.it"),
        "A2NODRKZP88ZB9": ("Amazon.se", "SE", "SEK", "sv_SE", "www.amazon.se"),
        "AE08WJ6YKNBMC": ("Amazon.co.za", "ZA", "ZAR", "en_ZA", "www.amazon.co.za"),
        "A1C3SOZRARQ6R3": ("Amazon.pl", "PL", "PLN", "pl_PL", "www.amazon.pl"),
        "ARBP9OOSHTCHU": ("Amazon.eg", "EG", "EGP", "ar_EG", "www.amazon.eg"),
        "A33AVAJ2PDY3EV": ("Amazon.com.tr", "TR", "TRY", "tr_TR", "www.amazon.com.tr"),
        "A17E79C6D8DWNP": ("Amazon.sa", "SA", "SAR", "ar_SA", "www.amazon.sa"),
        "A2VIGQ35RCS4UG": ("Amazon.ae", "AE", "AED", "ar_AE", "www.amazon.ae"),
        "A21TJRUUN4KGV": ("Amazon.in", "IN", "INR", "en_IN", "www.amazon.in"),
        "A19VAU5U5O7RUS": ("Amazon.sg", "SG", "SGD", "en_SG", "www.amazon.sg"),
        "A39IBJ37TRP1C6": ("Amazon.com.au", "AU", "AUD", "en_AU", "www.amazon.com.au"),
        "A1VC38T7YXB528": ("Amazon.co.jp", "JP", "JPY", "ja_JP", "www.amazon.co.jp"),
        "A38D8NSA03LJTC": ("Non-Amazon", "DE", "EUR", "de_DE", ""),
    }
)
#: A "Non-Amazon" channel id (third-party list, https://github.com/bizon/amazon-ids), for tests
#: of the filter.
NON_AMAZON_DE = "A38D8NSA03LJTC"


def _marketplace(marketplace_id: str) -> dict[str, str]:
    name, country, currency, language, domain = _MARKETPLACES.get(
        marketplace_id, ("Non-Amazon", "US", "USD", "en_US", "")
    )
    entry = {
        "id": marketplace_id,
        "name": name,
        "countryCode": country,
        "defaultCurrencyCode": currency,
        "defaultLanguageCode": language,
    }
    if domain:
        entry["domainName"] = domain
    return entry


def participations_payload(seller: SimSeller) -> list[dict[str, Any]]:
    return [
        {
            "marketplace": _marketplace(marketplace_id),
            "participation": {
                "isParticipating": marketplace_id not in seller.not_participating_ids,
                "hasSuspendedListings": marketplace_id in seller.suspended_marketplace_ids,
            },
            "storeName": seller.store_name,
        }
        for marketplace_id in seller.marketplace_ids
    ]


def participations(amazon: SimulatedAmazon, request: Request) -> Response:
    """``GET /sellers/v1/marketplaceParticipations``."""
    token = request.headers.get("x-amz-access-token", "")
    owner = amazon.access_token_owner(token)
    if owner is None:
        details = EXPIRED_TOKEN if amazon.access_token_expired(token) else BAD_TOKEN
        return sp_api_error(403, "Unauthorized", DENIED, details, "AccessDeniedException")
    client_id, seller = owner
    app = amazon.app_by_client_id(client_id)
    if app is None or not app.sellers_role:
        # The app lacks a role that allows this operation: not a token problem.
        return sp_api_error(403, "Unauthorized", DENIED, "", "AccessDeniedException")
    if request.region is not None and request.region is not seller.region:
        # A token of another region's account: the same 403 as a missing role, nothing about
        # the token or the region; the wrong regional endpoint is the first cause developers
        # give for such a 403 (https://github.com/amzn/selling-partner-api-docs/issues/556).
        return sp_api_error(403, "Unauthorized", DENIED, "", "AccessDeniedException")
    limit: tuple[tuple[str, str], ...] = (
        ("x-amzn-RateLimit-Limit", f"{amazon.usage_plan.rate:g}"),
    )
    wait = amazon.usage_plan.take(client_id, (client_id, seller.key))
    if wait is not None:
        if amazon.usage_plan.send_retry_after:
            limit += (("Retry-After", str(max(1, math.ceil(wait)))),)
        return sp_api_error(429, "QuotaExceeded", QUOTA, "", "QuotaExceeded", limit)
    headers = (("x-amzn-RequestId", request_id()), *limit)
    return json_response(200, {"payload": participations_payload(seller)}, headers)
