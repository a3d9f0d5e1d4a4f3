"""Error types shared by the whole core.

Three kinds, as the GUI treats them:

* :class:`UserFacingError` (and subclasses): shown to the person. ``message`` says what happened
  and ``next_step`` the one thing to do about it, in plain words. Never holds a secret.
* :class:`Cancelled`: the person cancelled; nothing to show.
* anything else: a bug; the GUI shows the crash dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class UserFacingError(Exception):
    """An error the person can understand and act on."""

    def __init__(self, message: str, next_step: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.next_step = next_step

    def __str__(self) -> str:
        if self.next_step:
            return f"{self.message} {self.next_step}"
        return self.message


class Cancelled(Exception):
    """The person cancelled the operation; nothing is shown."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation problem, tied to the field it concerns."""

    field: str
    message: str
    warning: bool = False  # a warning lets the value through; an error refuses it


class ValidationError(UserFacingError):
    """One or more fields are not acceptable; nothing was changed."""

    def __init__(self, errors: Sequence[FieldError], what: str = "The entry") -> None:
        self.errors = tuple(e for e in errors if not e.warning)
        first = self.errors[0].message if self.errors else "It is not valid."
        more = f" ({len(self.errors) - 1} more problem(s).)" if len(self.errors) > 1 else ""
        super().__init__(f"{what} was not accepted: {first}{more}", "Correct it and try again.")


class SecretStoreError(UserFacingError):
    """The keychain is missing, locked, refused access or did not answer."""


class KeychainNotAnswering(SecretStoreError):
    """A keychain call timed out: the keychain is locked behind a prompt, or hung.

    Every later call would queue behind the stuck one and time out too, so whoever gets this
    stops calling the keychain for now; the keychain journal remembers what to clean up.
    """


class StoreError(UserFacingError):
    """The inventory database cannot be read or written."""


class StoreLockedError(StoreError):
    """Another running copy of SP Connect has this inventory open."""


class CorruptStoreError(StoreError):
    """The database file is damaged; ``backups`` lists what can be restored, newest first."""

    def __init__(self, message: str, next_step: str, backups: Sequence[str] = ()) -> None:
        super().__init__(message, next_step)
        self.backups = tuple(backups)


class NewerStoreError(CorruptStoreError):
    """The database was written by a newer SP Connect than this one."""


class ReadOnlyError(UserFacingError):
    """The inventory is open read-only (review mode, or another copy holds the lock)."""
