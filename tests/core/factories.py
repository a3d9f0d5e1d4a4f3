"""Small builders for core tests (no Qt)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.amazon.sellers import Participation, Participations
from core.domain.inventory import (
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
)
from core.domain.marketplaces import EndpointProfile, Region, by_country
from core.storage import opening
from core.storage.backups import DB_NAME
from core.storage.schema import MIGRATIONS

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
UK = "A1F83G8C2ARO7P"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
SELLER = "A2EXAMPLEUS7QZ"
OTHER_SELLER = "A9OTHERSELLER1"


def company(cid: str = "c1", name: str = "Acme Outdoor", parent: str | None = None) -> Company:
    return Company(cid, name, parent)


def channel(
    chid: str = "ch1",
    company_id: str = "c1",
    marketplace_id: str = US,
    seller_id: str | None = SELLER,
    authorization_id: str | None = None,
    **changes: Any,
) -> Channel:
    base = Channel(chid, company_id, marketplace_id, "Acme US", seller_id, authorization_id)
    return replace(base, **changes)


def authorization(
    aid: str = "a1",
    seller_id: str = SELLER,
    region: Region = Region.NA,
    ref: str | None = "ns/refresh-token/a1/r1",
    granted: datetime = NOW - timedelta(days=10),
    previous_id: str | None = None,
) -> Authorization:
    return Authorization.new(
        seller_id,
        region,
        AuthSource.CONSENT,
        ref,
        granted_at=granted,
        marketplace_ids=frozenset({US, CA}),
        store_name="Acme Store",
        previous_id=previous_id,
        auth_id=aid,
    )


def full_inventory() -> Inventory:
    """One of every kind of row, with every optional field set."""
    inv = Inventory()
    inv.companies["c1"] = company()
    inv.companies["c2"] = Company("c2", "Acme Canada", "c1", "unified with Acme Outdoor")
    inv.authorizations["a0"] = authorization("a0", ref="ns/refresh-token/a0/r0")
    inv.authorizations["a1"] = authorization(previous_id="a0")
    inv.channels["ch1"] = channel(
        authorization_id="a1",
        mws_merchant_token=SELLER,
        mws_auth_token_ref="ns/mws-auth-token/ch1/m1",
        app_status=AppStatus.ACTIVE,
        app_status_checked_at=NOW - timedelta(days=2),
        health=Health(NOW, CheckResult.FAILED, NOW - timedelta(hours=40), "timed out"),
    )
    inv.channels["ch2"] = channel("ch2", "c2", CA, None, "a1", name="Acme CA")
    inv.app = AppCredentials(
        "amzn1.sp.solution.0bf296b5-1111-2222-3333-444455556666",
        "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef",
        "ns/client-secret/app/1",
        "https://connect.example.com/return",
        True,
        NOW - timedelta(days=100),
        EndpointProfile.SANDBOX,
        "",
    )
    return inv


def participations(*codes: str, store: str = "Acme Europe") -> Participations:
    """What getMarketplaceParticipations lists for one seller in these marketplaces."""
    items = tuple(
        Participation(
            marketplace_id=by_country(code).id,
            country_code=code,
            name=f"Amazon {code}",
            domain_name="",
            default_currency="EUR",
            store_name=store,
            is_participating=True,
            has_suspended_listings=False,
        )
        for code in codes
    )
    return Participations(items)


def version_1_file(folder: Path) -> Path:
    """A data folder whose file has only the first format, with a company in it."""
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    for statement in opening.statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO meta(key, value) VALUES ('inventory_id', 'old-inventory')")
    conn.execute("INSERT INTO app_credentials(id) VALUES (1)")
    conn.execute("INSERT INTO companies(id, name) VALUES ('c1', 'From version 1')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    return folder
