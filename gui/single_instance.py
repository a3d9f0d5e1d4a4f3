"""One running copy per inventory: a second start brings the running window to the front.

Starting SP Connect while it already runs on the same inventory must not open a second
writer: the second start asks the running copy, over a Qt local socket (a Unix socket or a
Windows named pipe), to bring its window to the front, waits for its answer, says so in one
line and exits 0. The address (:func:`core.services.running_copy.copy_address`) is per person
and per data folder: another person's copy on the same machine, or a copy on another folder,
never answers for this one. The server only accepts connections from the same user
(:attr:`QLocalServer.SocketOption.UserAccessOption`).

Which starts take part (:func:`takes_part`): the window on a data folder (the person's own or
``--data-dir``), the one start that writes an inventory that another start could also open.
These do not:

* ``--demo``: every demo is a fresh temporary inventory of its own, and Help > Open the demo
  starts a second process on purpose, next to the person's window;
* ``--review FILE``: read-only, no store, nothing to write twice; reviewing two files side by
  side is legitimate;
* ``--self-test``: it checks that *this* process can start and paint; handing over to a running
  copy would report success without testing anything, and listening would make a person's
  real start hand over to a test that is about to exit.

The SQLite instance lock (:mod:`core.storage.opening`) stays the real guard against two
writers: whenever this hand-over cannot happen (no answer in time, listening refused, two
starts in the same instant) the second copy opens the inventory read-only and says so.

Cost: the question is asked before the QApplication exists (a second start never connects to
the display), and QtNetwork and the address's imports are loaded only by a start that takes
part.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: What a second start sends, and what the running copy answers once its window is in front.
RAISE = b"raise\n"
RAISED = b"raised\n"
#: Anything longer than this from a client is not ours: the connection is dropped.
MAX_MESSAGE = 64

#: A local connection is made at once or refused; this bounds a pathological case only.
CONNECT_TIMEOUT_MS = 1_000
#: The running copy answers from its event loop: at once when it is idle, after its window is
#: built when it is itself still starting (it listens before building it). A copy that has
#: not answered by then is left alone: this start opens its own window without listening, and
#: the SQLite lock makes it read-only.
ANSWER_TIMEOUT_MS = 5_000

#: The one line a second start prints before it exits 0.
HANDED_OVER = "SP Connect is already open: its window was brought to the front."


class StartOptions(Protocol):
    """What of :class:`gui.app.AppOptions` decides whether a start takes part."""

    data_dir: str | None
    demo: bool
    review: Path | None
    self_test: bool


def takes_part(options: StartOptions) -> bool:
    """Whether this start hands over to, or listens for, another copy (see the module doc)."""
    return not (options.demo or options.self_test or options.review is not None)


class OneCopy(QObject):
    """This start's side of the hand-over: ask a running copy first, else listen for later ones.

    ``hand_over`` (before the QApplication exists), then ``listen`` (once it does), then
    ``serve`` the window, and ``close`` when the window has closed.
    """

    def __init__(self, address: str, *, answer_timeout_ms: int = ANSWER_TIMEOUT_MS) -> None:
        super().__init__()
        self.address, self.answer_timeout_ms = address, answer_timeout_ms
        self._server: QLocalServer | None = None
        self._window: QWidget | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._answer = ""  # what hand_over heard

    @classmethod
    def for_start(cls, options: StartOptions) -> OneCopy | None:
        """The hand-over for this start, or ``None`` when it does not take part."""
        if not takes_part(options):
            return None
        # Imported here: a start that takes no part (the self-test, the demo) pays nothing.
        from core.services.running_copy import copy_address

        return cls(copy_address(options.data_dir))

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    # --- a second start ------------------------------------------------------------------------

    def hand_over(self) -> bool:
        """Ask a running copy to bring its window to the front; ``True`` once it has.

        A socket file that refuses the connection is a crash's leftover (the process that
        listened is gone; a live one would accept): it is removed so that :meth:`listen` can
        take its place. Works without a QApplication (blocking calls, no event loop).
        """
        self._answer = _ask(self.address, RAISE, self.answer_timeout_ms)
        if self._answer == "refused":
            self._remove_leftover()
        return self._answer == "raised"

    # --- the running copy ----------------------------------------------------------------------

    def listen(self) -> bool:
        """Listen for later starts; ``False`` (logged, not a warning) when that is impossible.

        Not listening is not an error: the SQLite instance lock still keeps a second writer
        out, only the hand-over to this window is lost.
        """
        from PySide6.QtNetwork import QAbstractSocket, QLocalServer

        if self._answer == "silent":
            # A copy holds the address and is alive, only busy: listening over it (Qt replaces
            # a Unix socket file) would take later starts away from the window that writes.
            log.info("another copy is running but busy: not listening; the inventory lock applies")
            return False
        for attempt in ("first", "after removing a leftover"):
            server = QLocalServer(self)
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if server.listen(self.address):
                self._server = server
                server.newConnection.connect(self._on_connection)
                log.info("listening for other starts at %s", server.fullServerName())
                return True
            error, reason = server.serverError(), server.errorString()
            server.deleteLater()
            in_use = error == QAbstractSocket.SocketError.AddressInUseError
            # In use: a copy that started since we asked, or a crash's leftover on a platform
            # where Qt does not listen over one. Only a leftover is ours to remove: a copy
            # that accepts the connection is alive, and this start then opens read-only.
            if attempt == "first" and in_use and _ask(self.address, None) == "refused":
                self._remove_leftover()
                continue
            log.info(
                "not listening for other starts (%s): the inventory lock still applies", reason
            )
            return False
        return False

    def serve(self, window: QWidget) -> None:
        """Bring ``window`` to the front when a later start asks."""
        self._window = window

    def close(self) -> None:
        """Stop listening (Qt removes the socket file); later starts open their own window."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()
        self._window = None

    def bring_to_front(self) -> None:
        """Un-minimize, raise and activate the window, or the dialog that holds it modal."""
        window = self._window
        if window is None:  # asked while this copy is still building its window: it will show
            return
        if window.isMinimized():
            # Like showNormal(), but a window maximized before it was minimized stays maximized.
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()
        # A modal dialog (a question, Reauthorize...) is where the person has to answer first.
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not window:
            modal.raise_()
            modal.activateWindow()
        log.info("another start asked for this window: it was brought to the front")

    def _on_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(functools.partial(self._on_ready_read, socket))
            socket.disconnected.connect(functools.partial(self._forget, socket))
            self._on_ready_read(socket)  # what arrived with the connection

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE:
            socket.abort()
            return
        self._buffers[socket] = data
        if not data.endswith(b"\n"):
            return  # the rest is on its way
        if data == RAISE:
            self.bring_to_front()
            socket.write(RAISED)
            socket.flush()
        socket.disconnectFromServer()

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _remove_leftover(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        log.info("removing a leftover socket of a copy that is no longer running")
        QLocalServer.removeServer(self.address)


def _ask(address: str, message: bytes | None, timeout_ms: int = ANSWER_TIMEOUT_MS) -> str:
    """Connect to ``address`` and, with a ``message``, wait for the answer to it.

    Returns ``raised``; ``refused`` (a socket file nobody listens behind: a leftover);
    ``absent`` (nothing there); ``alive`` (connected, no message sent); ``silent`` (connected,
    but no answer in time: a copy that is alive and busy).
    """
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(address)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        refused = socket.error() == QLocalSocket.LocalSocketError.ConnectionRefusedError
        return "refused" if refused else "absent"
    if message is None:
        socket.abort()
        return "alive"
    try:
        socket.write(message)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        answer = b""
        while not answer.endswith(b"\n") and len(answer) <= MAX_MESSAGE:
            if not socket.waitForReadyRead(timeout_ms):
                break
            answer += bytes(socket.readAll().data())
    finally:
        socket.abort()
    if answer == RAISED:
        return "raised"
    log.info("another copy holds %s but did not answer in time", address)
    return "silent"


def print_handed_over() -> None:
    """The one line a second start leaves in the terminal (or the launcher's log)."""
    print(HANDED_OVER, file=sys.stderr, flush=True)
