"""Reading the consent's answer from the address Amazon returned to.

The same function reads what the loopback listener received and what a person pasted, so both
ways end in the same validation (:func:`core.amazon.consent.complete`).

What Amazon appends to the redirect URI is documented in Amazon's archived SP-API developer
guide, "Website authorization workflow", Step 3:
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from core.amazon.attempts import RESTART_CONSENT
from core.domain.errors import UserFacingError
from core.domain.secret import Secret
from core.domain.validation import normalize_seller_id


@dataclass(frozen=True, slots=True)
class RedirectParams:
    """What Amazon appended to the redirect URI (see the module docstring).

    ``repr`` shows no secret.
    """

    state: str = field(repr=False)
    code: Secret
    selling_partner_id: str
    mws_auth_token: Secret | None = None


_NOT_THE_ADDRESS = "That is not the address Amazon returned to after the consent{detail}."
_PASTE_STEP = (
    "After clicking Confirm on Amazon's page, copy the whole address from the browser's address "
    "bar (or from the box on the page it ended on) and paste it here."
)
QUOTES = "\"'`<>“”‘’«»‹›"  # noqa: RUF001 - typographic quotes are what word processors paste
_KEYS = ("state", "spapi_oauth_code", "selling_partner_id", "mws_auth_token", "error")


def parse_redirect(text: str) -> RedirectParams:
    """Read the consent's answer from whatever the person pasted or the listener received.

    Accepts a full address (``https://vendor/return?state=...&spapi_oauth_code=...``), the
    loopback callback path, a bare query string with or without ``?``, and the address the
    hand-off page shows, with whitespace, line breaks or quotes around or inside it.

    Raises:
        UserFacingError: Not such an address, a part is missing or given twice, or Amazon
            reported an error instead. The message never quotes the text.
    """
    cleaned = "".join(text.split()).strip(QUOTES)
    query = cleaned.split("#", 1)[0]
    if "?" in query:
        query = query.split("?", 1)[1]
    values: dict[str, list[str]] = {}
    if "=" in query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name in _KEYS:
                values.setdefault(name, []).append(value.strip())
    for name, found in values.items():
        if len(found) > 1:
            raise UserFacingError(
                f"The address has {name} more than once, so SP Connect cannot trust it.",
                _PASTE_STEP,
            )
    one = {name: found[0] for name, found in values.items()}
    if one.get("error") and "spapi_oauth_code" not in one:
        error = "".join(ch for ch in one["error"][:40] if ch.isalnum() or ch in "_-.")
        raise UserFacingError(
            f"Amazon did not authorize the app (it answered: {error or 'error'}). The consent "
            "may have been cancelled.",
            RESTART_CONSENT,
        )
    missing = [
        label
        for key, label in (
            ("spapi_oauth_code", "authorization code (spapi_oauth_code)"),
            ("state", "state"),
            ("selling_partner_id", "Seller ID (selling_partner_id)"),
        )
        if not one.get(key)
    ]
    if missing:
        detail = "" if len(missing) == 3 else ": it has no " + " and no ".join(missing)
        raise UserFacingError(_NOT_THE_ADDRESS.format(detail=detail), _PASTE_STEP)
    seller = normalize_seller_id(one["selling_partner_id"])
    if not seller.isascii() or not seller.isalnum():
        raise UserFacingError(
            "The Seller ID (selling_partner_id) in that address is not valid.", _PASTE_STEP
        )
    state = one["state"]
    if len(state) > 200 or not state.isascii() or not state.isprintable():
        raise UserFacingError(
            "The state in that address is not one SP Connect made.", RESTART_CONSENT
        )
    mws = one.get("mws_auth_token")
    return RedirectParams(
        state=state,
        code=Secret(one["spapi_oauth_code"]),
        selling_partner_id=seller,
        mws_auth_token=Secret(mws) if mws else None,
    )
