"""The status bar's "Secrets: …" once a keychain opened after the window is known.

A window opens its inventory without opening the keychain
(:class:`core.services.deferred_keychain.DeferredKeychain`): its status bar says the keychain
is being asked, and this asks it on the database lane (opening it imports :mod:`keyring` and may
wait on the system), then describes the storage again, with the answer.
"""

from __future__ import annotations

from collections.abc import Callable

from core.services.deferred_keychain import secrets_known, secrets_unavailable
from core.services.workspace import Workspace
from gui.tasks import TaskRunner


def ask_keychain(
    runner: TaskRunner,
    workspace: Workspace,
    describe: Callable[[Workspace], None],
    current: Callable[[], Workspace | None],
) -> None:
    """Open ``workspace``'s keychain on the lane if it is not known yet, then ``describe`` it
    again, unless another inventory (``current``) was opened meanwhile."""
    if secrets_known(workspace.secrets):
        return

    def known(_result: object) -> None:
        if current() is workspace:
            describe(workspace)

    def failed(exc: BaseException) -> None:
        # A missing or refused keychain is an answer (saving is off), not an error: anything
        # raised is unexpected, and goes where unexpected errors go (the log, the crash dialog).
        raise exc

    runner.run(lambda: secrets_unavailable(workspace.secrets), known, failed)
