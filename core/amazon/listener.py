"""The one-shot loopback listener that receives the consent's answer (ARCHITECTURE.md, "Consent").

Amazon only redirects to registered HTTPS addresses, never to a loopback one (an Amazon engineer
in https://github.com/amzn/selling-partner-api-docs/issues/26; a Windows app asking for
``127.0.0.1`` in https://github.com/amzn/selling-partner-api-docs/issues/685 was told it is not
implemented). So the vendor hosts the static hand-off page (``resources/handoff.html``), which
sends the whole browser tab on to ``http://127.0.0.1:<port>/callback?<Amazon's query>``; the
simulator redirects here directly.

What the listener accepts (RFC 8252 §7.3 loopback redirect, hardened):

* it binds ``127.0.0.1`` only, never all interfaces;
* exactly **one** request counts: a ``GET`` on its path whose query
  :func:`core.amazon.redirect.parse_redirect` accepts (or an explicit ``error`` from Amazon),
  and whose ``Host`` header is ``127.0.0.1:<port>`` or ``localhost:<port>``. Any other
  ``Host`` gets 400 and does not count (a DNS-rebinding page cannot use it); an answer
  ``parse_redirect`` refuses (a part missing or given twice) gets a plain 400 page saying why
  and does not count either; other paths, ``/favicon.ico`` included, get 404;
* at most ``max_connections`` (8) connections at a time, others are closed at once; each
  request must be complete within ``request_deadline_s`` (10 s) of its connection, however
  slowly its bytes trickle in; a client that resets its connection is logged at debug level
  only, never with a traceback;
* the accepted request is answered with a short page ("return to SP Connect") sent with
  ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``, and then the port closes: a
  replay finds nothing listening;
* nothing it logs contains the query (the code is in it).

It reports the raw query string; :func:`core.amazon.redirect.parse_redirect` and
:func:`core.amazon.consent.complete` check it again, exactly as for a pasted address.

Platform note: on Windows ``SO_REUSEADDR`` lets a second socket bind a port already in use, so
there the listener sets ``SO_EXCLUSIVEADDRUSE`` instead; on Linux and macOS ``SO_REUSEADDR``
only allows re-binding over old ``TIME_WAIT`` connections, which a fixed port needs. Tested on
Linux only.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core.amazon.redirect import parse_redirect
from core.domain.errors import UserFacingError

log = logging.getLogger(__name__)

DEFAULT_PATH = "/callback"
#: How long the listener waits for Amazon's answer before closing by itself.
DEFAULT_TIMEOUT_S = 600.0
#: A connection that sends nothing for this long is dropped (one slow client cannot block).
_REQUEST_TIMEOUT_S = 10.0
#: However its bytes trickle in, a request must be complete this long after it connected.
DEFAULT_REQUEST_DEADLINE_S = 10.0
#: Connections served at once; more are closed at once (a browser needs one or two).
DEFAULT_MAX_CONNECTIONS = 8

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SP Connect: answer received</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; background: #f4f5f7;
       color: #1b1b1b; margin: 0; }
main { max-width: 34rem; margin: 4rem auto; background: #fff; padding: 2rem;
       border-radius: 8px; border: 1px solid #d8dbe0; }
h1 { font-size: 1.4rem; margin-top: 0; }
</style></head>
<body><main id="spconnect-received">
<h1>Amazon's answer has reached SP Connect</h1>
<p>You can close this tab and return to SP Connect.</p>
<p>SP Connect now checks the answer and shows you the result.</p>
</main></body></html>
"""

_HEADERS = (
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
)


class ListenerUnavailable(UserFacingError):
    """The loopback listener could not start (typically: the port is in use)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = sys.platform != "win32"
    # Room to accept (and close) connections past the cap at once, rather than have the
    # kernel drop them for a full backlog and the client retry a second later.
    request_queue_size = 4 * DEFAULT_MAX_CONNECTIONS
    listener: CallbackListener

    def server_bind(self) -> None:
        exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
        if exclusive is not None:  # Windows: nobody else may bind this port while we hold it
            self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.listener._connection_opened():
            log.info("loopback listener: too many connections; one closed at once")
            self.shutdown_request(request)
            self.listener._connection_closed()
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.listener._connection_closed()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr. A client that resets or times out is
        # ordinary on a port any local program can reach: a debug line, nothing more.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("loopback listener: a connection ended early (%s)", type(error).__name__)
        else:
            log.error("loopback listener: a request failed (%s)", type(error).__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = _REQUEST_TIMEOUT_S
    server_version = "SPConnect"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # The read timeout bounds each wait for bytes, not the request: a client sending a
        # byte every few seconds would stay forever. Past the deadline the socket is shut
        # down, which ends any read in progress.
        self._deadline = threading.Timer(self.server.listener.request_deadline_s, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def finish(self) -> None:
        self._deadline.cancel()
        with contextlib.suppress(OSError):  # the client may be gone already
            super().finish()

    def _cut_off(self) -> None:
        log.info("loopback listener: a request took too long; connection closed")
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self.server.listener._handle(self)

    def do_HEAD(self) -> None:
        self._answer(405, "Method not allowed.")

    do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD

    def log_message(self, format: str, *args: Any) -> None:
        # The default prints the request line, which holds Amazon's code: say nothing of it.
        del format, args

    def _answer(self, status: int, text: str, html: str | None = None) -> None:
        body = (html if html is not None else text + "\n").encode("utf-8")
        self.send_response(status)
        kind = "text/html" if html is not None else "text/plain"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in _HEADERS:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True


def _repeated(query: str) -> bool:
    """Whether a part of Amazon's answer is given more than once (which one counts is unclear)."""
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return any(names.count(key) > 1 for key in ("state", "error", "spapi_oauth_code"))


class CallbackListener:
    """A one-shot HTTP listener on ``127.0.0.1`` for the consent's answer.

    Starts listening at once (on a daemon thread); ``port=0`` picks a free port. ``on_result``
    is called once, from a listener thread, with the query string or ``None`` (timeout or
    cancel). Use it as a context manager, or call :meth:`cancel` when done.

    Raises:
        ListenerUnavailable: The port is in use or cannot be opened: fall back to pasting.
    """

    def __init__(
        self,
        path: str = DEFAULT_PATH,
        *,
        port: int = 0,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        host: str = "127.0.0.1",
        on_result: Callable[[str | None], object] | None = None,
        expects: Callable[[str], bool] | None = None,
        request_deadline_s: float = DEFAULT_REQUEST_DEADLINE_S,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if host != "127.0.0.1":
            raise ValueError("the callback listener binds 127.0.0.1 only")
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError("path must be an absolute path without query or fragment")
        self.path = path
        self._on_result = on_result
        # Which states count; others are refused without using up the one answer.
        self._expects = expects
        self.request_deadline_s = request_deadline_s
        self._max_connections = max_connections
        self._connections = threading.Condition()
        self._open = 0
        self._seen = 0
        self._lock = threading.Lock()
        self._query: str | None = None
        self._accepted = False
        self._finished = threading.Event()
        self._closed = threading.Event()
        try:
            self._server = _Server((host, port), _Handler, bind_and_activate=True)
        except OSError as exc:
            which = f"port {port}" if port else "a free port"
            log.info("loopback listener: cannot listen on %s (%s)", which, type(exc).__name__)
            raise ListenerUnavailable(
                f"SP Connect could not listen for Amazon's answer on {which} of this computer"
                " (another program may be using it).",
                "Finish by pasting instead: after confirming on Amazon's page, copy the address "
                "the browser shows and paste it into SP Connect.",
            ) from None
        self._server.listener = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"consent-listener-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._timer = threading.Timer(timeout_s, self._expire)
        self._timer.daemon = True
        self._timer.start()
        log.info("loopback listener waiting on 127.0.0.1:%d", self.port)

    @property
    def url(self) -> str:
        """Where the hand-off page (or the simulator) sends the browser."""
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def wait(self, timeout: float | None = None) -> str | None:
        """The accepted request's raw query string; ``None`` on timeout or cancel.

        ``timeout`` bounds this wait only (the listener keeps listening); the listener's own
        ``timeout_s`` closes it. Once a query is returned, the port is already closed.
        """
        if not self._finished.wait(timeout):
            return None
        self._closed.wait(5.0)
        return self._query

    def wait_settled(self, count: int, timeout: float) -> bool:
        """Wait until at least ``count`` connections have come and every one has been dealt
        with (answered, refused or closed). ``False`` if that did not happen within ``timeout``.
        """
        with self._connections:
            return self._connections.wait_for(
                lambda: self._seen >= count and self._open == 0, timeout
            )

    def cancel(self) -> None:
        """Stop listening; a waiting :meth:`wait` returns ``None``."""
        self._finish(None)

    close = cancel

    def __enter__(self) -> CallbackListener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()

    # --- internals -----------------------------------------------------------------------------

    def _connection_opened(self) -> bool:
        """Count a new connection; ``False`` when it is one too many (it is closed at once)."""
        with self._connections:
            self._seen += 1
            self._open += 1
            return self._open <= self._max_connections

    def _connection_closed(self) -> None:
        with self._connections:
            self._open -= 1
            self._connections.notify_all()

    def _expire(self) -> None:
        log.info("loopback listener on port %d timed out", self.port)
        self._finish(None)

    def _handle(self, request: _Handler) -> None:
        target = urlsplit(request.path)
        if not self._host_ok(request.headers.get("Host")):
            request._answer(400, "Unexpected Host header.")
            return
        if target.path != self.path:
            request._answer(404, "Not found.")
            return
        names = {name for name, _ in parse_qsl(target.query, keep_blank_values=True)}
        if "state" not in names or not ({"spapi_oauth_code", "error"} & names):
            request._answer(400, "This address does not carry Amazon's answer.")
            return
        # The checks a pasted address gets, before this request may use up the one answer: a
        # refused one (a part missing or given twice) leaves the listener waiting. Amazon's
        # error answer (no code) is refused by parse_redirect on purpose, yet still an answer.
        try:
            parse_redirect(target.query)
        except UserFacingError as refused:
            if "spapi_oauth_code" in names or _repeated(target.query):
                log.info("loopback listener: refused an answer that is not Amazon's shape")
                request._answer(400, f"{refused.message}\n{refused.next_step}")
                return
        if self._expects is not None:
            state = dict(parse_qsl(target.query, keep_blank_values=True)).get("state", "")
            if not self._expects(state):
                log.info("loopback listener: refused an answer for no consent in progress")
                request._answer(
                    400, "This answer does not belong to the consent SP Connect is waiting for."
                )
                return
        with self._lock:
            first = not self._accepted and not self._finished.is_set()
            self._accepted = True
        if not first:
            request._answer(410, "SP Connect has already received an answer.")
            return
        try:
            request._answer(200, "", _PAGE)
        finally:
            # Whole and valid, so it counts even when the tab closed before the page went out
            # (otherwise the listener would refuse every later request and wait for nothing).
            log.info("loopback listener received the answer")
            self._finish(target.query)

    def _host_ok(self, host: str | None) -> bool:
        if host is None:
            return False
        value = host.strip().lower()
        return value in (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    def _finish(self, query: str | None) -> None:
        with self._lock:
            if self._finished.is_set():
                return
            self._query = query
            self._accepted = True
            self._finished.set()
        self._timer.cancel()
        # Shut down from a thread of our own: serve_forever's thread cannot wait for itself.
        threading.Thread(target=self._shut_down, name="consent-listener-close", daemon=True).start()

    def _shut_down(self) -> None:
        try:
            self._server.shutdown()
            self._server.server_close()
        finally:
            self._closed.set()
            if self._on_result is not None:
                try:
                    self._on_result(self._query)
                except Exception:
                    log.exception("loopback listener: on_result failed")
