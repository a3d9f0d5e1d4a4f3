"""The unit of work: the saved inventory, the pending changes on top of it, and Save.

Nothing a person does reaches the disk or the keychain until :meth:`Workspace.save`. Each edit
is a :class:`Change`; ``current`` is the saved inventory with every pending change applied.
Undo drops the last change, Revert all of them; a failed Save keeps every one.

Listeners (the GUI's model) are told which companies and channels changed, so a view can update
those rows instead of reloading everything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from core.domain.changes import Change, Touched
from core.domain.errors import ReadOnlyError, SecretStoreError
from core.domain.inventory import (
    AppCredentials,
    Authorization,
    Channel,
    Health,
    Inventory,
)
from core.domain.secret import Secret
from core.services.events import Event
from core.storage.keychain import SecretStore, UnavailableSecretStore
from core.storage.store import ChangeSet, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkspaceEvent:
    """What changed in ``current``: ids of companies and channels, and whether rows moved."""

    companies: frozenset[str]
    channels: frozenset[str]
    structure: bool
    reset: bool = False  # everything may have changed (first load, revert)


class Workspace:
    """A loaded inventory plus its pending changes. Not thread-safe: use it from one thread."""

    def __init__(
        self,
        base: Inventory,
        secrets: SecretStore,
        store: Store | None = None,
        *,
        namespace: str = "review",
        read_only_reason: str | None = None,
    ) -> None:
        self._base = base
        self._current = base
        self._pending: list[Change] = []
        self._retired: Inventory | None = None
        self._touched = Touched()
        self.secrets = secrets
        self.store = store
        self.namespace = namespace
        self.read_only_reason = read_only_reason
        #: Which rows changed; emitted in the thread that changed them (see core.services.events).
        self.changed: Event[WorkspaceEvent] = Event("workspace changed")

    @classmethod
    def open(cls, data_dir: Path, secrets: SecretStore, *, read_only: bool = False) -> Workspace:
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
        return cls(base, secrets, store, namespace=store.inventory_id, read_only_reason=reason)

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
    def is_dirty(self) -> bool:
        return bool(self._pending)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(self._pending)

    def pending_channel_ids(self) -> frozenset[str]:
        """Channels whose row shows ``Unsaved``: changed themselves, or their company or grant."""
        ids = set(self._touched.channels)
        cur = self._current
        if self._touched.companies or self._touched.authorizations:
            companies = self._touched.companies
            auths = self._touched.authorizations
            ids.update(
                c.id
                for c in cur.channels.values()
                if c.company_id in companies or c.authorization_id in auths
            )
        return frozenset(i for i in ids if i in cur.channels)

    def pending_company_ids(self) -> frozenset[str]:
        return frozenset(i for i in self._touched.companies if i in self._current.companies)

    def secret(self, ref: str) -> Secret | None:
        """A secret by reference: a pending value first, then the keychain (may block)."""
        for change in reversed(self._pending):
            for name, value in change.secrets:
                if name == ref:
                    return value
        return self.secrets.get(ref)

    # --- changing -----------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Apply a change to ``current`` as a pending edit; raises ValidationError if refused."""
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason, "Changes cannot be made here.")
        self._retired = None
        trial = self._current.copy()  # a change that raises half-way leaves no trace
        touched = change.apply(trial)
        self._current = trial
        self._pending.append(change)
        self._touched.update(touched)
        self._emit(touched)

    def undo(self) -> Change | None:
        """Drop the last pending change; returns it, or ``None`` when nothing is pending."""
        if not self._pending:
            return None
        last = self._pending.pop()
        self._replay()
        self._emit(None)
        return last

    def revert(self) -> None:
        """Drop every pending change."""
        if not self._pending:
            return
        self._pending.clear()
        self._replay()
        self._emit(None)

    def _replay(self) -> None:
        self._current = self._base
        self._touched = Touched()
        if not self._pending:
            return
        working = self._base.copy()
        for change in self._pending:
            self._touched.update(change.apply(working))
        self._current = working

    def save(self) -> None:
        """Write every pending change in one transaction; on failure, everything stays pending."""
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.read_only_reason, "Close the other window, then reopen.")
        if not self._pending:
            return
        if isinstance(self.secrets, UnavailableSecretStore):
            raise SecretStoreError(
                f"Nothing was saved: {self.secrets.error.message} Your changes are still pending.",
                self.secrets.error.next_step,
            )
        if self.store is None:
            raise ReadOnlyError("This inventory has no file to save to.", "Export it instead.")
        changes, new_secrets, superseded = self._change_set()
        self.store.save(changes, self.secrets, new_secrets, superseded)
        # Freeing the old snapshot's dicts costs time in proportion to the inventory; hand that
        # to the next edit (which copies the inventory anyway) so a Save costs only its rows.
        self._retired = self._base
        self._base = self._current
        self._pending.clear()
        self._touched = Touched()
        self._emit(None, structure=False)

    def _change_set(self) -> tuple[ChangeSet, dict[str, Secret], set[str]]:
        base, cur, t = self._base, self._current, self._touched
        changes = ChangeSet(
            companies={i: cur.companies.get(i) for i in t.companies},
            channels={i: cur.channels.get(i) for i in t.channels},
            authorizations={i: cur.authorizations.get(i) for i in t.authorizations},
            app=cur.app if t.app and cur.app != base.app else None,
            base=base,
        )
        # Drop rows that end up as they were (for example an edit followed by its opposite).
        for table, before in (
            (changes.companies, base.companies),
            (changes.channels, base.channels),
            (changes.authorizations, base.authorizations),
        ):
            for key in [k for k, v in table.items() if v == before.get(k)]:
                del table[key]
        old_refs = _refs(
            [base.channels.get(i) for i in t.channels],
            [base.authorizations.get(i) for i in t.authorizations],
            base.app if t.app else None,
        )
        new_refs = _refs(
            [cur.channels.get(i) for i in t.channels],
            [cur.authorizations.get(i) for i in t.authorizations],
            cur.app if t.app else None,
        )
        pending_values = {n: v for c in self._pending for n, v in c.secrets}
        new_secrets = {n: pending_values[n] for n in new_refs - old_refs if n in pending_values}
        missing = new_refs - old_refs - set(new_secrets)
        if missing:  # a programming error: a row points at a value nobody gave us
            raise RuntimeError(f"{len(missing)} new keychain reference(s) without a value")
        return changes, new_secrets, old_refs - new_refs

    def record_health(self, channel_id: str, health: Health) -> None:
        """Store a connection test's outcome at once (an observation, not a pending edit)."""
        inventories = [self._base] if self._current is self._base else [self._base, self._current]
        for inv in inventories:
            channel = inv.channels.get(channel_id)
            if channel is not None:
                inv.channels[channel_id] = replace(channel, health=health)
        if self.store is not None and not self.store.read_only:
            self.store.record_health(channel_id, health)
        self._emit(Touched(channels={channel_id}))

    def _emit(self, touched: Touched | None, structure: bool = True) -> None:
        if touched is None:
            event = WorkspaceEvent(frozenset(), frozenset(), structure, reset=True)
        else:
            event = WorkspaceEvent(
                frozenset(touched.companies), frozenset(touched.channels), touched.structure
            )
        self.changed.emit(event)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def _refs(
    channels: Iterable[Channel | None],
    auths: Iterable[Authorization | None],
    app: AppCredentials | None,
) -> set[str]:
    refs = {c.mws_auth_token_ref for c in channels if c is not None and c.mws_auth_token_ref}
    refs.update(a.refresh_token_ref for a in auths if a is not None and a.refresh_token_ref)
    if app is not None and app.client_secret_ref:
        refs.add(app.client_secret_ref)
    return refs
