"""CSV and JSON files in detail: formulas, BOMs, delimiters, line numbers, duplicates, paths."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from core.domain.changes import add_channel, add_company
from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory
from core.domain.samples import demo_inventory
from core.services.exchange.cells import protect, unprotect
from core.services.exchange.export_csv import COLUMNS, export_csv
from core.services.exchange.writing import write_export
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.exchange_support import export_text, plan_for, saved_workspace
from tests.core.factories import NOW, US, channel, company


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.open(tmp_path / "inv", MemorySecretStore())
    yield ws  # type: ignore[misc]
    ws.close()


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "'=x", "''+y", "plain", "'quoted"]
)
def test_a_formula_is_guarded_and_the_guard_comes_off_again(name: str) -> None:
    cell = protect(name)
    assert not cell.startswith(("=", "+", "-", "@"))
    assert unprotect(cell) == name


def test_csv_export_guards_formulas_and_imports_back_to_the_same_names(
    workspace: Workspace,
) -> None:
    inv = Inventory()
    inv.companies["c1"] = company("c1", "=cmd|' /C calc'!A0")
    inv.channels["ch1"] = channel("ch1", name="@evil", seller_id=None)
    text = export_csv(inv, NOW, bom=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == list(COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["company"] == "'=cmd|' /C calc'!A0"
    assert row["name"] == "'@evil"
    plan = plan_for(text, workspace.current, ".csv")
    assert plan.change is not None, plan.problems
    workspace.apply(plan.change)
    assert workspace.current.companies["c1"].name == "=cmd|' /C calc'!A0"
    assert workspace.current.channels["ch1"].name == "@evil"


def test_a_spreadsheet_csv_with_semicolons_bom_and_any_case_headers(workspace: Workspace) -> None:
    text = (
        "\ufeffCompany;MARKETPLACE;Seller ID;Name;Parent Company\r\n"
        "Acme Group;US;A1ACMEGROUP77;Acme US;\r\n"
        "Acme Kids;gb;;Acme Kids UK;acme group\r\n"
        'Acme Kids;ATVPDKIKX0DER;a1acmekids1234;"Acme; Kids US";Acme Group\r\n'
        "\r\n"
    )
    plan = plan_for(text, workspace.current, ".csv")
    assert plan.ok, plan.problems
    assert (plan.companies_added, plan.channels_added) == (2, 3)
    assert plan.change is not None
    workspace.apply(plan.change)
    companies = {c.name: c for c in workspace.current.companies.values()}
    assert companies["Acme Kids"].parent_id == companies["Acme Group"].id
    names = {c.name: c for c in workspace.current.channels.values()}
    assert names["Acme; Kids US"].seller_id == "A1ACMEKIDS1234"
    assert names["Acme Kids UK"].marketplace.code == "UK"


def test_every_problem_has_its_line_and_nothing_changes(workspace: Workspace) -> None:
    workspace.apply(add_company(company("c1", "Acme")))
    workspace.apply(add_channel(channel("ch1", "c1", US)))
    workspace.save(NOW)
    text = (
        "company,marketplace,seller_id,parent_company\n"
        "Acme,US,,\n"  # line 2: Acme already has US
        'New Co,DE,"two\nlines",\n'  # lines 3-4: a bad Seller ID in a quoted, two-line cell
        "New Co,DE,,\n"  # line 5: the same company and marketplace as line 3
        "Other,Atlantis,,\n"  # line 6
        "Child,FR,,Nobody\n"  # line 7
    )
    plan = plan_for(text, workspace.current, ".csv")
    assert plan.change is None
    where = [p.location for p in plan.problems]
    assert where == [
        "line 2, marketplace",
        "line 3, seller_id",
        "line 5, marketplace",
        "line 6, marketplace",
        "line 7, parent_company",
    ]
    assert all(p.message.strip() for p in plan.problems)
    assert "Acme already has a channel in United States (US)" in plan.problems[0].message
    assert "line 3" in plan.problems[2].message
    assert not workspace.is_dirty
    assert workspace.current is workspace.saved


def test_json_problems_name_their_path(workspace: Workspace, tmp_path: Path) -> None:
    source = saved_workspace(tmp_path / "src", demo_inventory, NOW)
    try:
        document = json.loads(export_text(source.saved, NOW))
    finally:
        source.close()
    document["channels"][3]["marketplace_id"] = "NOWHERE"
    document["channels"][4]["name"] = 12
    document["authorizations"][0]["expires_at"] = "next year"
    document["companies"][1]["id"] = document["companies"][0]["id"]
    plan = plan_for(json.dumps(document), workspace.current)
    where = [p.location for p in plan.problems]
    assert "channels[3].marketplace_id" in where
    assert "channels[4].name" in where
    assert "authorizations[0].expires_at" in where
    assert "companies[1].id" in where
    assert plan.change is None


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{", "line 1, column 2"),
        ("[]", "file"),
        ('{"format": "other"}', "file.format"),
        ('{"format": "spconnect-inventory", "version": 99}', "file.version"),
        ('{"format": "spconnect-inventory", "version": 1, "channels": {}}', "file.channels"),
    ],
)
def test_a_file_that_is_not_an_export_is_one_located_problem(
    workspace: Workspace, text: str, where: str
) -> None:
    plan = plan_for(text, workspace.current)
    assert [p.location for p in plan.problems] == [where]


def test_export_is_written_atomically_and_privately(workspace: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out" / "inventory.json"
    out.parent.mkdir()
    out.write_text("old")
    path = write_export(workspace, "json", out, now=NOW)
    assert json.loads(path.read_text())["format"] == "spconnect-inventory"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["inventory.json"]  # no temporary left
    with pytest.raises(UserFacingError, match="cannot export as 'xml'"):
        write_export(workspace, "xml", out, now=NOW)
    with pytest.raises(UserFacingError, match="could not be written") as caught:
        write_export(workspace, "csv", tmp_path / "missing" / "x.csv", now=NOW)
    assert caught.value.next_step


def test_dates_far_outside_a_grants_life_are_refused(workspace: Workspace) -> None:
    inv, _ = demo_inventory(NOW, "ns")
    document = json.loads(export_text(inv, NOW))
    auths = document["authorizations"]
    # Two grants outside any version chain: the demo's ids are random, so the sorted list's
    # first two may be linked by previous_id, and a chain's own dates are checked too.
    linked = {a["previous_id"] for a in auths} | {a["id"] for a in auths if a["previous_id"]}
    first, second = [i for i, a in enumerate(auths) if a["id"] not in linked][:2]
    auths[first]["expires_at"] = "9999-12-31T23:59:59-14:00"
    auths[second]["granted_at"] = "0001-01-01T00:00:00+14:00"
    plan = plan_for(json.dumps(document), workspace.current)
    assert [p.location for p in plan.problems] == [
        f"authorizations[{first}].expires_at",
        f"authorizations[{second}].granted_at",
    ]


def test_a_json_channel_may_belong_to_a_company_the_inventory_already_has(
    workspace: Workspace,
) -> None:
    workspace.apply(add_company(company("c1", "Acme")))
    workspace.save(NOW)
    document = json.loads(export_text(workspace.current, NOW))
    document["channels"] = [{"id": "new-ch", "company_id": "c1", "marketplace_id": US}]
    plan = plan_for(json.dumps(document), workspace.current)
    assert plan.ok, plan.problems
    assert plan.channels_added == 1


def test_another_format_can_be_registered(workspace: Workspace, tmp_path: Path) -> None:
    from core.services.exchange import writing

    def count(request: writing.ExportRequest) -> bytes:
        return f"{len(request.inventory.channels)} channels\n".encode()

    writing.register("count", count)
    try:
        path = write_export(workspace, "count", tmp_path / "n.txt", now=NOW)
        assert path.read_text() == "0 channels\n"
    finally:
        del writing.FORMATS["count"]


def test_a_company_cannot_be_its_own_parent_and_the_column_is_named(workspace: Workspace) -> None:
    text = "company,marketplace,parent_company\nSolo,US,Solo\n"
    plan = plan_for(text, workspace.current, ".csv")
    assert [p.location for p in plan.problems] == ["line 2, parent_company"]
    assert "its own unified parent" in plan.problems[0].message
