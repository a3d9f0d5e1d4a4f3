"""The inventory as our JSON export: versioned, deterministic, re-importable, no secrets.

What it never holds: a secret value or a keychain entry name, not even the inventory's own id
(it is the namespace of every entry name, see :mod:`core.domain.secret_refs`). Only whether a
secret is on record: ``has_refresh_token``, ``has_mws_auth_token``, ``has_client_secret``.

Deterministic: objects are written with sorted keys, companies, channels and authorizations
sorted by id, sets as sorted lists, the plan in its own (stable) order; so exporting, importing
into an empty folder and exporting again gives the same file apart from ``exported_at`` (and
what the missing secrets change, see :mod:`.importing`).

``plan`` lists the consents the exported inventory still needs, in the plan's order, each with
support staff's state as the exporting copy shows it (:mod:`core.domain.plan_progress`):
``state`` (``to_do``, ``link_sent``, ``done``, ``failed``), ``state_changed_at`` (``null``
when never noted), ``state_reason`` (``""`` if none) and ``state_authorization_id`` (the grant
the note was written against). The keys are named as in ``main.py plan --json``. A consent
done today whose channels left the plan is not listed: ``plan`` stays "what still needs a
consent"; the grant that did it is in ``authorizations`` (``granted_at``), its channels show
connected. Readers of version 1 without these keys ignore them (nothing is misread, so the
version stays 1); a file without them reads as every item *to do*, as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.domain.inventory import Authorization, Channel, Company, Health, Inventory
from core.domain.plan import PlanItem, build_plan
from core.domain.plan_progress import PlanEntry, Progress, checklist
from core.domain.status import channel_status
from core.services.exchange.isodates import iso

FORMAT = "spconnect-inventory"
#: Bump when a reader of an older version would misread a newer file.
VERSION = 1
#: How many root companies the ``inventory`` label names before "and N more".
_LABEL_NAMES = 2


def export_json(
    inventory: Inventory,
    now: datetime,
    *,
    app_version: str = "",
    pending_channel_ids: frozenset[str] = frozenset(),
    plan_notes: Mapping[str, Progress] | None = None,
) -> dict[str, Any]:
    """The export as plain data (``json.dumps`` it with :func:`dumps`).

    ``now`` stamps ``exported_at`` and decides the badges (days left) and the plan.
    ``plan_notes`` are the plan's stored states by item key (none: every item *to do*).
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(now),
        "exported_by": f"SP Connect {app_version}".strip(),
        "inventory": inventory_label(inventory),
        "companies": [_company(c) for c in _by_id(inventory.companies)],
        "channels": [
            _channel(c, inventory, now, c.id in pending_channel_ids)
            for c in _by_id(inventory.channels)
        ],
        "authorizations": [_authorization(a) for a in _by_id(inventory.authorizations)],
        "app": _app(inventory),
        "plan": plan_items(inventory, now, plan_notes or {}),
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as text: sorted keys, one record per line, UTF-8 kept, final newline.

    One record per line keeps a diff of two exports readable, and lets ``json`` use its C
    encoder (an indented dump runs in pure Python: three times slower at 50,000 channels).
    """

    def one(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    parts = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, list) and value:
            rows = ",\n".join(f"    {one(v)}" for v in value)
            parts.append(f"  {one(key)}: [\n{rows}\n  ]")
        else:
            parts.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def inventory_label(inventory: Inventory) -> dict[str, Any]:
    """Whose file this is, for review mode's banner: the root companies' names and counts.

    Built from the content only (no folder id: a fresh folder has a new one, and it is part of
    every keychain entry name).
    """
    roots = sorted(
        (c.name for c in inventory.companies.values() if c.parent_id is None),
        key=lambda n: (n.casefold(), n),
    )
    if not roots:
        title = "An empty inventory"
    elif len(roots) <= _LABEL_NAMES:
        title = " and ".join(roots)
    else:
        rest = len(roots) - _LABEL_NAMES
        title = f"{', '.join(roots[:_LABEL_NAMES])} and {rest} more"
    return {
        "title": title,
        "companies": len(inventory.companies),
        "channels": len(inventory.channels),
    }


def _by_id(records: dict[str, Any]) -> list[Any]:
    return [records[k] for k in sorted(records)]


def _company(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "parent_id": company.parent_id,
        "notes": company.notes,
    }


def health_data(health: Health) -> dict[str, Any]:
    return {
        "last_check_at": iso(health.checked_at),
        "result": None if health.result is None else health.result.value,
        "message": health.message,
        "failing_since": iso(health.failing_since),
        "last_ok_at": iso(health.last_ok_at),
    }


def _channel(channel: Channel, inv: Inventory, now: datetime, pending: bool) -> dict[str, Any]:
    market = channel.marketplace
    auth = inv.authorization_of(channel)
    return {
        "id": channel.id,
        "company_id": channel.company_id,
        "marketplace_id": channel.marketplace_id,
        "country_code": market.code,
        "region": market.region.value,
        "seller_id": channel.seller_id,
        "name": channel.name,
        "badge": channel_status(channel, inv, now, pending=pending).text,
        "health": health_data(channel.health),
        "authorization_id": channel.authorization_id,
        "authorization_expires_at": None if auth is None else iso(auth.expires_at),
        "last_check_at": iso(channel.health.checked_at),
        "app_status": channel.app_status.value,
        "app_status_checked_at": iso(channel.app_status_checked_at),
        "mws_merchant_token": channel.mws_merchant_token,
        "has_mws_auth_token": channel.mws_auth_token_ref is not None,
    }


def _authorization(auth: Authorization) -> dict[str, Any]:
    return {
        "id": auth.id,
        "seller_id": auth.seller_id,
        "region": auth.region.value,
        "granted_at": iso(auth.granted_at),
        "expires_at": iso(auth.expires_at),
        "expiry_confirmed": auth.expiry_confirmed,
        "source": auth.source.value,
        "store_name": auth.store_name,
        "marketplace_ids": sorted(auth.marketplace_ids),
        "previous_id": auth.previous_id,
        "has_refresh_token": auth.refresh_token_ref is not None,
    }


def _app(inventory: Inventory) -> dict[str, Any]:
    app = inventory.app
    return {
        "application_id": app.application_id,
        "lwa_client_id": app.lwa_client_id,
        "redirect_uri": app.redirect_uri,
        "draft": app.draft,
        "endpoint_profile": app.endpoint_profile.value,
        "endpoint_url": app.endpoint_url,
        "secret_issued_at": iso(app.secret_issued_at),
        "secret_expires_at": iso(app.secret_expires_at),
        "has_client_secret": app.client_secret_ref is not None,
    }


def plan_items(
    inventory: Inventory, now: datetime, notes: Mapping[str, Progress]
) -> list[dict[str, Any]]:
    """The ``plan``: each item the inventory needs, with its state (see the module)."""
    entries = checklist(build_plan(inventory, now), inventory, notes, now)
    return [_planned(e, e.plan_item) for e in entries if e.plan_item is not None]


def _planned(entry: PlanEntry, item: PlanItem) -> dict[str, Any]:
    return {**_plan_item(item), **entry.state_json(_stamp)}


def _stamp(moment: datetime) -> str:
    return iso(moment) or ""


def _plan_item(item: PlanItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.title,
        "region": item.region.value,
        "seller_id": item.seller_id,
        "seller_central_url": item.seller_central_url,
        "lead_marketplace_id": item.lead_marketplace_id,
        "account_hint": item.account_hint,
        "company_ids": list(item.company_ids),
        "channels": [
            {"channel_id": c, "reason": r}
            for c, r in zip(item.channel_ids, item.reasons, strict=True)
        ],
    }
