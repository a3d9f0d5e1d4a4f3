"""The inventory's channels as CSV: one row per channel, for spreadsheet programs.

UTF-8, optionally with a byte order mark (Excel reads UTF-8 without one as the local code
page), RFC 4180 quoting (``csv.QUOTE_MINIMAL``, CRLF line ends), ISO 8601 dates in UTC, and every
text cell guarded against formulas (:mod:`.cells`). No secret, no keychain entry name: only
``has_mws_auth_token``. The importer (:mod:`.reading`) reads these columns back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from core.domain.inventory import Inventory
from core.domain.status import channel_status
from core.services.exchange.cells import protect
from core.services.exchange.isodates import iso

COLUMNS: tuple[str, ...] = (
    "channel_id",
    "company_id",
    "company",
    "parent_company",
    "marketplace_id",
    "country_code",
    "region",
    "seller_id",
    "name",
    "badge",
    "health",
    "health_message",
    "last_check_at",
    "failing_since",
    "last_ok_at",
    "authorization_id",
    "authorization_expires_at",
    "app_status",
    "app_status_checked_at",
    "mws_merchant_token",
    "has_mws_auth_token",
)

BOM = "\ufeff"


def csv_rows(
    inventory: Inventory, now: datetime, pending_channel_ids: frozenset[str] = frozenset()
) -> Iterator[list[str]]:
    """The header, then one row per channel, ordered by company name, marketplace, id."""
    yield list(COLUMNS)
    companies = inventory.companies

    def order(channel_id: str) -> tuple[str, str, str, str]:
        channel = inventory.channels[channel_id]
        company = companies.get(channel.company_id)
        name = company.name if company else ""
        return (name.casefold(), name, channel.marketplace.code, channel.id)

    for channel_id in sorted(inventory.channels, key=order):
        channel = inventory.channels[channel_id]
        company = companies.get(channel.company_id)
        parent = companies.get(company.parent_id) if company and company.parent_id else None
        auth = inventory.authorization_of(channel)
        health = channel.health
        pending = channel.id in pending_channel_ids
        cells = [
            channel.id,
            channel.company_id,
            company.name if company else "",
            parent.name if parent else "",
            channel.marketplace_id,
            channel.marketplace.code,
            channel.region.value,
            channel.seller_id or "",
            channel.name,
            channel_status(channel, inventory, now, pending=pending).text,
            health.result.value if health.result else "",
            health.message,
            iso(health.checked_at) or "",
            iso(health.failing_since) or "",
            iso(health.last_ok_at) or "",
            channel.authorization_id or "",
            iso(auth.expires_at) or "" if auth else "",
            channel.app_status.value,
            iso(channel.app_status_checked_at) or "",
            channel.mws_merchant_token or "",
            "yes" if channel.mws_auth_token_ref else "no",
        ]
        yield [protect(c) for c in cells]


def export_csv(
    inventory: Inventory,
    now: datetime,
    *,
    bom: bool = False,
    pending_channel_ids: frozenset[str] = frozenset(),
) -> str:
    """The whole CSV as text (``bom`` puts a byte order mark first)."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(inventory, now, pending_channel_ids))
    return buffer.getvalue()
