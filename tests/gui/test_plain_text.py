"""Names a person typed (or Amazon sent) are shown as text, never as markup.

Qt guesses whether a label's or a tooltip's text is rich text (``Qt::mightBeRichText``): a
company called ``<img src=x>`` would load an image, a channel called ``<a href=...>`` would
show a link. Each test opens a view on an inventory whose names are hostile markup and checks
what the widgets *render*: a plain-text label shows its text as is, a rich one is rendered
through QTextDocument the way QLabel and QToolTip do, and the typed text must come out intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from core.domain import changes as ch
from core.domain.errors import CorruptStoreError, UserFacingError
from core.domain.inventory import (
    Authorization,
    AuthSource,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    utcnow,
)
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.consent import ConsentTarget
from core.services.consent.session import ConsentSession
from core.services.opening import open_workspace
from core.services.workspace import Workspace
from core.simulator import SimSeller
from core.storage.keychain import MemorySecretStore
from gui import dialogs
from gui.checks.progress import ProgressWindow
from gui.inventory.channel_form import ChannelForm
from gui.inventory.company_form import CompanyForm
from gui.reauthorize.dialog import ReauthorizeDialog
from gui.tasks import TaskRunner
from tests.gui.amazon_support import (
    WAIT_MS,
    amazon,
    follow,
    store,
    threaded_runner,
    workspace,
)
from tests.gui.conftest import Opened
from tests.integration.consent_support import SELLER, Amazon

# Fixtures used by name below.
__all__ = ["amazon", "store", "threaded_runner", "workspace"]

COMPANY = "<img src=x>Acme & Sons"
CHILD = '<h1 style="color:red">Big</h1> Child'
NOTES = "<script>alert(1)</script> notes"
CHANNEL = '<a href="https://evil.example">Click</a>'
STORE = "<b>Evil</b> Store"
MESSAGE = "<i>slanted</i> timeout"
TYPED = (COMPANY, CHILD, NOTES, CHANNEL, STORE, MESSAGE)
HOSTILE_SELLER = "A3HOSTILESTORE1"


def rendered(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a label (or a tooltip, always AutoText) shows of ``text``."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _meant(raw: str) -> list[str]:
    """The typed texts ``raw`` is meant to show (as they are, or HTML-escaped)."""
    return [t for t in TYPED if t in raw or escape(t) in raw or escape(t, quote=False) in raw]


def assert_shown_literally(widgets: Iterable[QWidget]) -> int:
    """Every label and tooltip of ``widgets`` that holds a typed text shows it intact.

    Returns how many (label or tooltip, typed text) pairs were checked."""
    checked = 0
    for top in widgets:
        for widget in [top, *top.findChildren(QWidget)]:
            if isinstance(widget, QLabel):
                shown = rendered(widget.text(), widget.textFormat())
                for typed in _meant(widget.text()):
                    assert typed in shown, f"label {widget.text()!r} shows {shown!r}"
                    checked += 1
            tip = widget.toolTip()
            for typed in _meant(tip):
                assert typed in rendered(tip), f"tooltip {tip!r} shows {rendered(tip)!r}"
                checked += 1
    return checked


def assert_box_literal(box: QMessageBox, *expected: str) -> None:
    """``box`` shows each of ``expected`` as is (its text, informative text, any label)."""
    shown = [rendered(label.text(), label.textFormat()) for label in box.findChildren(QLabel)]
    for text in expected:
        assert any(text in s for s in shown), f"{text!r} not shown literally in {shown!r}"
    assert assert_shown_literally([box]) >= len(expected)


# --- the window: tree, details, banner, status bar ---------------------------------------------


@pytest.fixture
def hostile_dir(tmp_path: Path, secrets: MemorySecretStore) -> Path:
    folder = tmp_path / "hostile"
    ws = open_workspace(folder, secrets=secrets)
    now = utcnow()
    inv = Inventory()
    inv.companies["evil"] = Company("evil", COMPANY, None, NOTES)
    inv.companies["child"] = Company("child", CHILD, "evil")
    ref = new_refresh_token_ref(ws.namespace, "a1")
    inv.authorizations["a1"] = Authorization.new(
        SELLER,
        Region.EU,
        AuthSource.CONSENT,
        ref,
        granted_at=now - timedelta(days=3),
        marketplace_ids=frozenset({by_country("UK").id}),
        store_name=STORE,
        auth_id="a1",
    )
    health = Health(now, CheckResult.FAILED, now - timedelta(hours=2), MESSAGE)
    inv.channels["uk"] = Channel(
        "uk", "evil", by_country("UK").id, CHANNEL, SELLER, "a1", health=health
    )
    inv.channels["de"] = Channel("de", "child", by_country("DE").id, CHANNEL, SELLER)
    ws.apply(ch.replace_all(inv, {ref: Secret("Atzr|hostile-test")}, now))
    ws.save()
    ws.close()
    return folder


@pytest.fixture
def hostile_window(
    open_window: Callable[..., Opened], hostile_dir: Path, secrets: MemorySecretStore
) -> Opened:
    return open_window(hostile_dir, secrets)


def _indexes(model: Any, parent: QModelIndex | None = None) -> Iterator[QModelIndex]:
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            yield index
            if column == 0:
                yield from _indexes(model, index)


def test_tree_cells_and_tooltips_show_typed_names_literally(hostile_window: Opened) -> None:
    model = hostile_window.page.view.model()
    names = set()
    tips = 0
    for index in _indexes(model):
        names.add(index.data(Qt.ItemDataRole.DisplayRole))
        tip = index.data(Qt.ItemDataRole.ToolTipRole) or ""
        for typed in _meant(tip):
            assert typed in rendered(tip), f"tooltip {tip!r} shows {rendered(tip)!r}"
            tips += 1
    # Item views paint DisplayRole as plain text: it must be the typed name, unchanged.
    assert {COMPANY, CHILD, CHANNEL} <= names
    assert tips >= 5  # names, notes, the store and the check message are all in tooltips


def test_details_show_typed_names_literally(hostile_window: Opened) -> None:
    page = hostile_window.page
    panel = page.panel
    assert page.select("company", "evil")
    assert rendered(panel.title.text(), panel.title.textFormat()) == COMPANY
    assert assert_shown_literally([hostile_window.window]) >= 1
    assert page.select("company", "child")
    subtitle = rendered(panel.subtitle.text(), panel.subtitle.textFormat())
    assert subtitle.startswith(f"Unified child of {COMPANY}")
    assert page.select("channel", "uk")
    assert rendered(panel.title.text(), panel.title.textFormat()) == CHANNEL
    form = panel.channel_form
    company = rendered(form.company_label.text(), form.company_label.textFormat())
    assert company == COMPANY
    authorization = rendered(form.authorization.text(), form.authorization.textFormat())
    assert f"({STORE})" in authorization
    last_check = rendered(form.last_check.text(), form.last_check.textFormat())
    assert f"({MESSAGE})" in last_check
    # Everything else in the window, tooltips included (the badges' tooltip quotes MESSAGE).
    assert assert_shown_literally([hostile_window.window]) >= 5


def test_banner_status_bar_and_read_only_notice_are_plain(hostile_window: Opened) -> None:
    page = hostile_window.page
    page.set_read_only(f"{COMPANY} is open in another window.")
    notice = page.read_only_notice
    assert rendered(notice.text(), notice.textFormat()).startswith(f"Read-only: {COMPANY}")
    assert assert_shown_literally([page.banner, hostile_window.window]) >= 1


def test_a_progress_window_label_is_plain(qtbot: Any) -> None:
    window = ProgressWindow(3)
    qtbot.addWidget(window)
    labels = window.findChildren(QLabel)
    assert labels
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


# --- message boxes (the functions that build them: fake_dialogs replaces those that run them) --


def test_error_box_shows_the_message_literally(qtbot: Any) -> None:
    error = UserFacingError(f"{COMPANY} could not be saved.", f"Rename {CHANNEL} and try again.")
    box = dialogs.error_box(None, error)
    qtbot.addWidget(box)
    assert_box_literal(box, error.message, error.next_step)


def test_remove_box_shows_the_name_literally(qtbot: Any) -> None:
    box, _remove = dialogs.remove_box(None, f"the company {COMPANY}", f"{CHANNEL} goes too.")
    qtbot.addWidget(box)
    assert_box_literal(box, f"Remove the company {COMPANY}?", f"{CHANNEL} goes too.")


def test_restore_box_shows_paths_and_messages_literally(qtbot: Any) -> None:
    error = CorruptStoreError(
        f"The inventory {NOTES} is damaged.", "Restore it.", [f"/tmp/{COMPANY}.db"]
    )
    box, restore = dialogs.restore_box(None, error)
    qtbot.addWidget(box)
    assert restore is not None
    assert_box_literal(box, error.message, f"Newest backup: /tmp/{COMPANY}.db")
    without, none = dialogs.restore_box(None, CorruptStoreError(MESSAGE, f"{STORE} next."))
    qtbot.addWidget(without)
    assert none is None
    assert_box_literal(without, MESSAGE, f"{STORE} next.")


def test_restored_box_shows_the_store_names_literally(qtbot: Any) -> None:
    box = dialogs.restored_box(None, f"Saved since the backup: {STORE}", f"Reauthorize {COMPANY}.")
    qtbot.addWidget(box)
    assert_box_literal(box, f"Saved since the backup: {STORE}", f"Reauthorize {COMPANY}.")


def test_crash_box_and_the_questions_are_plain(qtbot: Any) -> None:
    crash = dialogs.crash_box(None, f"Traceback: {COMPANY}")
    qtbot.addWidget(crash)
    assert crash.details == f"Traceback: {COMPANY}"  # copied by a button, never shown
    boxes = [crash, dialogs.unsaved_box(None, 2), dialogs.revert_box(None, 2)[0]]
    for box in boxes[1:]:
        qtbot.addWidget(box)
    for box in boxes:
        labels = [label for label in box.findChildren(QLabel) if label.text()]
        assert labels
        assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


# --- the reauthorize dialog ------------------------------------------------------------------


class _NoBrowser:
    def __call__(self, url: QUrl) -> bool:
        return True


@pytest.mark.parametrize(
    ("expected_seller", "outcomes", "shown"),
    [
        # Amazon's answer is another account: the result quotes the channel's name.
        (SELLER, {"wrong_account"}, (CHANNEL, HOSTILE_SELLER)),
        # No Seller ID known: the result shows the account Amazon reports, store name too.
        (None, {"confirm", "success"}, (HOSTILE_SELLER, STORE, CHANNEL)),
    ],
)
def test_reauthorize_dialog_shows_names_and_amazons_store_literally(
    qtbot: Any,
    workspace: Workspace,
    amazon: Amazon,
    threaded_runner: TaskRunner,
    expected_seller: str | None,
    outcomes: set[str],
    shown: tuple[str, ...],
) -> None:
    workspace.apply(ch.edit_company(Company("acme", COMPANY)))
    uk = workspace.current.channels["uk"]
    renamed = Channel(uk.id, uk.company_id, uk.marketplace_id, CHANNEL, expected_seller)
    workspace.apply(ch.edit_channel(renamed))
    # Amazon's answer comes from an account whose store name is markup.
    amazon.sim.add_seller(SimSeller(HOSTILE_SELLER, STORE, Region.EU, [by_country("UK").id]))
    amazon.sim.select_account(HOSTILE_SELLER, Region.EU)
    target = ConsentTarget(("uk",), Region.EU, by_country("UK").id, expected_seller, CHANNEL)
    dialog = ReauthorizeDialog(
        ConsentSession(workspace, target), threaded_runner, open_url=_NoBrowser()
    )
    qtbot.addWidget(dialog)
    dialog.open()
    try:
        qtbot.waitExposed(dialog)
        title = rendered(dialog.title.text(), dialog.title.textFormat())
        assert title == f"Reauthorize {CHANNEL}"
        assert dialog.windowTitle() == f"Reauthorize {CHANNEL} — SP Connect"
        assert assert_shown_literally([dialog]) >= 1

        qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
        follow(dialog.waiting_page.link.text())  # the browser: consent page -> the listener
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
        assert dialog.outcome in outcomes
        result = dialog.result_page.text
        text = rendered(result.text(), result.textFormat())
        for expected in shown:
            assert expected in text
        assert assert_shown_literally([dialog]) >= 2
    finally:
        dialog.session.close()


# --- any text in any form field: accepted, or refused in plain words ------------------------


_ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@pytest.fixture
def form_workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(tmp_path / "forms", MemorySecretStore())
    ws.apply(ch.add_company(Company("c1", "Acme")))
    ws.apply(ch.add_channel(Channel("ch1", "c1", by_country("UK").id, "Acme UK", SELLER)))
    yield ws
    ws.close()


def _check_outcome(form: Any, accepted: bool) -> None:
    messages = form.messages()
    if not accepted:
        assert messages, "refused without a message"
    for label in form.findChildren(QLabel):
        if not label.isHidden() and label.text() in messages.values():
            assert label.textFormat() == Qt.TextFormat.PlainText
    for text in messages.values():
        assert text.strip()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(field=st.sampled_from(["name", "notes"]), text=_ANY_TEXT)
def test_company_form_takes_any_text(
    qtbot: Any, form_workspace: Workspace, field: str, text: str
) -> None:
    form = CompanyForm(form_workspace.try_apply)
    qtbot.addWidget(form)
    form.workspace = form_workspace
    form.show_company("c1")
    form.set_editing(True)
    if field == "name":
        form.name.setText(text)
    else:
        form.notes.setPlainText(text)
    _check_outcome(form, form.commit())


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(field=st.sampled_from(["name", "seller_id", "merchant_token", "mws_token"]), text=_ANY_TEXT)
def test_channel_form_takes_any_text(
    qtbot: Any, form_workspace: Workspace, field: str, text: str
) -> None:
    form = ChannelForm(form_workspace.try_apply)
    qtbot.addWidget(form)
    form.workspace = form_workspace
    form.show_channel("ch1")
    form.set_editing(True)
    getattr(form, field).setText(text)
    _check_outcome(form, form.commit())
