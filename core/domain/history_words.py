"""What a change did, in plain words: the description of a :class:`HistoryEntry`.

:func:`describe` compares the records a change touched before and after it, field by field
("Channel name: 'A' → 'B'"). It is given the ids the change touched (the same ones Save
writes), so it costs the change's rows, not the inventory's. Secrets never reach it, and entry
names are never put into words: a new token reads "replaced".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from core.domain import dates, marketplaces
from core.domain.changes import Touched
from core.domain.endpoints import PROFILE_TITLES
from core.domain.history import HistoryEntry, HistoryKind
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    Authorization,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
)
from core.domain.seller_central import app_status_text

R = TypeVar("R")

#: Longer texts (notes) are cut in a description: history says what changed, not all of it.
_LONGEST = 80

RESULT_WORDS: dict[CheckResult | None, str] = {
    None: "Not tested",
    CheckResult.OK: "Working",
    CheckResult.NEEDS_REAUTHORIZATION: "Needs reauthorization",
    CheckResult.WRONG_ACCOUNT: "Wrong account",
    CheckResult.APP_CREDENTIALS: "Amazon refused the app credentials",
    CheckResult.FAILED: "Could not be checked (try later)",
}


def describe(
    kind: HistoryKind, title: str, before: Inventory, after: Inventory, touched: Touched
) -> HistoryEntry | None:
    """The history entry of one change (``None`` when it changed nothing).

    ``title`` (the change's own description, as the Undo menu shows it) is the first line,
    unless the first detail already says it; one line per changed field follows.
    """
    companies, channels, auths = _subjects(before, after, touched)
    if kind is HistoryKind.IMPORT:
        n_companies, n_channels, n_auths = (
            len(touched.companies),
            len(touched.channels),
            len(touched.authorizations),
        )
        details = [
            f"{_count(n_companies, 'company', 'companies')}, "
            f"{_count(n_channels, 'channel', 'channels')} and "
            f"{_count(n_auths, 'authorization', 'authorizations')} loaded."
        ]
    else:
        details = _details(kind, before, after, touched)
    if not details:
        return None
    lines = details if details[0].startswith(title) else [title, *details]  # said once
    return HistoryEntry(kind, "\n".join(lines), companies, channels, auths)


def describe_health(inventory: Inventory, channel_id: str, new: Health) -> HistoryEntry | None:
    """A ``test`` entry when a channel's check result in ``inventory`` changes to ``new``'s;
    ``None`` when it is the same (or the channel is gone)."""
    channel = inventory.channels.get(channel_id)
    if channel is None or channel.health.result is new.result:
        return None
    old = channel.health
    lines = [
        f"Connection test of {_channel_name(channel)}: {_result(new)}",
        f"Before: {_result(old)}",
    ]
    if new.message:
        lines.append(new.message)
    auths = frozenset({channel.authorization_id} if channel.authorization_id else ())
    return HistoryEntry(
        HistoryKind.TEST,
        "\n".join(lines),
        frozenset({channel.company_id}),
        frozenset({channel_id}),
        auths,
        at=new.checked_at,
    )


# --- subjects -----------------------------------------------------------------------------


def _subjects(
    before: Inventory, after: Inventory, touched: Touched
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Who an entry is about: the touched rows, the channels of touched authorizations, and
    the companies of every such channel (so a company's history shows its channels' too)."""
    channels = set(touched.channels)
    auths = set(touched.authorizations)
    if auths:  # an authorization's own edit concerns every channel that uses it
        channels.update(c.id for c in after.channels.values() if c.authorization_id in auths)
    companies = set(touched.companies)
    for inv in (before, after):
        for channel_id in channels:
            channel = inv.channels.get(channel_id)
            if channel is not None:
                companies.add(channel.company_id)
                if channel.authorization_id:
                    auths.add(channel.authorization_id)
    return frozenset(companies), frozenset(channels), frozenset(auths)


# --- details ------------------------------------------------------------------------------


def _details(kind: HistoryKind, before: Inventory, after: Inventory, touched: Touched) -> list[str]:
    parts: list[tuple[str, list[str]]] = []  # (whose, lines)
    for company_id in sorted(touched.companies):
        parts.append(_company(before, after, company_id))
    moved: dict[tuple[str | None, str | None], list[Channel]] = {}
    for channel_id in sorted(touched.channels):
        old, new = before.channels.get(channel_id), after.channels.get(channel_id)
        parts.append(_channel(before, after, old, new))
        if old is not None and new is not None and old.authorization_id != new.authorization_id:
            moved.setdefault((old.authorization_id, new.authorization_id), []).append(new)
    for (old_id, new_id), channels in moved.items():
        parts.append(("", [_grant_moved(kind, before, after, old_id, new_id, channels)]))
    granted = {new_id for _, new_id in moved}
    for auth_id in sorted(touched.authorizations - granted):
        parts.append(_authorization(before, after, auth_id))
    if touched.app and before.app != after.app:
        parts.append(("App credentials", _app(before.app, after.app)))
    parts = [(whose, lines) for whose, lines in parts if lines]
    if len(parts) == 1:
        return parts[0][1]
    return [f"{whose}: {line}" if whose else line for whose, lines in parts for line in lines]


def _company(before: Inventory, after: Inventory, company_id: str) -> tuple[str, list[str]]:
    old, new = before.companies.get(company_id), after.companies.get(company_id)
    if old is None and new is not None:
        return "", [f"Added the company {_q(new.name)}"]
    if new is None:
        return "", [f"Removed the company {_q(old.name)}"] if old is not None else []
    if old is None:
        return "", []

    def parent(company: Company) -> str:
        found = after.companies.get(company.parent_id or "") or before.companies.get(
            company.parent_id or ""
        )
        return _q(found.name) if found is not None else "none"

    lines = _fields(
        old,
        new,
        (
            ("Company name", lambda c: _q(c.name)),
            ("Unified parent", parent),
            ("Notes", lambda c: _q(c.notes)),
        ),
    )
    return f"Company {_q(new.name)}", lines or _other(old, new)


def _channel(
    before: Inventory, after: Inventory, old: Channel | None, new: Channel | None
) -> tuple[str, list[str]]:
    if old is None and new is not None:
        owner = after.companies.get(new.company_id)
        where = f" of {_q(owner.name)}" if owner is not None else ""
        return "", [f"Added the channel {_channel_name(new)}{where}"]
    if new is None:
        return "", [f"Removed the channel {_channel_name(old)}"] if old is not None else []
    if old is None:
        return "", []

    def company(channel: Channel) -> str:
        found = after.companies.get(channel.company_id) or before.companies.get(channel.company_id)
        return _q(found.name) if found is not None else "none"

    def token(channel: Channel) -> str:
        return "on record" if channel.mws_auth_token_ref else "none"

    lines = _fields(
        old,
        new,
        (
            ("Channel name", lambda c: _q(c.name)),
            ("Marketplace", lambda c: _market(c.marketplace_id)),
            ("Company", company),
            ("Expected Seller ID", lambda c: _q(c.seller_id) if c.seller_id else "none"),
            ("Status in Seller Central", app_status_text),  # with the day they looked
            ("Merchant Token", lambda c: _q(c.mws_merchant_token or "") or "none"),
            ("MWS Authorization Token", token),
        ),
    )
    replaced = new.mws_auth_token_ref != old.mws_auth_token_ref
    if old.mws_auth_token_ref and new.mws_auth_token_ref and replaced:
        lines.append("MWS Authorization Token: replaced")  # its value is never shown

    # The grant and its check results are described with the grant that moved.
    def plain(c: Channel) -> Channel:
        return replace(c, authorization_id=None, health=NO_HEALTH)

    return _channel_name(new), lines or _other(plain(old), plain(new))


def _grant_moved(
    kind: HistoryKind,
    before: Inventory,
    after: Inventory,
    old_id: str | None,
    new_id: str | None,
    channels: list[Channel],
) -> str:
    old = before.authorizations.get(old_id or "") or after.authorizations.get(old_id or "")
    new = after.authorizations.get(new_id or "") or before.authorizations.get(new_id or "")
    names = ", ".join(sorted(_channel_name(c) for c in channels))
    if new is None:
        return f"{names}: no authorization any more"
    verb = (
        "Rolled back to the authorization" if kind is HistoryKind.ROLLBACK else "New authorization"
    )
    text = f"{verb} for {_grant(new)} granted {dates.day(new.granted_at)}"
    if old is not None:
        text += f", replacing the one granted {dates.day(old.granted_at)}"
    return f"{text} ({names})"


def _authorization(before: Inventory, after: Inventory, auth_id: str) -> tuple[str, list[str]]:
    old, new = before.authorizations.get(auth_id), after.authorizations.get(auth_id)
    if old is None and new is not None:
        return "", [f"New authorization for {_grant(new)} granted {dates.day(new.granted_at)}"]
    if new is None:
        if old is None:
            return "", []
        return "", [f"Removed the authorization for {_grant(old)} granted {_day(old.granted_at)}"]
    if old is None:
        return "", []

    def expiry(a: Authorization) -> str:
        seen = " (as seen in Seller Central)" if a.expiry_confirmed else ""
        return f"{dates.day(a.expires_at)}{seen}"

    lines = _fields(
        old,
        new,
        (
            ("Store name", lambda a: _q(a.store_name)),
            ("Expiry date", expiry),
            ("Marketplaces", lambda a: ", ".join(sorted(map(_market, a.marketplace_ids)))),
        ),
    )
    if old.refresh_token_ref != new.refresh_token_ref:
        lines.append(
            "Refresh token: replaced"
            if new.refresh_token_ref
            else "Refresh token: removed from the keychain"
        )
    return f"Authorization for {_grant(new)} granted {_day(new.granted_at)}", lines or _other(
        old, new
    )


def _app(old: AppCredentials, new: AppCredentials) -> list[str]:
    lines = _fields(
        old,
        new,
        (
            ("Application ID", lambda a: _q(a.application_id)),
            ("LWA client ID", lambda a: _q(a.lwa_client_id)),
            ("Redirect address", lambda a: _q(a.redirect_uri)),
            ("Client secret issued", lambda a: _day(a.secret_issued_at)),
            ("Amazon endpoints", lambda a: PROFILE_TITLES[a.endpoint_profile]),
            ("Endpoint address", lambda a: _q(a.endpoint_url)),
        ),
    )
    if old.client_secret_ref != new.client_secret_ref:
        lines.append("LWA client secret: " + ("replaced" if new.client_secret_ref else "removed"))
    return lines


# --- words --------------------------------------------------------------------------------


def _fields(old: R, new: R, fields: Iterable[tuple[str, Callable[[R], str]]]) -> list[str]:
    lines = []
    for label, word in fields:
        was, now = word(old), word(new)
        if was != now:
            lines.append(f"{label}: {was} → {now}")
    return lines


def _other(old: object, new: object) -> list[str]:
    """A line for a record that changed in a field no words are written for (yet)."""
    return ["Other details changed"] if old != new else []


def _result(health: Health) -> str:
    return RESULT_WORDS.get(health.result, str(health.result))


def _q(text: str) -> str:
    """A name someone typed, quoted and cut short; empty shows as ``(empty)``."""
    if not text:
        return "(empty)"
    one_line = " ".join(text.split())
    if len(one_line) > _LONGEST:
        one_line = one_line[: _LONGEST - 1] + "…"
    return f"'{one_line}'"


def _market(marketplace_id: str) -> str:
    try:
        return f"Amazon {marketplaces.get(marketplace_id).label}"
    except KeyError:
        return marketplace_id


def _channel_name(channel: Channel) -> str:
    return _q(channel.name) if channel.name else _market(channel.marketplace_id)


def _grant(auth: Authorization) -> str:
    store = f"{_q(auth.store_name)}, " if auth.store_name else ""
    return f"{store}Seller {auth.seller_id} ({auth.region.display_name})"


def _day(moment: datetime | None) -> str:
    return dates.day(moment) if moment is not None else "none"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
