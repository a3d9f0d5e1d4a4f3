"""The history of saved changes: what changed, when and why, in plain words.

Every Save records one :class:`HistoryEntry` per pending change it writes, and a connection
test records one whenever a channel's check result changes (not on every identical result, so
a daily test of a healthy channel does not flood its history). An entry names the companies,
channels and authorizations it touched, so each one's history can be read back.

A description never holds a secret, nor a keychain entry name: a replaced token reads
"replaced", never its value or where it is kept. Words are built in
:mod:`core.domain.history_words`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class HistoryKind(StrEnum):
    """Why something changed. The value is stored; :data:`KIND_WORDS` is what a person reads."""

    CONSENT = "consent"  # a new authorization from a consent or a self-authorization
    TEST = "test"  # a connection test found a different result
    EDIT = "edit"  # a person changed a field, added or removed something
    IMPORT = "import"  # a whole inventory was loaded (the demo, a first import)
    ROLLBACK = "rollback"  # channels went back to the authorization they had before
    RESTORE = "restore"  # a backup was put back


KIND_WORDS: dict[HistoryKind, str] = {
    HistoryKind.CONSENT: "Authorization",
    HistoryKind.TEST: "Connection test",
    HistoryKind.EDIT: "Edit",
    HistoryKind.IMPORT: "Import",
    HistoryKind.ROLLBACK: "Roll back",
    HistoryKind.RESTORE: "Restore",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change. ``at`` is set when it is saved (``None`` while it is pending).

    ``description`` is plain words, one line per thing that changed; its first line sums it up.
    """

    kind: HistoryKind
    description: str
    companies: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    authorizations: frozenset[str] = frozenset()
    at: datetime | None = None

    @property
    def summary(self) -> str:
        """The first line of the description."""
        return self.description.split("\n", 1)[0]

    def stamped(self, at: datetime) -> HistoryEntry:
        return replace(self, at=at)


@dataclass(frozen=True, slots=True)
class AuthorizationVersion:
    """One authorization in a channel's chain of versions (newest first), for the History view.

    ``current`` is the one the channel uses; ``kept`` means its refresh token is still kept in
    the keychain, so Roll back can return to it. No secret and no entry name here.
    """

    id: str
    seller_id: str
    region: str
    store_name: str
    source: str
    granted_at: datetime
    expires_at: datetime
    expiry_confirmed: bool
    current: bool
    kept: bool
