"""SP-API Sellers client: ``getMarketplaceParticipations``, the cheap "who is this token for" call.

``GET {SP-API host}/sellers/v1/marketplaceParticipations`` with the LWA access token in
``x-amz-access-token`` (no SigV4 since October 2023). The answer lists the marketplaces the
authorization covers and the ``storeName``, but no Seller ID: the Seller ID comes from the
consent redirect.

Errors: a 403 whose ``details`` say the token is "revoked, malformed or invalid" is
:class:`~core.amazon.http.NeedsReauthorization`; "has expired" is
:class:`~core.amazon.http.AccessTokenExpired` (refresh and retry, never reauthorize); any other
403 is :class:`~core.amazon.http.WrongRegion` when another region's endpoint accepts the token,
else :class:`~core.amazon.http.AccessDenied` (typically a role missing from the app: the
developer adds it, then the seller reauthorizes); 429 is :class:`~core.amazon.http.RateLimited`,
5xx :class:`~core.amazon.http.AmazonServerError`. Throttling, server and network errors are
retried with backoff; the default usage plan is only 0.016 requests per second with a burst of
15, so a throttled call waits at least one interval or stops (:mod:`core.amazon.retries`).

Sources:

* the API and its roles, https://developer-docs.amazon.com/sp-api/docs/sellers-api, and its
  model (the payload and the usage plan),
  https://github.com/amzn/selling-partner-api-models/blob/main/models/sellers-api-model/sellers.json
* no SigV4:
  https://developer-docs.amazon.com/sp-api/changelog/sp-api-will-no-longer-require-aws-iam-or-aws-signature-version-4
* the 403 for a revoked token, as developers report it:
  https://github.com/amzn/selling-partner-api-docs/issues/2147
* an expired client secret, as developers report it:
  https://github.com/amzn/selling-partner-api-models/issues/4489
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.amazon.http import (
    AccessDenied,
    AccessTokenExpired,
    AmazonError,
    AmazonServerError,
    AppCredentialsError,
    NeedsReauthorization,
    RateLimited,
    WrongRegion,
    request_id_of,
    unreadable_answer,
)
from core.amazon.retries import call_with_retries, parse_rate_limit, parse_retry_after
from core.amazon.transport import AmazonClient, Answer
from core.domain import marketplaces
from core.domain.marketplaces import Region
from core.domain.secret import Secret

log = logging.getLogger(__name__)

PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
#: The operation's default usage plan in requests per second (the model, see the module
#: docstring), used when a 429 does not say its rate in ``x-amzn-RateLimit-Limit``.
DEFAULT_RATE_LIMIT = 0.016
_TOKEN_WORDING = ("revoked, malformed or invalid", "access token", "security token")


@dataclass(frozen=True, slots=True)
class Participation:
    """One marketplace the authorized seller account takes part in."""

    marketplace_id: str
    country_code: str
    name: str
    domain_name: str
    default_currency: str
    store_name: str
    is_participating: bool
    has_suspended_listings: bool


@dataclass(frozen=True, slots=True)
class Participations:
    """The answer of ``getMarketplaceParticipations``.

    ``items`` are the marketplaces SP Connect knows (:data:`core.domain.marketplaces.BY_ID`), in
    Amazon's order; ``ignored`` are the others (for example "Non-Amazon" channels), kept for the
    record but never treated as channels.
    """

    items: tuple[Participation, ...]
    ignored: tuple[Participation, ...] = ()
    request_id: str | None = None

    def __iter__(self) -> Iterator[Participation]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def marketplace_ids(self) -> frozenset[str]:
        """The known marketplaces the seller participates in (``isParticipating``)."""
        return frozenset(p.marketplace_id for p in self.items if p.is_participating)

    @property
    def unknown_marketplace_ids(self) -> tuple[str, ...]:
        return tuple(p.marketplace_id for p in self.ignored)

    @property
    def store_name(self) -> str:
        """The first store name Amazon gave, or ``""``."""
        return next((p.store_name for p in (*self.items, *self.ignored) if p.store_name), "")


class SellersClient(AmazonClient):
    """Calls the Sellers API with an access token. Blocking; call it off the GUI thread."""

    def marketplace_participations(self, access_token: Secret, region: Region) -> Participations:
        """The marketplaces and store name the access token's seller account covers.

        Raises:
            NeedsReauthorization: Amazon says the token is revoked, malformed or invalid.
            AccessTokenExpired: Amazon says the access token has expired: get a new one.
            WrongRegion: A 403 here, but another region's endpoint accepts the token.
            AccessDenied: Another 403 (typically a role missing from the app).
            RateLimited: Throttled, and the next allowed request is further away than this
                client's ``max_delay`` ("try again in a minute"), or still after the retries.
            AmazonServerError, NetworkError: Still failing after the retries.
            AmazonError: Anything else.
        """

        def attempt() -> Participations:
            return _parse(self._get(region, access_token))

        try:
            return call_with_retries(
                attempt, attempts=self._attempts, sleep=self._sleep, max_delay=self._max_delay
            )
        except AccessDenied as exc:
            actual = self._answering_region(access_token, region)
            if actual is None:
                raise
            ids = {"status": exc.status, "code": exc.code, "request_id": exc.request_id}
            raise WrongRegion(region, actual, **ids) from None

    def _answering_region(self, access_token: Secret, region: Region) -> Region | None:
        """The other region whose endpoint accepts ``access_token``, tried once each.

        A token used on another region's endpoint gets a 403 that says nothing of regions
        (the first of the causes developers list for such a 403,
        https://github.com/amzn/selling-partner-api-docs/issues/556), the same as an app
        without the role. Asking the other regions' endpoints tells the two apart.
        """
        here = self._endpoints.sp_api_host(region)
        for other in Region:
            if other is region or self._endpoints.sp_api_host(other) == here:
                continue
            try:
                _parse(self._get(other, access_token))
            except AmazonError:
                continue
            log.info("marketplaceParticipations: the token is of region %s, not %s", other, region)
            return other
        return None

    def _get(self, region: Region, access_token: Secret) -> Answer:
        url = self._endpoints.sp_api_host(region).rstrip("/") + PARTICIPATIONS_PATH
        headers = {"x-amz-access-token": access_token.reveal(), "Accept": "application/json"}
        return self._send("GET", url, None, headers=headers)


def _parse(response: Answer) -> Participations:
    status = response.status_code
    request_id = request_id_of(response)
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if status == 200 and isinstance(data, dict):
        parsed = _participations(data, request_id)
        if parsed is not None:
            log.info(
                "marketplaceParticipations: %d marketplace(s), %d ignored (request id %s)",
                len(parsed.items),
                len(parsed.ignored),
                request_id,
            )
            return parsed
    raise _error_for(response, data, request_id)


def _error_for(response: Answer, data: Any, request_id: str | None) -> AmazonError:
    status = response.status_code
    errors = data.get("errors") if isinstance(data, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code") if isinstance(first.get("code"), str) else None
    log.info("marketplaceParticipations: HTTP %s %s (request id %s)", status, code, request_id)
    ids: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    if status == 429:
        # Amazon documents x-amzn-RateLimit-Limit, not Retry-After, for SP-API
        # (https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits); one
        # request a minute means a retry after a second or two is throttled again.
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        rate = parse_rate_limit(response.headers.get("x-amzn-RateLimit-Limit"))
        return RateLimited(retry_after=retry_after, rate_limit=rate or DEFAULT_RATE_LIMIT, **ids)
    if status >= 500:
        return AmazonServerError(**ids)
    if status in (401, 403):
        text = _error_text(errors)
        if "secret" in text:
            # "The LWA secret token you provided has expired.": the app's side (see the module
            # docstring for the source).
            return AppCredentialsError(**ids)
        if "expired" in text and "access token" in text:
            # "The access token you provided has expired.": an access token lives an hour; a
            # fresh one is the cure, not a new consent.
            return AccessTokenExpired(**ids)
        if any(words in text for words in _TOKEN_WORDING):
            return NeedsReauthorization(**ids)
        return AccessDenied(**ids)
    if data is None or status == 200:
        return unreadable_answer(**ids)
    return AmazonError(**ids)


def _error_text(errors: object) -> str:
    """The messages and details of SP-API errors, lower-cased, for wording checks."""
    if not isinstance(errors, list):
        return ""
    parts = [
        str(error.get(key) or "")
        for error in errors
        if isinstance(error, dict)
        for key in ("message", "details")
    ]
    return " ".join(parts).casefold()


def _participations(data: dict[str, Any], request_id: str | None) -> Participations | None:
    payload = data.get("payload")
    if not isinstance(payload, list):
        return None
    known: list[Participation] = []
    ignored: list[Participation] = []
    for entry in payload:
        item = _participation(entry)
        if item is None:
            return None
        (known if item.marketplace_id in marketplaces.BY_ID else ignored).append(item)
    return Participations(tuple(known), tuple(ignored), request_id)


def _participation(entry: object) -> Participation | None:
    if not isinstance(entry, dict):
        return None
    market = entry.get("marketplace")
    part = entry.get("participation")
    if not isinstance(market, dict) or not isinstance(market.get("id"), str):
        return None
    part = part if isinstance(part, dict) else {}

    def text(source: dict[str, Any], key: str) -> str:
        value = source.get(key)
        return value if isinstance(value, str) else ""

    return Participation(
        marketplace_id=market["id"],
        country_code=text(market, "countryCode"),
        name=text(market, "name"),
        domain_name=text(market, "domainName"),
        default_currency=text(market, "defaultCurrencyCode"),
        store_name=text(entry, "storeName"),
        is_participating=part.get("isParticipating") is True,
        has_suspended_listings=part.get("hasSuspendedListings") is True,
    )
