"""App credentials: inline validation, a secret kept only after Save and never shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from core.domain.app_rules import app_secret_status
from core.domain.changes import replace_all, set_app_credentials
from core.domain.inventory import AppCredentials
from core.domain.marketplaces import EndpointProfile
from core.domain.secret import Secret
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.credentials.dialog import NO_DATE, AppCredentialsDialog
from tests.core.factories import full_inventory
from tests.secret_names import ref_parts
from tests.zones import AUCKLAND, LOS_ANGELES

APP_ID = "amzn1.sp.solution.7e1f6c2a-0d4b-4a55-9e7c-1c0ffee00001"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
NEW_SECRET = "amzn1.oa2-cs.v1.a-brand-new-client-secret-0123456789"
TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 12).astimezone(UTC)  # noon on TODAY, in the machine's time zone
OK = Qt.MouseButton.LeftButton


@pytest.fixture
def store() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def workspace(tmp_path: Path, store: MemorySecretStore) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path / "data", store)
    yield opened
    opened.close()


@pytest.fixture
def make_dialog(qtbot: Any, workspace: Workspace) -> Callable[[], AppCredentialsDialog]:
    def make() -> AppCredentialsDialog:
        dialog = AppCredentialsDialog(workspace, clock=lambda: NOW)
        qtbot.addWidget(dialog)
        dialog.open()
        qtbot.waitExposed(dialog)
        with qtbot.waitActive(dialog):
            dialog.activateWindow()
        return dialog

    return make


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def fill(qtbot: Any, dialog: AppCredentialsDialog, secret: str = NEW_SECRET) -> None:
    type_into(qtbot, dialog.application_id, APP_ID)
    type_into(qtbot, dialog.client_id, CLIENT_ID)
    type_into(qtbot, dialog.client_secret, secret)
    type_into(qtbot, dialog.redirect_uri, "https://connect.example.com/spapi/return")


def shown_text(widget: QWidget) -> str:
    parts = []
    for child in widget.findChildren(QWidget):
        for getter in ("text", "toolTip", "placeholderText", "accessibleName"):
            value = getattr(child, getter, None)
            if callable(value):
                parts.append(str(value()))
    return "\n".join(parts)


def test_messages_appear_under_the_fields(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog]
) -> None:
    dialog = make_dialog()
    type_into(qtbot, dialog.application_id, CLIENT_ID)  # a common mix-up (Amazon's MD1000)
    type_into(qtbot, dialog.client_id, "amzn1.sp.solution.x")
    type_into(qtbot, dialog.redirect_uri, "http://connect.example.com/return")
    messages = dialog.messages()
    assert "This is the LWA client ID, not the application ID" in messages["application_id"]
    assert "starts with amzn1.application-oa2-client" in messages["lwa_client_id"]
    assert "only https://" in messages["redirect_uri"]
    qtbot.mouseClick(dialog.ok_button, OK)
    assert dialog.isVisible()  # refused: nothing applied
    assert dialog.application_id.hasFocus()
    assert not dialog.workspace.is_dirty

    type_into(qtbot, dialog.application_id, APP_ID)
    type_into(qtbot, dialog.client_id, CLIENT_ID)
    type_into(qtbot, dialog.redirect_uri, "https://connect.example.com/return")
    assert dialog.messages() == {}


def test_the_simulator_takes_a_loopback_redirect_and_needs_its_address(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog], workspace: Workspace
) -> None:
    dialog = make_dialog()
    assert not dialog.endpoint_url.isEnabled()
    type_into(qtbot, dialog.redirect_uri, "http://127.0.0.1:8765/callback")
    assert "only https://" in dialog.messages()["redirect_uri"]
    dialog.profile.setCurrentIndex(dialog.profile.findData(EndpointProfile.SIMULATOR.value))
    dialog.profile.activated.emit(dialog.profile.currentIndex())
    assert dialog.endpoint_url.isEnabled()
    assert "redirect_uri" not in dialog.messages()
    assert "simulator's address" in dialog.messages()["endpoint_url"]
    type_into(qtbot, dialog.endpoint_url, "http://127.0.0.1:8765")
    assert dialog.messages() == {}
    qtbot.mouseClick(dialog.ok_button, OK)
    assert not dialog.isVisible()
    app = workspace.current.app
    assert app.endpoint_profile is EndpointProfile.SIMULATOR
    assert app.endpoint_url == "http://127.0.0.1:8765"


def test_the_secret_is_stored_only_after_save_and_never_shown(
    qtbot: Any,
    make_dialog: Callable[[], AppCredentialsDialog],
    workspace: Workspace,
    store: MemorySecretStore,
) -> None:
    dialog = make_dialog()
    assert dialog.client_secret.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.client_secret.placeholderText() == "Not stored yet"
    fill(qtbot, dialog)
    assert dialog.issued.date() == QDate(2026, 3, 1)  # a new secret: created today, probably
    assert "Renew by 28 Aug 2026 (in 180 days)" in dialog.renewal.text()
    dialog.draft.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, OK)
    assert not dialog.isVisible()
    assert dialog.client_secret.text() == ""

    app = workspace.current.app
    assert (app.application_id, app.lwa_client_id, app.draft) == (APP_ID, CLIENT_ID, True)
    assert app.secret_issued_at is not None
    assert app.secret_issued_at.astimezone().date() == TODAY
    ref = app.client_secret_ref
    assert ref is not None
    assert ref_parts(ref) == (workspace.namespace, "client-secret", "app")
    assert workspace.is_dirty  # pending until Save
    assert store.names() == frozenset()  # nothing in the keychain yet
    workspace.save()
    assert store.get(ref) == Secret(NEW_SECRET)

    again = make_dialog()
    assert again.client_secret.text() == ""
    assert "Stored" in again.client_secret.placeholderText()
    if NEW_SECRET in shown_text(again):
        pytest.fail("the stored client secret is shown")
    # Empty keeps the stored one: OK changes nothing.
    qtbot.mouseClick(again.ok_button, OK)
    assert not workspace.is_dirty
    assert workspace.current.app.client_secret_ref == ref


def test_a_new_secret_gets_a_new_keychain_entry(
    qtbot: Any,
    make_dialog: Callable[[], AppCredentialsDialog],
    workspace: Workspace,
    store: MemorySecretStore,
) -> None:
    dialog = make_dialog()
    fill(qtbot, dialog, "amzn1.oa2-cs.v1.first")
    qtbot.mouseClick(dialog.ok_button, OK)
    workspace.save()
    first = workspace.current.app.client_secret_ref
    again = make_dialog()
    type_into(qtbot, again.client_secret, NEW_SECRET)
    qtbot.mouseClick(again.ok_button, OK)
    second = workspace.current.app.client_secret_ref
    assert second is not None
    assert second != first
    assert store.get(first or "") == Secret("amzn1.oa2-cs.v1.first")  # until Save
    workspace.save()
    assert store.get(second) == Secret(NEW_SECRET)
    assert store.get(first or "") is None  # the superseded entry goes after the commit


def test_cancel_changes_nothing(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog], workspace: Workspace
) -> None:
    dialog = make_dialog()
    fill(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not workspace.is_dirty
    assert workspace.current.app == AppCredentials()


def test_a_stored_date_near_local_midnight_gives_the_banners_count(
    qtbot: Any, workspace: Workspace, local_time_zone: Callable[[str], None]
) -> None:
    local_time_zone(AUCKLAND)
    # Entered at 03:00 on 2 Sep 2025 in Auckland: it stops at 04:00 on 1 Mar 2026.
    issued = datetime(2025, 9, 1, 15, tzinfo=UTC)
    workspace.apply(set_app_credentials(AppCredentials(secret_issued_at=issued)))
    now = datetime(2026, 3, 1, 0, 30).astimezone(UTC)  # half an hour into that day
    dialog = AppCredentialsDialog(workspace, clock=lambda: now)
    qtbot.addWidget(dialog)
    banner = app_secret_status(workspace.current.app, now)
    assert banner is not None
    assert (banner.text, dialog.renewal.text()) == (
        "Urgent: client secret expires today",
        "Urgent: renew it now. This client secret must be replaced by 1 Mar 2026 (today); "
        "after that every connection stops.",
    )


def test_a_picked_date_gives_the_banners_count_at_half_past_eleven(
    qtbot: Any, workspace: Workspace, local_time_zone: Callable[[str], None]
) -> None:
    local_time_zone(LOS_ANGELES)
    now = datetime(2026, 3, 1, 23, 30).astimezone(UTC)
    dialog = AppCredentialsDialog(workspace, clock=lambda: now)
    qtbot.addWidget(dialog)
    dialog.open()
    fill(qtbot, dialog)
    dialog.issued.setDate(QDate(2025, 9, 12))  # stops at midnight starting 11 Mar 2026
    shown = dialog.renewal.text()
    qtbot.mouseClick(dialog.ok_button, OK)
    assert not dialog.isVisible()
    banner = app_secret_status(workspace.current.app, now)
    assert banner is not None
    # Both count local calendar days: from 1 Mar to 11 Mar is 10, whatever the hour.
    assert (banner.text, shown) == (
        "Client secret expires in 10 days",
        "Renew it soon: this client secret must be replaced by 11 Mar 2026 (in 10 days).",
    )


def test_a_stored_date_is_shown_and_kept(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog], workspace: Workspace
) -> None:
    issued = datetime(2025, 12, 1, 15, 30, tzinfo=UTC)
    workspace.apply(set_app_credentials(AppCredentials(secret_issued_at=issued)))
    dialog = make_dialog()
    local = issued.astimezone().date()
    assert dialog.issued.date() == QDate(local.year, local.month, local.day)
    assert dialog.candidate().secret_issued_at == issued  # untouched: the exact time stays
    dialog.issued.setDate(NO_DATE)
    assert dialog.issued.text() == "Not recorded"
    assert dialog.candidate().secret_issued_at is None


def test_every_field_is_named_and_explained(
    make_dialog: Callable[[], AppCredentialsDialog],
) -> None:
    dialog = make_dialog()
    for field in (
        dialog.application_id,
        dialog.client_id,
        dialog.client_secret,
        dialog.issued,
        dialog.redirect_uri,
        dialog.draft,
        dialog.profile,
        dialog.endpoint_url,
    ):
        assert field.accessibleName()
        assert field.toolTip()
    assert dialog.draft.text().replace("&", "") == "My app is still a draft (adds version=beta)"


def test_switching_to_the_simulator_asks_for_its_own_secret(
    qtbot: Any,
    make_dialog: Callable[[], AppCredentialsDialog],
    workspace: Workspace,
    store: MemorySecretStore,
) -> None:
    first = make_dialog()
    fill(qtbot, first)  # Amazon's profile, with the real client secret
    qtbot.mouseClick(first.ok_button, OK)
    workspace.save()
    amazon_ref = workspace.current.app.client_secret_ref

    dialog = make_dialog()
    dialog.profile.setCurrentIndex(dialog.profile.findData(EndpointProfile.SIMULATOR.value))
    dialog.profile.activated.emit(dialog.profile.currentIndex())
    type_into(qtbot, dialog.endpoint_url, "http://127.0.0.1:8765")
    assert "simulator's client secret" in dialog.messages()["client_secret"]
    qtbot.mouseClick(dialog.ok_button, OK)

    assert dialog.isVisible()  # refused: the stored Amazon secret would go to the simulator
    assert workspace.current.app.endpoint_profile is EndpointProfile.AMAZON
    assert not workspace.is_dirty

    type_into(qtbot, dialog.client_secret, "simulator-own-secret")
    assert "client_secret" not in dialog.messages()
    qtbot.mouseClick(dialog.ok_button, OK)
    assert not dialog.isVisible()
    app = workspace.current.app
    assert app.endpoint_profile is EndpointProfile.SIMULATOR
    assert app.client_secret_ref != amazon_ref
    workspace.save()
    assert store.get(app.client_secret_ref or "") == Secret("simulator-own-secret")


def test_a_simulator_elsewhere_is_refused_not_merely_warned_about(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog], workspace: Workspace
) -> None:
    dialog = make_dialog()
    dialog.profile.setCurrentIndex(dialog.profile.findData(EndpointProfile.SIMULATOR.value))
    dialog.profile.activated.emit(dialog.profile.currentIndex())
    type_into(qtbot, dialog.endpoint_url, "http://192.168.1.20:8765")
    assert "this computer only" in dialog.messages()["endpoint_url"]
    qtbot.mouseClick(dialog.ok_button, OK)
    assert dialog.isVisible()
    assert workspace.current.app.endpoint_profile is EndpointProfile.AMAZON


def test_an_inventory_with_amazon_grants_never_switches_to_the_simulator(
    qtbot: Any, make_dialog: Callable[[], AppCredentialsDialog], workspace: Workspace
) -> None:
    workspace.apply(replace_all(full_inventory(), {}, NOW))  # grants with refresh tokens
    dialog = make_dialog()
    dialog.profile.setCurrentIndex(dialog.profile.findData(EndpointProfile.SIMULATOR.value))
    dialog.profile.activated.emit(dialog.profile.currentIndex())
    type_into(qtbot, dialog.endpoint_url, "http://127.0.0.1:8765")
    type_into(qtbot, dialog.client_secret, "simulator-own-secret")

    assert "never sends to the simulator" in dialog.messages()["endpoint_profile"]
    qtbot.mouseClick(dialog.ok_button, OK)
    assert dialog.isVisible()
    assert workspace.current.app.endpoint_profile is EndpointProfile.SANDBOX
