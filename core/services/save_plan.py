"""What one Save writes: the rows that changed, the new keychain entries, the superseded ones.

Kept apart from :mod:`core.services.workspace` because it is the Save protocol's arithmetic
(ARCHITECTURE.md, "Save"): the workspace decides *when* to save, this decides *what*, and the
store (:mod:`core.storage.store`) writes it keychain-first under a journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.domain.changes import Change, Touched
from core.domain.inventory import AppCredentials, Authorization, Channel, Inventory
from core.domain.secret import Secret
from core.storage.store import ChangeSet


def what_to_write(
    base: Inventory, cur: Inventory, t: Touched, pending: Sequence[Change]
) -> tuple[ChangeSet, dict[str, Secret], set[str]]:
    """The rows, the new keychain entries and the superseded entry names a Save writes.

    Only touched rows that end up different from ``base`` are written, so a Save costs its rows,
    not the inventory. Raises RuntimeError when a row points at a secret nobody gave a value
    for (a programming error, never the person's).
    """
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
    pending_values = {n: v for c in pending for n, v in c.secrets}
    new_secrets = {n: pending_values[n] for n in new_refs - old_refs if n in pending_values}
    missing = new_refs - old_refs - set(new_secrets)
    if missing:  # a programming error: a row points at a value nobody gave us
        raise RuntimeError(f"{len(missing)} new keychain reference(s) without a value")
    return changes, new_secrets, old_refs - new_refs


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
