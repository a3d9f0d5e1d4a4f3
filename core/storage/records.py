"""How each domain record maps to its row: the one place that knows the columns.

Times are stored as ISO 8601 text in UTC (see :mod:`core.storage.schema`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.domain.inventory import AppCredentials, Authorization, Channel, Company


def to_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


RowFn = Callable[[Any], dict[str, object]]


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
    }


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
