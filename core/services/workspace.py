"""An open inventory: the saved state, the pending changes on top of it, and Save.

One name for one idea: a :class:`Workspace` is what every surface opens (the window, the demo,
the headless commands) with :func:`open_workspace` or :func:`core.services.demo.open_demo`, and
closes with :meth:`Workspace.close`.

Nothing a person does reaches the disk or the keychain until :meth:`Workspace.save`. Each edit
is a :class:`Change`; ``current`` is the saved inventory with every pending change applied.
Undo drops the last change, Revert all of them; a failed Save keeps every one.

Threads: edits come from the GUI thread, Save and health records run on the database lane (one
after the other, never interleaved; see :mod:`core.services.lanes`), secrets are read on the
network lane. A lock guards the in-memory state, never held across I/O; while a Save is writing,
edits are refused with a plain message instead of waiting for the disk or the keychain.

Listeners of :attr:`Workspace.changed` are told which companies and channels changed (one event
per edit, per Save, per batch of test results), in the thread that changed them, so a view can
update those rows instead of reloading everything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Self

from core.domain.changes import Change, Touched
from core.domain.errors import ReadOnlyError, SecretStoreError, UserFacingError
from core.domain.history import HistoryEntry
from core.domain.history_words import describe, describe_health
from core.domain.inventory import (
    Health,
    Inventory,
    utcnow,
)
from core.domain.secret import Secret
from core.services.deferred_keychain import secrets_unavailable
from core.services.events import Event
from core.services.save_plan import what_to_write
from core.storage.backups import DB_NAME
from core.storage.keychain import SecretStore, UnavailableSecretStore
from core.storage.plan_progress import merge_progress
from core.storage.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkspaceEvent:
    """What changed in ``current``: ids of companies and channels, and whether rows moved.

    ``channels`` names every channel whose row may look different: its own record, its
    authorization, its health, or its ``Unsaved`` mark (a change to a company or an
    authorization marks its channels too). ``structure`` means rows may have been added,
    removed or moved; ``reset`` that anything may have changed.
    """

    companies: frozenset[str]
    channels: frozenset[str]
    structure: bool
    reset: bool = False


#: What a person is told when an edit arrives while a Save is writing.
SAVING = "SP Connect is saving your changes."


class Workspace:
    """An open inventory plus its pending changes. Thread-safe (see the module docstring)."""

    def __init__(
        self,
        base: Inventory,
        secrets: SecretStore,
        store: Store | None = None,
        *,
        namespace: str = "review",
        read_only_reason: str | None = None,
        data_dir: Path | None = None,
        demo: bool = False,
    ) -> None:
        self._base = base
        self._current = base
        self._pending: list[Change] = []
        self._history: list[HistoryEntry | None] = []  # what each pending change did, in words
        self._retired: Inventory | None = None
        self._touched = Touched()
        self._lock = threading.RLock()
        self._saving = False
        self._closers: list[Callable[[], None]] = []
        self.secrets = secrets
        self.store = store
        self.namespace = namespace
        self.read_only_reason = read_only_reason
        self.data_dir = data_dir
        self.demo = demo
        #: Which rows changed; emitted in the thread that changed them (see core.services.events).
        self.changed: Event[WorkspaceEvent] = Event("workspace changed")

    @classmethod
    def open(cls, data_dir: Path, secrets: SecretStore, *, read_only: bool = False) -> Self:
        """Open the inventory in ``data_dir`` and remove keychain entries a crash left behind."""
        store = Store.open(data_dir, read_only=read_only)
        try:
            base = store.load()
            if not read_only and not isinstance(secrets, UnavailableSecretStore):
                try:
                    removed = store.collect_orphans(secrets)
                    if removed:
                        log.info("removed %d keychain entries left by an interrupted save", removed)
                except SecretStoreError:
                    log.warning("keychain clean-up postponed: the keychain is not available")
        except BaseException:
            store.close()
            raise
        reason = None
        if read_only:
            reason = "Another SP Connect window has this inventory open, so this one is read-only."
        return cls(
            base,
            secrets,
            store,
            namespace=store.inventory_id,
            read_only_reason=reason,
            data_dir=data_dir,
        )

    # --- state --------------------------------------------------------------------------

    @property
    def current(self) -> Inventory:
        """The inventory as it will be after Save. Treat it as read-only."""
        return self._current

    @property
    def saved(self) -> Inventory:
        """The inventory as last saved."""
        return self._base

    @property
    def data_file(self) -> Path | None:
        return self.data_dir / DB_NAME if self.data_dir is not None else None

    @property
    def is_dirty(self) -> bool:
        return bool(self._pending)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def saving(self) -> bool:
        """A Save is writing right now (edits are refused until it ends)."""
        return self._saving

    @property
    def secrets_problem(self) -> SecretStoreError | None:
        """Why no secret can be saved, or ``None`` (a deferred keychain is opened to know)."""
        return secrets_unavailable(self.secrets)

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(self._pending)

    def pending_channel_ids(self) -> frozenset[str]:
        """Channels whose row shows ``Unsaved``: changed themselves, or their company or grant."""
        with self._lock:
            return _marked(self._current, self._touched)

    def pending_company_ids(self) -> frozenset[str]:
        with self._lock:
            return frozenset(i for i in self._touched.companies if i in self._current.companies)

    def secret(self, ref: str) -> Secret | None:
        """A secret by reference: a pending value first, then the keychain.

        Safe from any thread; the keychain part may block (up to its timeout), so call it off
        the GUI thread.
        """
        with self._lock:
            for change in reversed(self._pending):
                for name, value in change.secrets:
                    if name == ref:
                        return value
        return self.secrets.get(ref)

    # --- changing -----------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Apply a change to ``current`` as a pending edit.

        Raises:
            ReadOnlyError: This copy cannot change the inventory.
            UserFacingError: A Save is writing, or the change was refused (ValidationError).
        """
        with self._lock:
            self._refuse_edits("Changes cannot be made here.")
            self._retired = None
            trial = self._current.copy()  # a change that raises half-way leaves no trace
            touched = change.apply(trial)
            self._history.append(
                describe(change.kind, change.description, self._current, trial, touched)
            )
            self._current = trial
            self._pending.append(change)
            self._touched.update(touched)
            event = self._event(touched, _marked(trial, touched), touched.structure)
        self.changed.emit(event)

    def try_apply(self, change: Change) -> UserFacingError | None:
        """:meth:`apply`, returning the refusal instead of raising it (for a dialog to show)."""
        try:
            self.apply(change)
        except UserFacingError as exc:
            return exc
        return None

    def undo(self) -> Change | None:
        """Drop the last pending change; returns it, or ``None`` when nothing is pending."""
        with self._lock:
            self._refuse_edits("Nothing was undone.")
            if not self._pending:
                return None
            before = self._marks()
            last = self._pending.pop()
            self._history.pop()
            self._replay()
            event = self._moved(before)
        self.changed.emit(event)
        return last

    def revert(self) -> None:
        """Drop every pending change."""
        with self._lock:
            self._refuse_edits("Nothing was reverted.")
            if not self._pending:
                return
            before = self._marks()
            self._pending.clear()
            self._history.clear()
            self._replay()
            event = self._moved(before)
        self.changed.emit(event)

    def _refuse_edits(self, what: str) -> None:
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason, what)
        if self._saving:
            raise UserFacingError(SAVING, "Wait a moment until it is done, then try again.")

    def _replay(self) -> None:
        self._current = self._base
        self._touched = Touched()
        if not self._pending:
            return
        working = self._base.copy()
        for change in self._pending:
            self._touched.update(change.apply(working))
        self._current = working

    def _marks(self) -> tuple[frozenset[str], frozenset[str]]:
        """Companies and channels that show ``Unsaved`` (or changed) right now."""
        t = self._touched
        return frozenset(t.companies), _marked(self._current, t) | frozenset(t.channels)

    def _moved(self, before: tuple[frozenset[str], frozenset[str]]) -> WorkspaceEvent:
        companies, channels = self._marks()
        return WorkspaceEvent(before[0] | companies, before[1] | channels, structure=True)

    @staticmethod
    def _event(touched: Touched, marked: frozenset[str], structure: bool) -> WorkspaceEvent:
        return WorkspaceEvent(
            frozenset(touched.companies), frozenset(touched.channels) | marked, structure
        )

    # --- saving -------------------------------------------------------------------------

    def save(self, at: datetime | None = None) -> None:
        """Write every pending change in one transaction; on failure, everything stays pending.

        The history of what changed is written in the same transaction, stamped ``at`` (now).

        Blocking (the disk and the keychain): run it on the database lane. Edits are refused
        while it writes.
        """
        with self._lock:
            if self.read_only_reason is not None:
                raise ReadOnlyError(self.read_only_reason, "Close the other window, then reopen.")
            if not self._pending:
                return
            if (problem := secrets_unavailable(self.secrets)) is not None:
                raise SecretStoreError(
                    f"Nothing was saved: {problem.message} Your changes are still pending.",
                    problem.next_step,
                )
            if self.store is None:
                raise ReadOnlyError("This inventory has no file to save to.", "Export it instead.")
            if self._saving:
                raise UserFacingError(SAVING, "Wait a moment until it is done.")
            store = self.store
            changes, new_secrets, superseded = what_to_write(
                self._base, self._current, self._touched, self._pending
            )
            companies, channels = self._marks()
            when = at or utcnow()
            history = [e.stamped(when) for e in self._history if e is not None]
            notes = [n for change in self._pending for n in change.progress]  # an import's
            self._saving = True
        try:
            store.save(changes, self.secrets, new_secrets, superseded, history,
                       lambda conn: merge_progress(conn, notes))  # fmt: skip
        finally:
            with self._lock:
                self._saving = False
        with self._lock:
            # Freeing the old snapshot's dicts costs time in proportion to the inventory; hand
            # that to the next edit (which copies the inventory anyway) so a Save costs only its
            # rows.
            self._retired = self._base
            self._base = self._current
            self._pending.clear()
            self._history.clear()
            self._touched = Touched()
        self.changed.emit(WorkspaceEvent(companies, channels, structure=False))

    # --- observations -------------------------------------------------------------------

    def record_health(self, updates: Mapping[str, Health]) -> None:
        """Store connection test outcomes at once, in one transaction, with one event.

        An observation, not a pending edit: it reaches the disk without Save and survives
        Revert. Blocking: run it on the database lane (so it never interleaves with a Save).
        A channel that is gone is skipped.
        """
        with self._lock:
            inventories = [self._base]
            if self._current is not self._base:
                inventories.append(self._current)
            known = {i: h for i, h in updates.items() if i in self._base.channels}
            history = [e for i, h in known.items() if (e := describe_health(self._base, i, h))]
            for inv in inventories:
                for channel_id, health in known.items():
                    channel = inv.channels.get(channel_id)
                    if channel is not None:
                        inv.channels[channel_id] = replace(channel, health=health)
            store = self.store
        if not known:
            return
        if store is not None and not store.read_only:
            store.record_health(known, history)
        self.changed.emit(WorkspaceEvent(frozenset(), frozenset(known), structure=False))

    # --- closing ------------------------------------------------------------------------

    def on_close(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the workspace closes (the demo stops its simulator there)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Close the inventory file, then run the closers (newest first). Idempotent."""
        if self.store is not None:
            self.store.close()
            self.store = None
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            closer()


def _marked(inventory: Inventory, touched: Touched) -> frozenset[str]:
    """Channels that show ``Unsaved`` for ``touched``: changed, or their company or grant was."""
    ids = set(touched.channels)
    if touched.companies or touched.authorizations:
        companies, auths = touched.companies, touched.authorizations
        ids.update(
            c.id
            for c in inventory.channels.values()
            if c.company_id in companies or c.authorization_id in auths
        )
    return frozenset(i for i in ids if i in inventory.channels)
