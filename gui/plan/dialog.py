"""The Reauthorization plan as a checklist, for support staff on a call with a seller.

One row per consent (one seller in one region), with its state; below it what the person on
the phone needs for the selected one: the Seller Central site to sign in at, the account to
select, the marketplaces and channels it covers and why, and the state with when it changed.
From a row: Reauthorize (the usual dialog, for that consent's channels), Copy link (the same
dialog, with its link made and copied: the dialog stays open to receive the seller's answer,
so a link sent is never one nobody listens for) and Set state by hand.

States move by themselves where the app knows (:mod:`core.services.plan_view`): Copy link (the
plan's, or that of a Reauthorize dialog opened here) marks the row *link sent*, such a dialog
that ends in an error or a wrong account marks it *failed* with its plain reason, and a consent
saved for the seller and region makes it *done*, listed as such for the rest of the day once
its channels are healthy. That needs a note of the item: one authorized from here always has
one; one authorized from the tree has one only if its state was noted before, otherwise it
simply leaves the plan, as it did before the plan had states. The rows follow every Save and
test as it happens (workspace events through the bridge). Notes are written on the database
lane; nothing here waits for the disk.

Not modal: the person keeps the window in reach. Open it with :func:`open_plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import UserFacingError
from core.domain.inventory import Channel, Inventory
from core.domain.plan_progress import PlanEntry, PlanState
from core.services.consent import ConsentTarget
from core.services.plan_command import state_short, state_words
from core.services.plan_view import PlanProgress
from core.services.workspace import Workspace, WorkspaceEvent
from gui import dialogs
from gui.bridge import Bridge
from gui.plan.details import details_text, summary_text
from gui.plan.rebuilds import Coalesced
from gui.tasks import TaskRunner
from gui.text import plain_label, tooltip

COLUMNS = ("State", "Consent", "Sign in at")
#: Opens the Reauthorize dialog for a consent, parented to the given widget.
Reauthorize = Callable[[ConsentTarget, QWidget], QDialog]


class PlanDialog(QDialog):
    """The plan of one workspace with each consent's state."""

    def __init__(
        self,
        workspace: Workspace,
        progress: PlanProgress,
        *,
        runner: TaskRunner,
        reauthorize: Reauthorize,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.progress, self.runner = workspace, progress, runner
        self._reauthorize = reauthorize
        self._closed = False
        self.entries: list[PlanEntry] = []
        self._seen: dict[str, Channel] = {}  # the saved channels the rows were built from
        self._seen_inventory: Inventory | None = None
        self.consent_dialogs: dict[str, QDialog] = {}
        self.setWindowTitle("Reauthorization plan — SP Connect")
        self.setAccessibleName("Reauthorization plan")
        self.setMinimumSize(900, 600)

        self.heading = plain_label("Reauthorization plan")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(font)
        self.status = plain_label("Reading the plan's progress…")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Consents, in order")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.details = plain_label()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("The selected consent")
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.reauthorize_button = QPushButton("&Reauthorize…")
        self.reauthorize_button.setToolTip(
            "Open Reauthorize for this consent: Amazon's consent page in your browser."
        )
        self.copy_button = QPushButton("&Copy link")
        self.copy_button.setToolTip(
            "Make this consent's link and copy it, to send to the seller; it works once, for "
            "10 minutes. Reauthorize stays open to receive the seller's answer."
        )
        self.state_box = QComboBox()
        self.state_box.setAccessibleName("State")
        for state in PlanState:
            self.state_box.addItem(state.words)  # in PlanState's order
        state_label = QLabel("&State:")
        state_label.setBuddy(self.state_box)
        self.set_state_button = QPushButton("Se&t state")
        self.set_state_button.setToolTip("Note the chosen state for this consent; it is kept.")
        actions = QHBoxLayout()
        actions.addWidget(self.reauthorize_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        actions.addWidget(state_label)
        actions.addWidget(self.state_box)
        actions.addWidget(self.set_state_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 2)
        selected = QGroupBox("The selected consent")
        inner = QVBoxLayout(selected)
        inner.addWidget(self.details, 1)
        inner.addLayout(actions)
        layout.addWidget(selected, 1)
        layout.addWidget(buttons)

        self.table.currentCellChanged.connect(lambda *_: self._show_current())
        self.reauthorize_button.clicked.connect(self.reauthorize_current)
        self.copy_button.clicked.connect(self.copy_link)
        self.set_state_button.clicked.connect(self._set_chosen_state)
        # Saves, tests and notes come from other threads: through a bridge closed in done().
        self._rebuilds = Coalesced(
            runner, self._rebuild, lambda built: self._show_entries(*built), self._load_failed
        )
        self.bridge = Bridge(self)
        self.bridge.listen(workspace.changed, self._on_changed)
        self.bridge.listen(progress.changed, lambda _key: self.refresh())
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- loading and showing ------------------------------------------------------------

    def load(self) -> None:
        """Read the stored states on the database lane; the rows follow when they arrive."""
        self.runner.run(self.progress.load, lambda _: self._loaded(), self._load_failed)

    def _loaded(self) -> None:
        if not self._closed:
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        if not isinstance(exc, UserFacingError):
            dialogs.report_error(self, exc)
            return
        self.status.setText(f"{exc.message} {exc.next_step}".strip())

    def _on_changed(self, event: WorkspaceEvent) -> None:
        """A Save or a test result may change the plan; an unsaved edit does not (the plan is
        the saved inventory's), and at 50,000 channels a rebuild costs about half a second."""
        saved = self.workspace.saved
        if event.reset or saved is not self._seen_inventory:  # a Save makes a new one
            self._refresh_soon()
            return
        seen = self._seen  # test results replace channels in place
        if any(saved.channels.get(i) is not seen.get(i) for i in event.channels):
            self._refresh_soon()

    def _refresh_soon(self) -> None:
        """Rebuild off the GUI thread: at 50,000 channels a rebuild costs about half a second,
        and a Test all records a batch every few seconds."""
        self._seen_inventory = self.workspace.saved
        self._seen = dict(self._seen_inventory.channels)
        self._rebuilds.request()

    def _rebuild(self) -> tuple[list[PlanEntry], datetime]:
        self.progress.load()  # an import's Save writes the states it brought (a few rows)
        when = self.progress.clock()
        return self.progress.entries(when), when

    def refresh(self, now: datetime | None = None) -> None:
        """Rebuild the rows from the saved inventory and the notes; the selection stays."""
        if self._closed:
            return
        when = now or self.progress.clock()
        self._seen_inventory = self.workspace.saved
        self._seen = dict(self._seen_inventory.channels)
        self._show_entries(self.progress.entries(when), when)

    def _show_entries(self, entries: list[PlanEntry], when: datetime) -> None:
        current = self.current_entry()
        keep = current.key if current is not None else None
        self.entries = entries
        self.table.setRowCount(len(self.entries))
        for r, entry in enumerate(self.entries):
            texts = (state_short(entry, when), entry.title, str(entry.fields["seller_central_url"]))
            tips = (state_words(entry, when), entry.title, texts[2])
            for c, (text, tip) in enumerate(zip(texts, tips, strict=True)):
                item = QTableWidgetItem(text)  # an item's text is never markup
                item.setToolTip(tooltip(tip))
                self.table.setItem(r, c, item)
        self.status.setText(summary_text(self.entries, self.progress.why_not()))
        done = sum(e.state is PlanState.DONE for e in self.entries)
        left = len(self.entries) - done
        self.heading.setText(
            f"Reauthorization plan: {left} left, {done} done"
            if self.entries
            else "Reauthorization plan: nothing to do"
        )
        keys = [e.key for e in self.entries]
        row = keys.index(keep) if keep in keys else 0
        if self.entries:
            self.table.setCurrentCell(row, self.table.currentColumn() if keep in keys else 0)
        self._show_current(when)

    def current_entry(self) -> PlanEntry | None:
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select(self, key: str) -> bool:
        """Select the row of ``key``; False when it is not listed."""
        keys = [e.key for e in self.entries]
        if key not in keys:
            return False
        self.table.setCurrentCell(keys.index(key), 0)
        return True

    def _show_current(self, now: datetime | None = None) -> None:
        entry = self.current_entry()
        when = now or self.progress.clock()
        self.details.setText(details_text(entry, when) if entry is not None else "")
        can_note = self.progress.why_not() is None
        in_plan = entry is not None and entry.in_plan
        self.reauthorize_button.setEnabled(in_plan and not self.workspace.read_only)
        self.copy_button.setEnabled(in_plan and not self.workspace.read_only)
        self.state_box.setEnabled(in_plan and can_note)
        self.set_state_button.setEnabled(in_plan and can_note)
        if entry is not None:
            self.state_box.setCurrentIndex(list(PlanState).index(entry.state))

    # --- actions ------------------------------------------------------------------------

    def reauthorize_current(self) -> QDialog | None:
        """Open Reauthorize for the selected consent (or bring its open one forward)."""
        entry = self.current_entry()
        if entry is None or entry.plan_item is None:
            return None
        open_one = self.consent_dialogs.get(entry.key)
        if open_one is not None and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            return open_one
        missing = [
            i for i in entry.plan_item.channel_ids if i not in self.workspace.current.channels
        ]
        if missing:
            dialogs.show_error(
                self,
                UserFacingError(
                    "A channel of this consent is removed in your unsaved changes.",
                    "Save or Revert first, then reauthorize from the plan.",
                ),
            )
            return None
        key = entry.key
        dialog = self._reauthorize(ConsentTarget.from_plan_item(entry.plan_item), self)
        self.consent_dialogs[key] = dialog
        dialog.finished.connect(lambda _result: self._consent_ended(key, dialog))
        authorized = getattr(dialog, "authorized", None)
        if authorized is not None:
            authorized.connect(lambda _result: self._keep(key))
        # The dialog's own Copy link sends the link as much as the plan's does.
        for page in (getattr(dialog, "start_page", None), getattr(dialog, "waiting_page", None)):
            button = getattr(page, "copy_button", None)
            if isinstance(button, QPushButton):
                button.clicked.connect(lambda _checked=False: self._link_copied(key, dialog))
        return dialog

    def copy_link(self) -> None:
        """Make the selected consent's link in its Reauthorize dialog, copy it, mark it sent."""
        from core.services.consent.calls import cannot_start

        entry = self.current_entry()
        if entry is None or entry.plan_item is None:
            return
        problem = cannot_start(self.workspace)
        if problem is not None:  # no app credentials, no redirect: plainly, before any dialog
            dialogs.show_error(self, problem)
            return
        dialog = self.reauthorize_current()
        if dialog is None:
            return
        start = getattr(dialog, "start_page", None)
        if start is None:
            return
        start.copy_button.click()  # the dialog's own Copy link: the link, the clipboard, the note

    def _link_copied(self, key: str, dialog: QDialog) -> None:
        session = getattr(dialog, "session", None)
        if not self._closed and session is not None and session.url is not None:
            self._note(key, PlanState.LINK_SENT)

    def _set_chosen_state(self) -> None:
        entry = self.current_entry()
        index = self.state_box.currentIndex()
        if entry is not None and index >= 0:
            self._note(entry.key, list(PlanState)[index])

    def _consent_ended(self, key: str, dialog: QDialog) -> None:
        """A Reauthorize dialog opened here closed: an error or a wrong account is *failed*."""
        if self.consent_dialogs.get(key) is dialog:
            del self.consent_dialogs[key]
        if self._closed or getattr(dialog, "outcome", None) not in ("error", "wrong_account"):
            return
        page = getattr(dialog, "result_page", None)
        html = page.text.text() if page is not None else ""
        lines = QTextDocumentFragment.fromHtml(html).toPlainText().splitlines()
        reason = next((line.strip() for line in lines if line.strip()), "The consent failed.")
        self._note(key, PlanState.FAILED, reason)

    def _keep(self, key: str) -> None:
        """A grant is pending: keep the item (its state unchanged) so that, once saved and out
        of the plan, it is listed as done for the rest of the day."""
        entry = next((e for e in self.entries if e.key == key), None)
        if entry is not None and entry.state_changed_at is None and not self._closed:
            self._note(key, entry.state, entry.reason)

    def _note(self, key: str, state: PlanState, reason: str = "") -> None:
        refusal = self.progress.why_not()
        if refusal is not None:
            dialogs.show_error(self, refusal)
            return
        self.runner.run(
            lambda: self.progress.set_state(key, state, reason),
            lambda _entry: self.refresh(),
            self._note_failed,
        )

    def _note_failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        if isinstance(exc, UserFacingError):
            dialogs.show_error(self, exc)
        else:
            dialogs.report_error(self, exc)

    # --- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Every way out; a Reauthorize dialog opened here ends its consent with it."""
        self._closed = True
        self._rebuilds.stop()
        self.bridge.close()
        for consent in list(self.consent_dialogs.values()):
            consent.reject()
        self.consent_dialogs.clear()
        super().done(result)
