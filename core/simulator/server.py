"""The simulator served over HTTP on ``127.0.0.1``: :class:`Simulator`.

A stdlib :class:`~http.server.ThreadingHTTPServer` (HTTP/1.1, keep-alive) hands each request to
:meth:`Simulator.handle`, which applies the scenario faults (slow, dropped, failing) and then the
route for the path. The server listens on the loopback address only.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core.domain.marketplaces import Endpoints, Region
from core.simulator import consent, pages, sellers_api, token_endpoint
from core.simulator.faults import Fault
from core.simulator.model import DEFAULT_BURST, DEFAULT_RATE
from core.simulator.state import SimulatedAmazon
from core.simulator.wire import (
    DROP,
    Request,
    Response,
    html_response,
    sp_api_error,
    text_response,
)

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY = 64 * 1024

Route = Callable[[SimulatedAmazon, Request], Response]
ROUTES: Mapping[str, tuple[str, Route]] = MappingProxyType(
    {
        consent.CONSENT_PATH: ("GET", consent.show),
        consent.CONFIRM_PATH: ("POST", consent.confirm),
        token_endpoint.TOKEN_PATH: ("POST", token_endpoint.token),
        sellers_api.PARTICIPATIONS_PATH: ("GET", sellers_api.participations),
    }
)


def _server_error(path: str, status: int) -> Response:
    if path == token_endpoint.TOKEN_PATH:
        return token_endpoint.error(status, "ServerError", "Internal server error. Retry later.")
    if path.startswith("/sellers/"):
        if status == 503:
            return sp_api_error(503, "ServiceUnavailable", "Service temporarily unavailable.")
        return sp_api_error(
            status, "InternalFailure", "We encountered an internal error. Please try again."
        )
    return text_response(status, "Internal server error (simulated).")


def _fault_answer(path: str, fault: Fault) -> Response:
    if fault.kind == "drop":
        return DROP
    if fault.kind == "fail":
        return _server_error(path, fault.status)
    # "huge" and "trickle": the route's error shape, then the fault decides how the body goes.
    answer = _server_error(path, fault.status)
    if fault.kind == "huge":
        return replace(
            answer,
            padding=max(0, fault.size - len(answer.body)),
            declare_length=fault.declare_length,
        )
    return replace(
        answer,
        status=fault.status,
        body=(answer.body + b" " * fault.size)[: max(fault.size, 1)],
        trickle_s=fault.interval_s,
        trickle_head=fault.head,
    )


class Simulator(SimulatedAmazon):
    """The Amazon simulator: consent page, LWA token endpoint and Sellers API on 127.0.0.1.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`. Every scenario method
    of :class:`~core.simulator.state.SimulatedAmazon` may be called while it serves.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        global_rate: float | None = None,
        global_burst: int | None = None,
        regional_hosts: bool = False,
    ) -> None:
        super().__init__(
            clock=clock, rate=rate, burst=burst, global_rate=global_rate, global_burst=global_burst
        )
        self._wanted_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        #: One more address per region for the Sellers API, where a token works only in its
        #: own region (as Amazon's regional endpoints do); see :attr:`endpoints`.
        self.regional_hosts = regional_hosts
        self._regional: dict[Region, tuple[_Server, threading.Thread]] = {}
        self._hang_ups = threading.Condition()
        self._hang_up_count = 0

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> Simulator:
        """Starts serving (on a background thread); returns ``self``."""
        with self._lock:
            if self._server is not None:
                return self
            self._stopping.clear()
            self._server, self._thread = _serve(_Server((HOST, self._wanted_port), self))
            if self.regional_hosts:
                for region in Region:
                    self._regional[region] = _serve(_Server((HOST, 0), self, region))
        log.info("Amazon simulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stops serving and closes every open connection (idempotent)."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            regional = list(self._regional.values())
            self._regional.clear()
        if server is None or thread is None:
            return
        self._stopping.set()
        for each, its_thread in [(server, thread), *regional]:
            each.shutdown()
            each.close_connections()
            each.server_close()
            its_thread.join(timeout=5)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._server is not None

    @property
    def port(self) -> int:
        with self._lock:
            if self._server is None:
                raise RuntimeError("the simulator is not running: call start() first")
            return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def region_url(self, region: Region) -> str:
        """The Sellers API address of ``region`` (the main address without regional hosts)."""
        with self._lock:
            regional = self._regional.get(region)
            if regional is None:
                return self.base_url
            return f"http://{HOST}:{regional[0].server_address[1]}"

    @property
    def endpoints(self) -> Endpoints:
        """Every Amazon endpoint pointed at this simulator (each region at its own address when
        it serves regional hosts)."""
        endpoints = Endpoints.simulator(self.base_url)
        if self.regional_hosts:
            endpoints = endpoints.with_sp_api({r: self.region_url(r) for r in Region})
        return endpoints

    def consent_url(self, application_id: str, state: str = "", **params: str) -> str:
        """A consent link for this simulator (what core builds for a real Seller Central)."""
        return consent.add_query(
            self.base_url + consent.CONSENT_PATH,
            [("application_id", application_id), ("state", state), *params.items()],
        )

    def note_hang_up(self) -> None:
        """A client stopped reading an answer before its end."""
        with self._hang_ups:
            self._hang_up_count += 1
            self._hang_ups.notify_all()

    def wait_for_hang_ups(self, count: int, timeout: float) -> bool:
        """Wait until clients have hung up on ``count`` answers in all (``False`` on timeout):
        how a test sees that a client gave up on a huge or trickled answer, rather than read
        it to its end."""
        with self._hang_ups:
            return self._hang_ups.wait_for(lambda: self._hang_up_count >= count, timeout)

    def stopped_within(self, seconds: float) -> bool:
        """Waits up to ``seconds``; ``True`` at once when the simulator is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def pause(self) -> None:
        """Waits the scenario's ``delay_s`` (cut short when the simulator stops)."""
        delay = self.faults.delay_s
        if delay > 0:
            self._stopping.wait(delay)

    def handle(self, request: Request) -> Response:
        """The answer to one request: a scenario fault, or the route's answer."""
        fault = self.faults.take(request.path)
        if fault is not None:
            return _fault_answer(request.path, fault)
        if request.path == "/" and request.method == "GET":
            return html_response(200, pages.guide_page(self.base_url, self.apps, self.sellers))
        route = ROUTES.get(request.path)
        if route is None:
            return text_response(404, "Not found (Amazon simulator).")
        method, handler = route
        if request.method != method:
            return text_response(405, f"Use {method} (Amazon simulator).")
        return handler(self, request)


def _serve(server: _Server) -> tuple[_Server, threading.Thread]:
    name = f"amazon-simulator-{server.region}" if server.region else "amazon-simulator"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
    )
    thread.start()
    return server, thread


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], simulator: Simulator, region: Region | None = None
    ) -> None:
        self.simulator = simulator
        self.region = region
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cuts keep-alive connections, so a stopped simulator really is gone for clients."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer is normal here; never print to stderr.
        log.debug("simulator connection error", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "Server"  # what Amazon's endpoints send
    sys_version = ""
    timeout = 30.0  # an idle keep-alive connection is closed after this
    # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (about 40 ms a request).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        simulator = self.server.simulator
        parts = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._write(text_response(413, "Request body too large or unreadable."))
            return
        body = self.rfile.read(length) if length else b""
        query: dict[str, str] = {}
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(name, value)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, parts.path, query, headers, body, self.server.region)
        simulator.pause()
        try:
            response = simulator.handle(request)
        except Exception:
            log.exception("Amazon simulator: %s %s failed", request.method, request.path)
            response = text_response(500, "The simulator failed (a bug in SP Connect).")
        simulator.record(request.method, request.path, None if response.drop else response.status)
        if response.drop:
            self.close_connection = True
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        if response.trickle_head:
            self._trickle_head(response)
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.declare_length:
            self.send_header("Content-Length", str(len(response.body) + response.padding))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self._write_body(response)
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped reading (as SP Connect does past its size cap or deadline).
            self.close_connection = True
            self.server.simulator.note_hang_up()

    def _trickle_head(self, response: Response) -> None:
        self.close_connection = True
        lines = [f"{self.protocol_version} {response.status} Trickled"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
        head = "\r\n".join(lines).encode("latin-1")
        try:
            for index in range(len(head)):
                if self.server.simulator.stopped_within(response.trickle_s):
                    return
                self.wfile.write(head[index : index + 1])
                self.wfile.flush()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.server.simulator.note_hang_up()  # the client gave up, as it should

    def _write_body(self, response: Response) -> None:
        if response.trickle_s > 0:
            self.close_connection = True
            for index in range(len(response.body)):
                if self.server.simulator.stopped_within(response.trickle_s):
                    return
                self.wfile.write(response.body[index : index + 1])
                self.wfile.flush()
            return
        self.wfile.write(response.body)
        left = response.padding
        chunk = b" " * 65536
        while left > 0 and not self.server.simulator.stopped_within(0):
            self.wfile.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The path only: a request line's query string is nobody's business in a log.
        log.debug("simulator: %s %s -> %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: Any) -> None:
        pass
