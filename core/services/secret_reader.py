"""Reading secrets on a worker thread without touching the (GUI-thread-only) workspace.

:meth:`core.services.workspace.Workspace.secret` looks at the pending changes first and then the
keychain, which may block for seconds. The workspace is not thread-safe, so the GUI thread takes
a snapshot of the pending secret values and hands a reader to the worker: the worker then asks
the snapshot, and only then the secret store (which is thread-safe and bounds each call).
"""

from __future__ import annotations

from collections.abc import Callable

from core.domain.secret import Secret
from core.services.workspace import Workspace

SecretReader = Callable[[str], Secret | None]


def secret_reader(workspace: Workspace) -> SecretReader:
    """A reader for worker threads. Call this on the GUI thread; call the reader anywhere.

    The reader raises :class:`~core.domain.errors.SecretStoreError` when the keychain cannot be
    used.
    """
    pending: dict[str, Secret] = {}
    for change in workspace.pending:  # later changes win, as in Workspace.secret
        pending.update(change.secrets)
    store = workspace.secrets

    def read(ref: str) -> Secret | None:
        if ref in pending:
            return pending[ref]
        return store.get(ref)

    return read
