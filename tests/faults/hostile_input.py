"""Hostile input: the loopback listener, the consent's paste path and every form field.

Each input must be refused with a plain message (a 4xx page, a ``UserFacingError`` with a
message and a next step, or a ``FieldError``), never crash, never print a traceback, and never
use up the listener's one answer. The listener cases run on real sockets; text cases are
in :mod:`tests.faults.hostile_text`.
"""

from __future__ import annotations

import contextlib
import io
import random
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from core.amazon.listener import CallbackListener
from tests.faults._report import KindReport
from tests.faults.hostile_text import form_cases, paste_cases

STATE = "s" * 43
GOOD_QUERY = f"state={STATE}&spapi_oauth_code=ANcodeX&selling_partner_id=A1EUROPESELLER7"
#: A request must be over (answered or cut) this long after its first byte, however slowly the
#: client sends it (issue 8, finding 6: a byte every 8 s stayed connected past 24 s).
SLOW_CLIENT_DEADLINE_S = 20.0
SLOW_CLIENT_BYTE_EVERY_S = 1.0
#: Idle connections opened at once; the listener must not give each one a thread.
FLOOD_CONNECTIONS = 200
#: At most this many connections served at once (issue 8, finding 6: cap them). The listener
#: waits for one answer from one browser; 32 leaves room for a browser's parallel connections.
#: An assumption about the fix's cap: align it with the listener's.
FLOOD_MAX_THREADS = 32
IO_TIMEOUT_S = 10.0


@contextlib.contextmanager
def stderr_captured() -> Iterator[io.StringIO]:
    """What anything in this process (threads too) writes to ``sys.stderr`` meanwhile."""
    buffer, before = io.StringIO(), sys.stderr
    hook_before = threading.excepthook
    sys.stderr = buffer

    def hook(args: threading.ExceptHookArgs) -> None:
        buffer.write(f"uncaught {args.exc_type.__name__} in thread {args.thread}\n")

    threading.excepthook = hook
    try:
        yield buffer
    finally:
        sys.stderr = before
        threading.excepthook = hook_before


def last_error(printed: str) -> str:
    """The exception line of the last traceback in ``printed``: enough to know which."""
    lines = [line for line in printed.splitlines() if line.strip() and not line.startswith("-")]
    errors = [line for line in lines if not line.startswith((" ", "Traceback"))]
    return (errors or lines or ["nothing"])[-1][:200]


def run(count: int, base_seed: int) -> KindReport:
    report = KindReport("hostile_input")
    with stderr_captured() as err:
        listener_cases(report, base_seed)
    printed = err.getvalue()
    report.check(
        "Traceback" not in printed and "uncaught" not in printed,
        base_seed,
        f"the listener printed a traceback to stderr ({last_error(printed)})",
    )
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-input-") as tmp:
        with stderr_captured() as err:
            paste_cases(report, Path(tmp), count, base_seed)
            form_cases(report, Path(tmp), count, base_seed)
        report.check(
            "Traceback" not in err.getvalue(),
            base_seed,
            f"text input printed a traceback ({last_error(err.getvalue())})",
        )
    return report


# --- the loopback listener -----------------------------------------------------------------------


def raw(port: int, data: bytes, *, host: str | None = None) -> bytes:
    """Send ``data`` on a fresh connection; what came back before the listener closed it."""
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S) as conn:
        conn.sendall(data)
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def get(port: int, target: str, host: str | None = None) -> bytes:
    host = host if host is not None else f"127.0.0.1:{port}"
    return raw(port, f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())


def status_of(answer: bytes) -> int | None:
    parts = answer.split(b" ", 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def refused(answer: bytes) -> bool:
    """A plain refusal: a 4xx answer, or the connection closed without one."""
    status = status_of(answer)
    if status is None:  # an HTTP/0.9-style answer to a request line without a version
        return answer == b"" or b"Error code: 4" in answer
    return 400 <= status < 500


def listener_cases(report: KindReport, base_seed: int) -> None:
    rng = random.Random(base_seed)
    cases: list[tuple[str, Callable[[int], bytes]]] = []
    for n in range(8):
        size = rng.choice([1, 7, 100, 4000, 70_000])
        junk = bytes(rng.randrange(256) for _ in range(size))
        cases.append((f"garbage bytes #{n} ({size} B)", lambda p, j=junk: raw(p, j + b"\r\n\r\n")))
    cases += [
        ("an oversized request line", lambda p: get(p, "/callback?" + "a=b&" * 30_000)),
        (
            "oversized headers",
            lambda p: raw(
                p,
                f"GET /callback?{GOOD_QUERY} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n".encode()
                + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 60) for i in range(300))
                + b"\r\n",
            ),
        ),
        ("a wrong Host", lambda p: get(p, f"/callback?{GOOD_QUERY}", host="evil.example:80")),
        ("no Host", lambda p: raw(p, f"GET /callback?{GOOD_QUERY} HTTP/1.0\r\n\r\n".encode())),
        (
            "a duplicated state",
            lambda p: get(p, f"/callback?state=x&{GOOD_QUERY}"),
        ),
        (
            "a duplicated code",
            lambda p: get(p, f"/callback?{GOOD_QUERY}&spapi_oauth_code=other"),
        ),
        (
            "a duplicated Seller ID",
            lambda p: get(p, f"/callback?selling_partner_id=A2OTHER&{GOOD_QUERY}"),
        ),
        (
            "a POST",
            lambda p: raw(
                p,
                f"POST /callback?{GOOD_QUERY} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n"
                "Content-Length: 5\r\n\r\nhello".encode(),
            ),
        ),
        ("a wrong path", lambda p: get(p, f"/other?{GOOD_QUERY}")),
        ("a reset mid-request", reset_mid_request),
    ]
    # The slow client takes its deadline's time: it runs alongside the other cases.
    slow = threading.Thread(target=slow_client, args=(report,), name="slow-client-case")
    slow.start()
    for name, send in cases:
        with CallbackListener(expects=lambda s: s == STATE, timeout_s=120) as listener:
            try:
                answer = send(listener.port)
            except OSError as exc:
                answer = b""
                report.ran()  # a reset by the listener is a refusal too
                del exc
            report.check(refused(answer), name, f"{name}: not refused: {answer[:120]!r}")
            report.check(
                listener.wait(0) is None,
                name,
                f"{name}: the listener gave up its one answer to it",
            )
            try:
                good = get(listener.port, f"/callback?{GOOD_QUERY}")
            except OSError:
                good = b""  # closed: it gave its answer away (counted above)
            report.check(
                status_of(good) == 200 and listener.wait(IO_TIMEOUT_S) == GOOD_QUERY,
                name,
                f"{name}: the real answer afterwards was not taken ({status_of(good)})",
            )
    after_close(report)
    flood(report)
    slow.join()


def reset_mid_request(port: int) -> bytes:
    """Half a request, then a TCP reset (SO_LINGER 0): the client's side of a crash."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    conn.sendall(b"GET /callback?state=")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    return b""


def after_close(report: KindReport) -> None:
    listener = CallbackListener(expects=lambda s: s == STATE, timeout_s=120)
    port = listener.port
    first = get(port, f"/callback?{GOOD_QUERY}")
    report.check(status_of(first) == 200, "after-close", f"the first answer got {first[:80]!r}")
    listener.wait(IO_TIMEOUT_S)
    for name in ("a replay after the answer", "a request after cancel"):
        try:
            again = get(port, f"/callback?{GOOD_QUERY}")
        except OSError:
            again = b""
        report.check(again == b"", name, f"{name}: something still answered: {again[:80]!r}")
        listener.cancel()


def trickle(
    port: int, started: threading.Event, stop: threading.Event, held_s: list[float]
) -> None:
    """Send a request a byte a second; ``started`` once 3 bytes are in (the listener has
    surely accepted the connection by then), until cut off, ``stop``, or the deadline plus 5 s."""
    begun = time.monotonic()
    request = f"GET /callback?{GOOD_QUERY} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            for sent, byte in enumerate(request * 100, 1):
                conn.sendall(bytes([byte]))
                if sent == 3:
                    started.set()
                if stop.wait(SLOW_CLIENT_BYTE_EVERY_S):
                    break
                if time.monotonic() - begun > SLOW_CLIENT_DEADLINE_S + 5:
                    break
    except OSError:
        pass  # the listener cut us off: what should happen
    finally:
        started.set()
        held_s.append(time.monotonic() - begun)


def slow_client(report: KindReport) -> None:
    """A client trickling a byte a second does not keep the real answer out, and is cut off
    by the request's deadline while the listener still waits."""
    started, stop, held_s = threading.Event(), threading.Event(), []
    with CallbackListener(expects=lambda s: s == STATE, timeout_s=120) as listener:
        args = (listener.port, started, stop, held_s)
        worker = threading.Thread(target=trickle, args=args, name="slow-client", daemon=True)
        worker.start()
        started.wait(IO_TIMEOUT_S)
        good = get(listener.port, f"/callback?{GOOD_QUERY}")
        stop.set()
        worker.join(IO_TIMEOUT_S)
    report.check(
        status_of(good) == 200,
        "slow-client",
        f"a slow client kept the real answer out ({good[:80]!r})",
    )
    started, stop, held_s = threading.Event(), threading.Event(), []
    with CallbackListener(expects=lambda s: s == STATE, timeout_s=120) as listener:
        trickle(listener.port, started, stop, held_s)  # the listener stays open meanwhile
        after = get(listener.port, f"/callback?{GOOD_QUERY}")
    held = held_s[0]
    stayed = f"{held:.0f} s" if held < SLOW_CLIENT_DEADLINE_S + 5 else f"{held:.0f} s and counting"
    report.check(
        held <= SLOW_CLIENT_DEADLINE_S,
        "slow-client",
        f"a client sending a byte every {SLOW_CLIENT_BYTE_EVERY_S:g} s stayed connected for "
        f"{stayed} (deadline {SLOW_CLIENT_DEADLINE_S:g} s)",
    )
    report.check(
        status_of(after) == 200,
        "slow-client",
        f"after a slow client, the real answer got {after[:80]!r}",
    )


def serving() -> int:
    """Threads serving a connection right now (socketserver's per-request threads)."""
    return sum("process_request" in t.name for t in threading.enumerate())


def flood(report: KindReport) -> None:
    """Many idle connections at once: the listener must cap them, not start a thread for each."""
    with CallbackListener(expects=lambda s: s == STATE, timeout_s=120) as listener:
        before = serving()
        conns = []
        try:
            for _ in range(FLOOD_CONNECTIONS):
                with contextlib.suppress(OSError):
                    conns.append(socket.create_connection(("127.0.0.1", listener.port), timeout=5))
            # Without a cap each accepted connection gets a thread: wait (bounded) until that
            # many exist, or the accept loop has had ample time to start them.
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                grown = serving() - before
                if grown > FLOOD_MAX_THREADS:
                    break
                time.sleep(0.02)
            grown = serving() - before
            good = get(listener.port, f"/callback?{GOOD_QUERY}")
        finally:
            for conn in conns:
                conn.close()
    report.check(
        status_of(good) in (200, None),
        "flood",
        f"the real answer during a flood got {good[:80]!r}",
    )
    report.check(
        grown <= FLOOD_MAX_THREADS,
        "flood",
        f"{FLOOD_CONNECTIONS} idle connections made {grown} listener threads "
        f"(at most {FLOOD_MAX_THREADS})",
    )
    report.figures["flood_threads"] = grown
