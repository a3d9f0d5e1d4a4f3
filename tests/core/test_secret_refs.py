"""Every keychain entry name, wherever it is built, has one format: one constructor per kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from core.domain.changes import set_app_credentials
from core.domain.inventory import AppCredentials, Inventory
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)
from core.domain.synthetic import generate_inventory
from core.services.demo import open_demo
from core.storage.keychain import MemorySecretStore
from tests.secret_names import ref_parts

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
NS = "inv0123"

CONSTRUCTORS: list[tuple[Callable[[], str], str, str]] = [
    (lambda: new_refresh_token_ref(NS, "auth1"), "refresh-token", "auth1"),
    (lambda: new_mws_auth_token_ref(NS, "ch1"), "mws-auth-token", "ch1"),
    (lambda: new_client_secret_ref(NS), "client-secret", "app"),
]


@pytest.mark.parametrize(("make", "kind", "owner"), CONSTRUCTORS)
def test_each_kind_has_its_constructor_and_every_name_is_new(
    make: Callable[[], str], kind: str, owner: str
) -> None:
    names = {make() for _ in range(1000)}
    assert len(names) == 1000  # a Save writes a new value before the old one is dropped
    for name in names:
        assert ref_parts(name) == (NS, kind, owner)


def test_a_given_version_makes_the_name_reproducible() -> None:
    assert new_refresh_token_ref(NS, "a1", version="v1") == f"{NS}/refresh-token/a1/v1"
    assert new_mws_auth_token_ref(NS, "c1", version="v1") == f"{NS}/mws-auth-token/c1/v1"
    assert new_client_secret_ref(NS, version="v1") == f"{NS}/client-secret/app/v1"


@pytest.mark.parametrize(
    "make",
    [
        lambda: new_refresh_token_ref("", "a1"),
        lambda: new_refresh_token_ref(NS, "a1/refresh-token"),
        lambda: new_mws_auth_token_ref(NS, ""),
        lambda: new_client_secret_ref("a/b"),
        lambda: new_client_secret_ref(NS, version=""),
    ],
)
def test_a_part_that_would_break_the_format_is_refused(make: Callable[[], str]) -> None:
    with pytest.raises(ValueError, match="keychain name part"):
        make()


def _assert_names_by_kind(inv: Inventory, namespace: str) -> None:
    for auth in inv.authorizations.values():
        assert ref_parts(auth.refresh_token_ref) == (namespace, "refresh-token", auth.id)
    mws = [c for c in inv.channels.values() if c.mws_auth_token_ref is not None]
    assert mws
    for channel in mws:
        assert ref_parts(channel.mws_auth_token_ref) == (namespace, "mws-auth-token", channel.id)
    assert ref_parts(inv.app.client_secret_ref) == (namespace, "client-secret", "app")


def test_the_demo_and_the_synthetic_inventories_name_every_secret_by_kind() -> None:
    for inv, secrets in (demo_inventory(NOW, NS), generate_inventory(500, NOW, NS, seed=3)):
        _assert_names_by_kind(inv, NS)
        assert set(secrets) == inv.secret_refs()


def test_app_credentials_without_a_new_secret_need_no_entry_name() -> None:
    app = AppCredentials(client_secret_ref=new_client_secret_ref(NS), draft=True)
    change = set_app_credentials(app)
    assert change.secrets == ()
    inv = Inventory()
    change.apply(inv)
    assert inv.app == app  # the stored secret's name is kept as it was


def test_a_new_secret_without_an_entry_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="new_ref"):
        set_app_credentials(AppCredentials(), Secret("amzn1.oa2-cs.v1.x"))


def test_the_demo_opens_with_every_entry_named_by_kind_and_no_spare_entry() -> None:
    workspace = open_demo()
    try:
        _assert_names_by_kind(workspace.current, workspace.namespace)
        # Pointing the demo app at the simulator changes no secret, so it writes no entry.
        assert isinstance(workspace.secrets, MemorySecretStore)
        assert workspace.secrets.names() == workspace.current.secret_refs()
    finally:
        workspace.close()
