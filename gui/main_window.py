"""The main window: menus, toolbar, status bar, and which page the centre shows.

It paints before anything is loaded: the inventory opens on the database lane (the keychain and
the disk may be slow). The window holds the open :class:`~core.services.workspace.Workspace`,
the bridge that brings its events to the GUI thread, and whether a Save is running; editing
lives in the details panel and :mod:`gui.commands`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from core.domain.errors import CorruptStoreError, UserFacingError
from core.domain.inventory import utcnow
from core.services import backups
from core.services.consent import ConsentAttempts
from core.services.review import review_source
from core.services.view.rows import InventoryRows
from core.services.view.storage import data_label, secrets_label, title_label
from core.services.workspace import Workspace
from gui import actions, dialogs, review, support_bundle
from gui.actions import Actions
from gui.bridge import Bridge
from gui.commands import Commands
from gui.inventory.page import InventoryPage
from gui.inventory.welcome import WelcomeView, centred
from gui.keychain_status import ask_keychain
from gui.tasks import TaskRunner
from gui.test_all_action import sync_action
from gui.text import make_plain, tooltip
from gui.window_size import first_size

if TYPE_CHECKING:
    from concurrent.futures import Future

    from core.services.checks import CheckRun

log = logging.getLogger(__name__)

SETTINGS_ORG = SETTINGS_APP = "SP Connect"


def load_rows(opener: Callable[[], Workspace]) -> tuple[Workspace, InventoryRows]:
    """Open the inventory and prepare its rows: runs on the database lane."""
    from core.services.view.rows import InventoryRows

    ws = opener()
    try:
        rows = InventoryRows(
            ws.current, utcnow(), ws.pending_channel_ids(), ws.pending_company_ids()
        )
    except BaseException:
        ws.close()
        raise
    return ws, rows


class MainWindow(QMainWindow):
    loaded = Signal()  # the inventory is shown (or the welcome view)
    openFailed = Signal(object)  # the exception that stopped the inventory from opening
    saveFinished = Signal(bool)  # True when everything was saved

    def __init__(
        self,
        runner: TaskRunner,
        *,
        launch_demo: Callable[[], None] | None = None,
        persist_settings: bool = True,
        version: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__()
        self.runner = runner
        self.workspace: Workspace | None = None
        self.bridge = Bridge(self)
        self.saving = False  # a Save is on its way or running: editing waits for it
        self.page: InventoryPage | None = None
        self.welcome: WelcomeView | None = None
        self.commands: Commands | None = None
        self._launch_demo = launch_demo
        # One registry of consent attempts per window: a late answer to an earlier dialog is
        # refused clearly instead of being mistaken for the current one.
        self.consent_attempts = ConsentAttempts()
        # Running Test connection runs, cancelled on close.
        self.connection_tests: list[CheckRun] = []
        self._persist = persist_settings
        self.version = version  # a callable: the lookup costs start time
        self._close_after_save = False
        self._closed = False
        self._opener: Callable[[], Workspace] | None = None
        self._opening: Future[tuple[Workspace, InventoryRows]] | None = None
        self.setWindowTitle("SP Connect")
        self.setMinimumSize(720, 480)
        self.resize(first_size(self))

        self.loading = QLabel("Opening your inventory…")
        self.loading.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(centred(self.loading))
        self.setCentralWidget(self.stack)
        self.secrets_label = QLabel()
        self.file_label = QLabel()
        # An error can quote a name or a path; the labels show them as is.
        make_plain(self.loading, self.secrets_label, self.file_label)
        for label in (self.secrets_label, self.file_label):
            self.statusBar().addPermanentWidget(label)
        self._act: Actions | None = None
        self._restore_settings()

    # --- skeleton ---------------------------------------------------------------------

    def build_chrome(self) -> None:
        """Build the menus and the toolbar now (the app does it just after the first paint)."""
        self.act  # noqa: B018 - the property builds them

    @property
    def act(self) -> Actions:
        """The window's actions, menus and toolbar (built on first use)."""
        if self._act is None:
            self._act = actions.create(self, self.run_command)
            actions.install(self, self._act)
            self.update_actions()
        return self._act

    def _settings(self) -> QSettings:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore_settings(self) -> None:
        geometry = self._settings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _save_settings(self) -> None:
        if not self._persist:
            return
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        if self.page is not None:
            settings.setValue("window/splitter", self.page.splitter.saveState())

    # --- opening ----------------------------------------------------------------------

    def open_inventory(self, opener: Callable[[], Workspace]) -> None:
        """Open the inventory on the database lane; :attr:`loaded` or :attr:`openFailed`
        follows."""
        self._opener = opener
        self.build_chrome()  # menus and toolbar first: they show while it loads
        self.loading.setText("Opening your inventory…")
        self.stack.setCurrentIndex(0)
        self._opening = self.runner.run(lambda: load_rows(opener), self._opened, self._open_failed)

    def _opened(self, result: tuple[Workspace, InventoryRows]) -> None:
        workspace, rows = result
        self._opening = None
        self.show_workspace(workspace, rows)

    def show_workspace(self, workspace: Workspace, rows: InventoryRows) -> None:
        """Show an opened inventory (synchronously: tests and benchmarks call this directly)."""
        self.workspace = workspace
        self.bridge.listen(workspace.changed, lambda _event: self._on_state())
        self.page = page = InventoryPage()
        self.commands = Commands(self, workspace, page)
        self.welcome = welcome = WelcomeView()
        for widget in (page, welcome):
            self.stack.addWidget(widget)
        splitter = self._settings().value("window/splitter")
        if splitter is not None:
            page.splitter.restoreState(splitter)
        # Reads the keychain off this thread; a review has no keychain, so no Reveal at all.
        page.panel.channel_form.mws_field.runner = None if review_source(workspace) else self.runner
        page.load(workspace, self.bridge, rows, lambda: self.saving)
        page.panel.recovery.runner = self.runner  # checklist ticks go to the database lane
        page.view.addActions([self.act.edit, self.act.add_channel, self.act.remove])
        page.currentChanged.connect(self.update_actions)
        page.model.modelReset.connect(self.update_actions)  # a filter: Test all's text follows
        page.activated.connect(self.act.edit.trigger)
        page.panel.saveRequested.connect(self.act.save.trigger)
        page.panel.revertRequested.connect(self.act.revert.trigger)
        page.panel.rollBackRequested.connect(self.act.roll_back.trigger)
        page.panel.historyRequested.connect(self.act.history.trigger)
        page.panel.edited.connect(self.update_actions)
        page.panel.editingChanged.connect(lambda _e: self.update_actions())
        self.saveFinished.connect(self._on_saved)
        welcome.addRequested.connect(self.act.add_company.trigger)
        welcome.demoRequested.connect(self.act.open_demo.trigger)
        welcome.demo_button.setEnabled(self._launch_demo is not None)
        self._describe_storage(workspace)
        self._on_state()
        if not page.panel.kind and page.model.rowCount() == 1:
            page.select("company", page.model.rows.shown[0].id)  # type: ignore[union-attr]
        self.loaded.emit()

    def _open_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CorruptStoreError) and exc.backups and self._opener is not None:
            if dialogs.offer_restore(self, exc):
                backup = Path(exc.backups[0])
                opener = self._opener

                def reopen(restored: backups.Restored) -> None:
                    if restored.next_step:  # sellers to reauthorize, or none could be told
                        dialogs.show_restored(self, restored.message, restored.next_step)
                    self.open_inventory(opener)

                self.runner.run(lambda: backups.restore(backup), reopen, self._open_failed)
                return
        elif not isinstance(exc, CorruptStoreError):
            dialogs.report_error(self, exc)
        if isinstance(exc, UserFacingError):
            self.loading.setText(f"The inventory could not be opened.\n\n{exc}")
        else:
            self.loading.setText("The inventory could not be opened (an unexpected error).")
        self.openFailed.emit(exc)

    def _describe_storage(self, workspace: Workspace) -> None:
        for widget, label in (
            (self.secrets_label, secrets_label(workspace)),
            (self.file_label, data_label(workspace)),
        ):
            widget.setText(label.text)
            widget.setToolTip(tooltip(label.tooltip))
        ask_keychain(self.runner, workspace, self._describe_storage, lambda: self.workspace)
        reason, source = workspace.read_only_reason, review_source(workspace)
        if self.page is not None and (reason or source):
            self.page.set_read_only(reason or "", source.banner() if source else None)

    # --- state ------------------------------------------------------------------------

    @property
    def can_edit(self) -> bool:
        ws = self.workspace
        return ws is not None and not ws.read_only and not self.saving

    def _on_state(self) -> None:
        ws, page = self.workspace, self.page
        if ws is None or page is None:
            return
        page.panel.set_can_edit(self.can_edit)
        empty = not ws.current.companies and not ws.read_only  # no welcome to add to
        target: QWidget = self.welcome if empty and self.welcome else page
        self.stack.setCurrentWidget(target)
        self.update_actions()

    def update_actions(self) -> None:
        ws, page, a = self.workspace, self.page, self._act
        if a is None:
            return
        can_edit = self.can_edit
        uncommitted = page is not None and page.panel.has_uncommitted()
        dirty = ws is not None and ws.is_dirty
        selected = page.current() if page is not None else None
        a.save.setEnabled(can_edit and (dirty or uncommitted))
        a.revert.setEnabled(can_edit and dirty)
        a.undo.setEnabled(can_edit and dirty)
        pending = ws.pending if ws is not None else ()
        undo_text = pending[-1].description if pending else ""
        a.undo.setText(f"&Undo {undo_text.lower()}" if undo_text else "&Undo")
        a.open_demo.setEnabled(self._launch_demo is not None)
        a.add_company.setEnabled(can_edit)
        a.add_channel.setEnabled(can_edit and selected is not None)
        a.remove.setEnabled(can_edit and selected is not None)
        editing = page is not None and page.panel.editing
        a.edit.setEnabled(can_edit and selected is not None and not editing)
        a.reauthorize.setEnabled(can_edit and selected is not None)
        a.test_connection.setEnabled(ws is not None and not ws.read_only and selected is not None)
        rows = page.model.rows if page is not None else None
        sync_action(a.test_all, rows, ws is not None and not ws.read_only)
        a.roll_back.setEnabled(can_edit and selected is not None)
        a.app_credentials.setEnabled(can_edit)
        a.history.setEnabled(selected is not None)  # read-only: also in a read-only copy
        a.export.setEnabled(ws is not None)
        a.import_file.setEnabled(can_edit)
        a.plan.setEnabled(ws is not None)  # reads; a read-only copy shows it too
        a.export_report.setEnabled(ws is not None)  # reads only: also in a read-only copy
        a.open_review.setEnabled(not self.saving)
        for action in (*a.quick.values(), a.find, a.expand, a.collapse):
            action.setEnabled(page is not None)
        star = "*" if dirty else ""
        self.setWindowTitle(f"{star}{title_label(ws)} — SP Connect")
        if self.saving:
            self.statusBar().showMessage("Saving…")
        if page is not None:
            page.panel.update_buttons()

    # --- saving -----------------------------------------------------------------------

    def save(self) -> bool:
        """Start saving on the database lane; :attr:`saveFinished` tells how it ended.

        Returns False when there was nothing to start (nothing pending, or already saving).
        """
        ws = self.workspace
        if ws is None or self.saving or not ws.is_dirty:
            return False
        self.saving = True
        self._on_state()
        self.runner.run(ws.save, self._saved, self._save_failed)
        return True

    def _saved(self, _result: object) -> None:
        self.saving = False
        log.info("saved")
        self._on_state()
        self.saveFinished.emit(True)

    def _save_failed(self, exc: BaseException) -> None:
        # The workspace keeps every change pending when a Save fails.
        self.saving = False
        self._on_state()
        self.saveFinished.emit(False)
        dialogs.report_error(self, exc)

    def _on_saved(self, ok: bool) -> None:
        if ok:
            self.statusBar().showMessage("Saved.", 5000)
            if self.page is not None:
                self.page.panel.set_editing(False)
            if self._close_after_save:
                self._close_after_save = False
                QTimer.singleShot(0, self.close)  # not from inside the Save's own signal
        else:
            self._close_after_save = False
            self.statusBar().showMessage("Not saved: your changes are still pending.")

    # --- closing ----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        ws = self.workspace
        if ws is not None and self.saving:
            self._close_after_save = True
            self.statusBar().showMessage("Saving… the window closes when it is done.")
            event.ignore()
            return
        if ws is not None and self.page is not None:
            self.page.panel.commit()
        if ws is not None and ws.is_dirty:
            answer = dialogs.ask_unsaved(self, len(ws.pending))
            if answer == "cancel":
                event.ignore()
                return
            if answer == "save":
                if self.save() and self.saving:  # on the database lane: close when it is done
                    self._close_after_save = True
                    event.ignore()
                    return
                if ws.is_dirty:  # the Save failed (and said why): stay open
                    event.ignore()
                    return
        self._save_settings()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop background work and close the inventory (a demo's folder and simulator go too).

        The one place it happens: running connection tests are told to stop starting new tests,
        the lanes stop (a Save in progress finishes first; a batch of test results already on
        the database lane too, later ones are dropped), the bridge delivers nothing more, then
        the workspace closes.
        """
        if self._closed:
            return
        self._closed = True
        for run in self.connection_tests:
            run.cancel()
        if self.page is not None:
            self.page.day_timer.stop()
        self.runner.shutdown()
        self.bridge.close()
        if self.workspace is not None:
            self.workspace.close()
        elif (opening := self._opening) is not None and opening.done() and not opening.exception():
            # Opened while the window was closing: nobody will show it, so close it here.
            opening.result()[0].close()

    # --- commands -------------------------------------------------------------------

    def run_command(self, name: str) -> None:
        """What every action calls (see gui.actions)."""
        if name == "quit":
            self.close()
        elif name == "about":
            dialogs.about(self, self.version())
        elif name == "open_review":
            review.open_for_review(self)
        elif name == "support_bundle":  # also with no inventory open: then it helps most
            support_bundle.create(self, self.version)
        elif name == "open_log_folder":  # works before an inventory is open, and in a review
            dialogs.open_log_folder(self)
        elif name == "open_demo":
            if self._launch_demo is not None:
                self._launch_demo()
                self.statusBar().showMessage("The demo opens in a separate window.", 5000)
        elif self.commands is not None:
            self.commands.run(name)
