"""Any file, however broken, gives our typed problems or one valid change: never a crash,
never a partial import, every problem located (issue 10)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.inventory import Inventory
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.services.exchange.importing import import_changes
from core.services.exchange.reading import read_inventory_bytes
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.exchange_support import export_text
from tests.core.factories import NOW

_INVENTORY, _SECRETS = demo_inventory(NOW, "fuzz")
_EXPORT: dict[str, Any] = json.loads(export_text(_INVENTORY, NOW))
# Two of the plan's items carry noted states, as an export of a copy on a support call does.
_EXPORT["plan"][0].update(state="link_sent", state_changed_at="2026-01-01T00:00:00Z")
_EXPORT["plan"][1].update(
    state="failed", state_changed_at="2026-01-01T00:00:00Z", state_reason="Wrong account"
)
_SETTINGS = settings(max_examples=150, deadline=None)

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.text(min_size=1001, max_size=1100)
    | st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01", "US", "ATVPDKIKX0DER", "=1+1"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["US", "de", "ATVPDKIKX0DER", "Acme", "=1+1", "'@x", "A1SELLER12345", ""]),
    st.text(min_size=1001, max_size=1100),
)


def _check(data: bytes, suffix: str, empty: bool = False) -> None:
    """Import ``data`` into the demo inventory (or an empty one), all in memory."""
    base = Inventory() if empty else _INVENTORY.copy()
    before = base.copy()
    ws = Workspace(base, MemorySecretStore())
    parsed = read_inventory_bytes(data, suffix)  # must not raise
    plan = import_changes(parsed, ws.current)  # must not raise
    assert all(p.location.strip() and p.message.strip() for p in plan.problems)
    if plan.problems:
        assert plan.change is None
    elif plan.change is not None:
        ws.apply(plan.change)  # what the check accepted, the workspace accepts in full
        ws.undo()
    # Nothing was changed by checking, and a rejected file left no trace.
    assert not ws.is_dirty
    current = ws.current
    assert (current.companies, current.channels) == (before.companies, before.channels)
    assert (current.authorizations, current.app) == (before.authorizations, before.app)


def _mutated(path: list[Any], value: Any) -> bytes:
    document = json.loads(json.dumps(_EXPORT))
    target: Any = document
    for step in path[:-1]:
        in_dict = isinstance(target, dict) and step in target
        in_list = isinstance(target, list) and isinstance(step, int) and step < len(target)
        if in_dict or in_list:
            target = target[step]
        else:
            break
    last = path[-1]
    if isinstance(target, dict):
        target[last if isinstance(last, str) else str(last)] = value
    elif isinstance(target, list) and target:
        target[int(last) % len(target) if isinstance(last, int) else 0] = value
    return json.dumps(document).encode()


_paths = st.lists(
    st.one_of(
        st.sampled_from(["companies", "channels", "authorizations", "app", "health", "id",
                         "name", "company_id", "marketplace_id", "seller_id", "parent_id",
                         "region", "expires_at", "authorization_id", "previous_id", "version",
                         "format", "app_status", "marketplace_ids", "endpoint_profile",
                         "plan", "key", "state", "state_changed_at", "state_reason",
                         "state_authorization_id"]),
        st.integers(0, 30),
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip


@_SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from(["", ".csv", ".json"]))
def test_random_bytes(data: bytes, suffix: str) -> None:
    _check(data, suffix)


@_SETTINGS
@given(path=_paths, value=_json_values, empty=st.booleans())
def test_an_export_with_one_field_broken(path: list[Any], value: Any, empty: bool) -> None:
    _check(_mutated(path, value), ".json", empty)


@_SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["company", "Marketplace", "seller_id", "NAME", "parent_company",
                         "channel_id", "company_id", "app_status", "x"]),
        min_size=1, max_size=6,
    ),
    rows=st.lists(st.lists(_cells, max_size=7), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
    bom=st.booleans(),
    repeat=st.booleans(),
)  # fmt: skip
def test_spreadsheet_csv(
    header: list[str], rows: list[list[str]], delimiter: str, bom: bool,
    repeat: bool,
) -> None:  # fmt: skip
    import csv
    import io

    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows + (rows if repeat else []))
    _check(buffer.getvalue().encode("utf-8"), ".csv")


def test_the_demo_secrets_are_what_the_fuzzing_inventory_holds() -> None:
    # The fuzzed files start from an export of this inventory, which has secrets on record.
    assert all(isinstance(v, Secret) for v in _SECRETS.values())
    assert any(a["has_refresh_token"] for a in _EXPORT["authorizations"])
