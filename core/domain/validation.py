"""Validation of what a person types or imports, with messages in plain words.

Amazon publishes no format for Seller IDs (the Merchant Token): in practice they are upper-case
letters and digits, usually ``A`` followed by 10 to 15 characters, but that is UNVERIFIED, so an
unusual but plausible value is a *warning*, never a refusal. The MWS Authorization Token format
``amzn.mws.<uuid>`` is Amazon's own, from the examples in its MWS developer guide, "Required
request parameters", mirrored at
https://github.com/bizon/mws-api-doc/blob/master/doc/en_FR/dev_guide/DG_RequiredRequestParameters.md
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.domain import marketplaces
from core.domain.errors import FieldError, ValidationError
from core.domain.inventory import Channel, Company, Inventory

_SELLER_ID_CHARS = re.compile(r"^[A-Z0-9]+$")
_SELLER_ID_USUAL = re.compile(r"^A[A-Z0-9]{10,15}$")
_MWS_AUTH_TOKEN = re.compile(
    r"^amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
_APP_ID = re.compile(r"^amzn1\.(sp\.solution|sellerapps\.app)\.[0-9a-fA-F-]{8,}$")
_LWA_CLIENT_ID = re.compile(r"^amzn1\.application-oa2-client\.[0-9a-fA-F]{8,}$")


def normalize_seller_id(text: str) -> str:
    """Seller IDs are upper case; people paste them with stray spaces or in lower case."""
    return text.strip().upper()


def check_seller_id(
    value: str, field: str = "seller_id", name: str = "Seller ID"
) -> list[FieldError]:
    """``name`` is what the field is called on screen (a Merchant Token is the Seller ID)."""
    if not value:
        return [FieldError(field, f"Enter the {name}.")]
    if not _SELLER_ID_CHARS.match(value):
        return [
            FieldError(
                field,
                f"A {name} has only capital letters and digits (for example A3FHEXAMPLEYWS). "
                "Copy it from Seller Central > Settings > Account Info > Merchant Token.",
            )
        ]
    if not _SELLER_ID_USUAL.match(value):
        return [
            FieldError(
                field,
                f"This does not look like a usual {name} (the letter A followed by 10 to 15 "
                "letters and digits). Check it against Seller Central > Settings > Account "
                "Info > Merchant Token.",
                warning=True,
            )
        ]
    return []


def check_mws_auth_token(value: str, field: str = "mws_auth_token") -> list[FieldError]:
    """The token's format; the messages never quote what was typed (it is a secret)."""
    value = value.strip()
    if _MWS_AUTH_TOKEN.match(value):
        return []
    where = "Copy it again from Seller Central > Apps and Services > Manage Your Apps > View."
    if value.startswith("Atzr|"):
        problem = "This is an SP-API refresh token, not the MWS Authorization Token."
    elif value.startswith("amzn1."):
        problem = "This is an app or client ID, not the MWS Authorization Token."
    elif any(c.isspace() for c in value):
        problem = "The MWS Authorization Token has no spaces or line breaks inside."
    elif _MWS_AUTH_TOKEN.match(value.lower()):
        problem = "The MWS Authorization Token is written in small letters."
    else:
        problem = (
            "An MWS Authorization Token is amzn.mws. followed by 36 letters, digits and dashes, "
            "like amzn.mws.1234abcd-12ab-34cd-56ef-1234567890ab."
        )
    return [FieldError(field, f"{problem} {where}")]


def check_application_id(value: str, field: str = "application_id") -> list[FieldError]:
    value = value.strip()
    if value.startswith("amzn1.application-oa2-client."):
        return [
            FieldError(
                field,
                "This is the LWA client ID, not the application ID. The application ID starts "
                "with amzn1.sp.solution. or amzn1.sellerapps.app. (Amazon shows error MD1000 "
                "otherwise).",
            )
        ]
    if not _APP_ID.match(value):
        return [
            FieldError(
                field,
                "An application ID starts with amzn1.sp.solution. or amzn1.sellerapps.app. "
                "Copy it from Developer Central.",
            )
        ]
    return []


def check_lwa_client_id(value: str, field: str = "lwa_client_id") -> list[FieldError]:
    if not _LWA_CLIENT_ID.match(value.strip()):
        return [
            FieldError(
                field,
                "An LWA client ID starts with amzn1.application-oa2-client. Copy it from "
                "Developer Central > View (LWA credentials).",
            )
        ]
    return []


def check_redirect_uri(value: str, field: str = "redirect_uri") -> list[FieldError]:
    if not value:
        return []  # optional: Amazon then uses the first registered redirect URI
    if not value.startswith("https://"):
        return [FieldError(field, "Amazon accepts only https:// redirect addresses.")]
    if "#" in value:
        return [FieldError(field, "A redirect address cannot contain '#' (Amazon error MD5110).")]
    return []


def check_company(company: Company, inventory: Inventory) -> list[FieldError]:
    errors: list[FieldError] = []
    if not company.name.strip():
        errors.append(FieldError("name", "Enter the company's name."))
    parent_id = company.parent_id
    if parent_id is not None:
        parent = inventory.companies.get(parent_id)
        if parent_id == company.id:
            errors.append(FieldError("parent_id", "A company cannot be its own unified parent."))
        elif parent is None:
            errors.append(FieldError("parent_id", "The chosen unified parent does not exist."))
        elif parent.parent_id is not None:
            # One level only: this is also what rules out cycles.
            errors.append(
                FieldError(
                    "parent_id",
                    f"{parent.name} is itself a unified child; choose its parent instead.",
                )
            )
        elif any(True for _ in inventory.children_of(company.id)):
            errors.append(
                FieldError(
                    "parent_id",
                    f"{company.name} is the unified parent of other companies, so it cannot "
                    "become a unified child.",
                )
            )
    return errors


def check_channel(channel: Channel, inventory: Inventory) -> list[FieldError]:
    errors: list[FieldError] = []
    if channel.company_id not in inventory.companies:
        errors.append(FieldError("company_id", "The channel's company does not exist."))
    if channel.marketplace_id not in marketplaces.BY_ID:
        errors.append(
            FieldError(
                "marketplace_id",
                f"'{channel.marketplace_id}' is not an Amazon marketplace SP Connect knows.",
            )
        )
    else:
        clash = next(
            (
                c
                for c in inventory.channels_of(channel.company_id)
                if c.marketplace_id == channel.marketplace_id and c.id != channel.id
            ),
            None,
        )
        if clash is not None:
            label = marketplaces.get(channel.marketplace_id).label
            errors.append(
                FieldError(
                    "marketplace_id",
                    f"This company already has a channel in {label}.",
                )
            )
    if channel.seller_id is not None:
        errors.extend(check_seller_id(channel.seller_id))
    merchant = channel.mws_merchant_token
    if merchant is not None:
        errors.extend(check_seller_id(merchant, "mws_merchant_token", "Merchant Token"))
        if channel.seller_id and merchant != channel.seller_id:
            errors.append(
                FieldError(
                    "mws_merchant_token",
                    f"The Merchant Token is not this channel's Seller ID ({channel.seller_id}). "
                    "They are normally the same: check that both come from the same Seller "
                    "Central account.",
                    warning=True,
                )
            )
    return errors


def raise_if_errors(errors: Iterable[FieldError], what: str) -> None:
    errs = [e for e in errors if not e.warning]
    if errs:
        raise ValidationError(errs, what)
