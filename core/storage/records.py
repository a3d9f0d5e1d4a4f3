"""How each domain record maps to its row and back: the one place that knows the columns.

Times are stored as ISO 8601 text in UTC (see :mod:`core.storage.schema`).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from core.bulk import collector_paused
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    Recovery,
)
from core.domain.marketplaces import EndpointProfile, Region


def to_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


RowFn = Callable[[Any], dict[str, object]]
R = TypeVar("R")


def company_row(c: Company) -> dict[str, object]:
    return {"id": c.id, "name": c.name, "parent_id": c.parent_id, "notes": c.notes}


def authorization_row(a: Authorization) -> dict[str, object]:
    return {
        "id": a.id,
        "seller_id": a.seller_id,
        "region": a.region.value,
        "granted_at": to_text(a.granted_at),
        "expires_at": to_text(a.expires_at),
        "source": a.source.value,
        "refresh_token_ref": a.refresh_token_ref,
        "marketplace_ids": " ".join(sorted(a.marketplace_ids)),
        "expiry_confirmed": int(a.expiry_confirmed),
        "store_name": a.store_name,
        "previous_id": a.previous_id,
    }


#: The columns of a channel's health: what :meth:`core.storage.store.Store.record_health`
#: writes at once, without Save.
HEALTH_COLUMNS = (
    "checked_at", "check_result", "failing_since", "check_message", "last_ok_at",
    "recovery_gap_start", "recovery_gap_end", "recovery_ticked", "recovery_dismissed",
)  # fmt: skip


def channel_row(c: Channel) -> dict[str, object]:
    h = c.health
    return {
        "id": c.id,
        "company_id": c.company_id,
        "marketplace_id": c.marketplace_id,
        "name": c.name,
        "seller_id": c.seller_id,
        "authorization_id": c.authorization_id,
        "mws_merchant_token": c.mws_merchant_token,
        "mws_auth_token_ref": c.mws_auth_token_ref,
        "app_status": c.app_status.value,
        "checked_at": to_text(h.checked_at),
        "check_result": h.result.value if h.result else None,
        "failing_since": to_text(h.failing_since),
        "check_message": h.message,
        "app_status_checked_at": to_text(c.app_status_checked_at),
        "last_ok_at": to_text(h.last_ok_at),
        **recovery_row(h.recovery),
    }


def recovery_row(r: Recovery | None) -> dict[str, object]:
    return {
        "recovery_gap_start": to_text(r.gap_start) if r else None,
        "recovery_gap_end": to_text(r.gap_end) if r else None,
        "recovery_ticked": " ".join(sorted(r.ticked)) if r else "",
        "recovery_dismissed": int(r.dismissed) if r else 0,
    }


def _recovery(start: str | None, end: str | None, ticked: str, dismissed: int) -> Recovery | None:
    if start is None or end is None:
        return None
    return Recovery(
        datetime.fromisoformat(start), datetime.fromisoformat(end), frozenset(ticked.split()),
        bool(dismissed),
    )  # fmt: skip


def app_row(a: AppCredentials) -> dict[str, object]:
    return {
        "application_id": a.application_id,
        "lwa_client_id": a.lwa_client_id,
        "client_secret_ref": a.client_secret_ref,
        "redirect_uri": a.redirect_uri,
        "draft": int(a.draft),
        "secret_issued_at": to_text(a.secret_issued_at),
        "endpoint_profile": a.endpoint_profile.value,
        "endpoint_url": a.endpoint_url,
    }


# --- reading ---------------------------------------------------------------------------------


def load_inventory(conn: sqlite3.Connection) -> Inventory:
    """Every row of the inventory as domain records. Reads no secret."""
    with collector_paused():  # every record made here is kept: nothing to collect meanwhile
        return _load(conn)


def record_maker(cls: type[R]) -> Callable[..., R]:
    """A constructor of the frozen dataclass ``cls`` taking every field, in order, positionally.

    It makes the same record as ``cls(...)`` at about two thirds of the cost: the dataclass's
    ``__init__`` of a frozen class sets each field through ``object.__setattr__``, looked up
    anew per field, while this one calls each slot's own setter. That is worth it only where
    records are made by the ten thousand, as in :func:`load_inventory`. A class whose
    ``__init__`` does more than set its fields (``__post_init__``) is made by ``cls`` itself.
    """
    params = dataclasses.fields(cls)  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        return cls
    names = [f.name for f in params]
    setters = {f"_set_{name}": cls.__dict__[name].__set__ for name in names}
    body = "".join(f"    _set_{name}(record, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    record = _new(_cls)\n{body}    return record\n"
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **setters}
    exec(source, namespace)  # noqa: S102 - fixed names from the class's own fields
    maker: Callable[..., R] = namespace["make"]
    return maker


_new_channel = record_maker(Channel)
_new_health = record_maker(Health)
_new_authorization = record_maker(Authorization)


def _load(conn: sqlite3.Connection) -> Inventory:
    companies = {
        r[0]: Company(r[0], r[1], r[2], r[3])
        for r in conn.execute("SELECT id, name, parent_id, notes FROM companies")
    }
    # Enum lookups and repeated marketplace sets through dicts: this loop runs per row.
    regions = {r.value: r for r in Region}
    sources = {s.value: s for s in AuthSource}
    marketplace_sets: dict[str, frozenset[str]] = {}
    parse = datetime.fromisoformat
    authorizations: dict[str, Authorization] = {}
    for r in conn.execute(
        "SELECT id, seller_id, region, granted_at, expires_at, source, refresh_token_ref,"
        " marketplace_ids, expiry_confirmed, store_name, previous_id FROM authorizations"
    ):
        covered = marketplace_sets.get(r[7])
        if covered is None:
            covered = marketplace_sets[r[7]] = frozenset(r[7].split())
        authorizations[r[0]] = _new_authorization(
            r[0], r[1], regions[r[2]], parse(r[3]), parse(r[4]), sources[r[5]], r[6],
            covered, bool(r[8]), r[9], r[10],
        )  # fmt: skip
    channels: dict[str, Channel] = {}
    statuses = {s.value: s for s in AppStatus}
    results = {s.value: s for s in CheckResult}
    for r in conn.execute(
        "SELECT id, company_id, marketplace_id, name, seller_id, authorization_id,"
        " mws_merchant_token, mws_auth_token_ref, app_status, checked_at, check_result,"
        " failing_since, check_message, app_status_checked_at, last_ok_at, recovery_gap_start,"
        " recovery_gap_end, recovery_ticked, recovery_dismissed FROM channels"
    ):
        health = NO_HEALTH
        if r[9] is not None or r[10] is not None or r[14] is not None or r[15] is not None:
            health = _new_health(
                parse(r[9]) if r[9] else None,
                results.get(r[10]),
                parse(r[11]) if r[11] else None,
                r[12],
                parse(r[14]) if r[14] else None,
                _recovery(r[15], r[16], r[17], r[18]),
            )
        channels[r[0]] = _new_channel(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], statuses[r[8]], health,
            parse(r[13]) if r[13] else None,
        )  # fmt: skip
    a = conn.execute(
        "SELECT application_id, lwa_client_id, client_secret_ref, redirect_uri, draft,"
        " secret_issued_at, endpoint_profile, endpoint_url FROM app_credentials"
    ).fetchone()
    app = AppCredentials(
        a[0], a[1], a[2], a[3], bool(a[4]), from_text(a[5]), EndpointProfile(a[6]), a[7]
    )
    return Inventory(companies, channels, authorizations, app)
