"""What the window's actions do: Save, Revert, Undo, add, edit, remove, filter.

Every change goes to the open :class:`~core.services.workspace.Workspace` as a pending edit (a
refusal is shown); questions go through :mod:`gui.dialogs` (tests replace those functions).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar, QWidget

from core.domain import changes, marketplaces
from core.domain.errors import UserFacingError
from core.domain.inventory import Channel, Company, new_id
from core.services.view.rows import QuickFilter
from core.services.workspace import SAVING, Workspace
from gui import dialogs
from gui.exchange.flow import ExchangeFlow

if TYPE_CHECKING:
    from core.services.consent import ConsentAttempts
    from gui.bridge import Bridge
    from gui.checks.test_all import TestAll
    from gui.inventory.page import InventoryPage
from gui.tasks import TaskRunner


class Window(Protocol):
    """What the commands use of the main window (a protocol: the window imports this module)."""

    saving: bool
    runner: TaskRunner
    bridge: Bridge
    consent_attempts: ConsentAttempts
    connection_tests: list[Any]
    version: Callable[[], str]

    def statusBar(self) -> QStatusBar: ...

    def update_actions(self) -> None: ...

    def save(self) -> bool: ...


log = logging.getLogger(__name__)

#: The marketplace a new channel gets: the first of these its company does not have yet.
_PREFERRED = ("US", "UK", "DE", "CA", "FR", "IT", "ES", "MX", "JP", "AU", "NL", "SE", "PL")


class Commands:
    def __init__(self, window: Window, workspace: Workspace, page: InventoryPage) -> None:
        self.window, self.ws, self.page = window, workspace, page
        # Dialogs need a parent widget: the window is one (the protocol cannot say so).
        self.parent = window if isinstance(window, QWidget) else None
        self.test_all: TestAll | None = None  # the one Test all of this window, once asked
        self.exchange: ExchangeFlow | None = None  # File > Export and Import, once asked

    def apply(self, change: changes.Change) -> bool:
        """Apply a change; a refusal is shown to the person. True when it was applied."""
        error = self.try_apply(change)
        if error is not None:
            dialogs.show_error(self.parent, error)
            return False
        return True

    def try_apply(self, change: changes.Change) -> UserFacingError | None:
        """Apply a change, or say why not (read-only, or the window is saving)."""
        if self.window.saving:
            return UserFacingError(SAVING, "Wait a moment until it is done, then try again.")
        return self.ws.try_apply(change)

    def run(self, name: str) -> None:
        if name.startswith("quick:"):
            self.page.set_quick(QuickFilter(name.removeprefix("quick:")))
            return
        handler: Callable[[], None] | None = getattr(self, f"do_{name}", None)
        if handler is None:
            log.warning("no command %s", name)
            return
        handler()

    # --- files ------------------------------------------------------------------------

    def _exchange(self) -> ExchangeFlow:
        if self.exchange is None:
            w = self.window
            self.exchange = ExchangeFlow(
                self.parent, self.ws, w.runner, w.statusBar, self.apply, w.version()
            )
        return self.exchange

    def do_export(self) -> None:
        self._exchange().export()

    def do_import_file(self) -> None:
        self._exchange().import_file()

    # --- saving -----------------------------------------------------------------------

    def do_save(self) -> None:
        panel = self.page.panel
        if not panel.commit():
            return  # the field's message says what is wrong
        if not self.window.save():
            panel.set_editing(False)  # nothing was pending: just leave edit mode
        self.window.update_actions()

    def do_revert(self) -> None:
        panel = self.page.panel
        if self.ws.is_dirty:
            if not dialogs.confirm_revert(self.parent, len(self.ws.pending)):
                return
            panel.set_editing(False)  # commits nothing new: the fields are reloaded below
            self._refused(self.ws.revert)
        panel.set_editing(False)
        panel.refresh()
        self.window.statusBar().showMessage("Reverted to the saved inventory.", 5000)

    def do_undo(self) -> None:
        pending = self.ws.pending
        text = pending[-1].description if pending else ""
        self._refused(self.ws.undo)
        if text:
            self.window.statusBar().showMessage(f"Undone: {text}.", 5000)

    # --- adding and removing ----------------------------------------------------------

    def do_add_company(self) -> None:
        names = {c.name for c in self.ws.current.companies.values()}
        name, n = "New company", 1
        while name in names:
            n += 1
            name = f"New company {n}"
        company = Company(new_id(), name)
        if self.apply(changes.add_company(company)):
            self._select_and_edit("company", company.id)
            self.window.statusBar().showMessage(
                "Company added. Name it, then add its channels with Add channel.", 8000
            )

    def do_add_channel(self) -> None:
        inv = self.ws.current
        company = self._selected_company()
        if company is None:
            dialogs.show_error(
                self.parent,
                UserFacingError("Select a company first.", "Then choose Add channel again."),
            )
            return
        taken = {c.marketplace_id for c in inv.channels_of(company.id)}
        codes = [*_PREFERRED, *(m.code for m in marketplaces.MARKETPLACES)]
        market = next((m for c in codes if (m := marketplaces.by_country(c)).id not in taken), None)
        if market is None:
            dialogs.show_error(
                self.parent,
                UserFacingError(f"{company.name} already has a channel in every marketplace."),
            )
            return
        channel = Channel(new_id(), company.id, market.id, name=f"{company.name} {market.code}")
        if self.apply(changes.add_channel(channel)):
            self._select_and_edit("channel", channel.id)
            self.window.statusBar().showMessage(
                "Channel added. Choose its marketplace and enter its Seller ID.", 8000
            )

    def do_remove(self) -> None:
        selected = self.page.current()
        if selected is None:
            return
        kind, item_id = selected
        inv = self.ws.current
        if kind == "company":
            company = inv.companies[item_id]
            count = sum(1 for _ in inv.channels_of(item_id))
            noun = "channel" if count == 1 else "channels"
            what = f'the company "{company.name}"'
            consequence = f"Its {count} {noun} go with it." if count else "It has no channels."
            change = changes.remove_company(item_id)
        else:
            channel = inv.channels[item_id]
            what = f'the channel "{channel.name or channel.marketplace.label}"'
            consequence = (
                "Its authorization goes too if no other channel uses it, and so do its "
                "secrets in the keychain once you Save."
            )
            change = changes.remove_channel(item_id)
        if dialogs.confirm_remove(self.parent, what, consequence) and self.apply(change):
            self.window.statusBar().showMessage(
                f"Removed {what}. Save to make it final, or Undo (Ctrl+Z) to bring it back.",
                8000,
            )

    def _selected_company(self) -> Company | None:
        selected = self.page.current()
        inv = self.ws.current
        if selected is None:
            return None
        kind, item_id = selected
        if kind == "company":
            return inv.companies.get(item_id)
        channel = inv.channels.get(item_id)
        return inv.companies.get(channel.company_id) if channel else None

    def _select_and_edit(self, kind: str, item_id: str) -> None:
        self.page.select(kind, item_id)
        self.page.panel.show_item(kind, item_id)
        self.page.panel.set_editing(True)
        self.window.update_actions()

    # --- the rest ---------------------------------------------------------------------

    def do_edit(self) -> None:
        self.page.panel.set_editing(True)
        self.window.update_actions()

    def do_find(self) -> None:
        self.page.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.page.filter_edit.selectAll()

    # --- Amazon -------------------------------------------------------------------------

    def _selected_channel_ids(self) -> list[str]:
        """The selected channel, or every channel of the selected company and its children."""
        selected = self.page.current()
        if selected is None:
            return []
        kind, item_id = selected
        if kind == "channel":
            return [item_id]
        inv = self.ws.current
        companies = [item_id, *(c.id for c in inv.children_of(item_id))]
        return [c.id for company_id in companies for c in inv.channels_of(company_id)]

    def do_reauthorize(self) -> None:
        from core.domain.inventory import utcnow
        from core.domain.plan import build_plan
        from core.services.consent import ConsentTarget
        from gui.reauthorize.dialog import open_reauthorize

        selected = self.page.current()
        ids = self._selected_channel_ids()
        if selected is None or not ids:
            dialogs.show_error(
                self.parent,
                UserFacingError(
                    "This company has no channels to authorize.", "Add a channel first."
                ),
            )
            return
        inv = self.ws.current
        if selected[0] == "channel":
            target = ConsentTarget.for_channel(inv, ids[0])
        else:
            # A company: the first consent of its plan (one per seller and region).
            plan = build_plan(inv, utcnow(), selected=ids)
            target = (
                ConsentTarget.from_plan_item(plan[0])
                if plan
                else ConsentTarget.for_channel(inv, ids[0])
            )
            if len(plan) > 1:
                self.window.statusBar().showMessage(
                    f"This company needs {len(plan)} consents (one per seller and region); "
                    "this is the first. Choose Reauthorize again for the next.",
                    10000,
                )
        open_reauthorize(
            self.parent,
            self.ws,
            target,
            runner=self.window.runner,
            apply=self.try_apply,
            attempts=self.window.consent_attempts,
        )

    def do_plan(self) -> None:
        from gui.plan.opening import open_plan_of

        w = self.window
        open_plan_of(
            self.parent, self.ws, runner=w.runner, attempts=w.consent_attempts, apply=self.try_apply
        )

    def do_test_connection(self) -> None:
        from gui.checks import start_connection_test

        window = self.window
        start_connection_test(
            self.parent,
            self.ws,
            self._selected_channel_ids(),
            runner=window.runner,
            bridge=window.bridge,
            status_bar=window.statusBar(),
            running=window.connection_tests,
        )

    def do_test_all(self) -> None:
        from gui.checks.test_all import TestAll

        rows = self.page.model.rows
        if rows is not None:
            window = self.window
            self.test_all = self.test_all or TestAll()
            self.test_all.trigger(
                self.parent, self.ws, rows, runner=window.runner, bridge=window.bridge,
                status_bar=window.statusBar(), running=window.connection_tests,
            )  # fmt: skip

    def do_roll_back(self) -> None:
        from gui.inventory.rollback import roll_back

        saving, bar = self.window.saving, self.window.statusBar()
        ids = self._selected_channel_ids()
        roll_back(self.parent, self.ws, ids, apply=self.try_apply, saving=saving, status_bar=bar)

    def do_app_credentials(self) -> None:
        from gui.credentials.dialog import open_app_credentials

        open_app_credentials(self.parent, self.ws, apply=self.try_apply)

    def do_history(self) -> None:
        from gui.history import open_history

        selected = self.page.current()
        if selected is not None:
            open_history(self.parent, self.ws, *selected, runner=self.window.runner)

    def _refused(self, edit: Callable[[], object]) -> None:
        """Run Undo or Revert; a refusal (read-only, saving) is shown, never raised."""
        if self.window.saving:
            return
        try:
            edit()
        except UserFacingError as exc:
            dialogs.show_error(self.parent, exc)

    def do_export_report(self) -> None:
        from gui.report_export import export_report  # Qt's PDF and SVG code only when asked

        export_report(self.parent, self.ws, self.window.runner, self.window.statusBar())

    def do_expand(self) -> None:
        self.page.view.expandAll()

    def do_collapse(self) -> None:
        self.page.view.collapseAll()
