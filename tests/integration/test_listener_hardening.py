"""The loopback listener under hostile or clumsy clients, with raw sockets against the real one.

A refused answer does not use up the one answer; connections are capped; each request has an
overall deadline however slowly it trickles in; a client that resets its connection leaves no
traceback and no warning.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from core.amazon.listener import CallbackListener
from core.amazon.redirect import parse_redirect

WAIT_S = 10.0
ANSWER = "state=s.1&selling_partner_id=A1SELLER&spapi_oauth_code=c"


@pytest.fixture
def listener() -> Iterator[CallbackListener]:
    with CallbackListener(timeout_s=60, request_deadline_s=1.0, max_connections=8) as running:
        yield running


def connect(listener: CallbackListener) -> socket.socket:
    return socket.create_connection(("127.0.0.1", listener.port), timeout=WAIT_S)


def closed_by_server(sock: socket.socket, within_s: float) -> bool:
    """Whether the server closes ``sock`` (EOF or reset) within ``within_s``."""
    sock.settimeout(within_s)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def get(listener: CallbackListener, query: str) -> requests.Response:
    return requests.get(f"{listener.url}?{query}", timeout=WAIT_S)


def test_an_answer_parse_redirect_refuses_does_not_use_up_the_listener(
    listener: CallbackListener,
) -> None:
    twice = "state=s.1&state=s.1&selling_partner_id=A1SELLER&spapi_oauth_code=c"
    refused = get(listener, twice)

    assert refused.status_code == 400
    assert "more than once" in refused.text
    assert "spapi_oauth_code" not in refused.text  # the page never echoes the query
    assert not listener.closed
    assert listener.wait(timeout=0) is None

    assert get(listener, ANSWER).status_code == 200
    assert listener.wait(timeout=WAIT_S) == ANSWER


@pytest.mark.parametrize(
    "query",
    [
        "state=s.1&spapi_oauth_code=c",  # no Seller ID
        "state=s.1&selling_partner_id=A1&spapi_oauth_code=c&spapi_oauth_code=d",
        "state=s.1&selling_partner_id=not%20an%20id!&spapi_oauth_code=c",
        "state=" + "x" * 300 + "&selling_partner_id=A1&spapi_oauth_code=c",
        "state=s.1&state=s.2&error=access_denied",  # which consent would it cancel?
    ],
)
def test_every_refused_answer_keeps_listening(listener: CallbackListener, query: str) -> None:
    assert get(listener, query).status_code == 400
    assert not listener.closed
    assert get(listener, ANSWER).status_code == 200
    assert listener.wait(timeout=WAIT_S) == ANSWER


def test_amazons_error_answer_still_counts(listener: CallbackListener) -> None:
    assert get(listener, "state=s.1&error=access_denied").status_code == 200
    assert listener.wait(timeout=WAIT_S) == "state=s.1&error=access_denied"


def test_connections_beyond_the_cap_are_closed_at_once() -> None:
    with CallbackListener(timeout_s=60, max_connections=8) as listener:
        check_the_cap(listener)


def check_the_cap(listener: CallbackListener) -> None:
    idle = [connect(listener) for _ in range(8)]  # eight clients that say nothing
    try:
        extra = connect(listener)
        try:
            assert closed_by_server(extra, WAIT_S)
        finally:
            extra.close()
        assert not closed_by_server(idle[-1], 0.2)  # the ones let in are still served
    finally:
        for sock in idle:
            sock.close()
    assert listener.wait_settled(9, WAIT_S)
    assert get(listener, ANSWER).status_code == 200  # once they are gone, room again


def test_a_trickling_client_is_cut_off_at_the_deadline(listener: CallbackListener) -> None:
    request = f"GET /callback?{ANSWER} HTTP/1.1\r\nHost: 127.0.0.1:{listener.port}\r\n\r\n"
    sent = 0
    with connect(listener) as sock:
        # One byte, then wait for the server's reaction (up to 0.3 s) before the next: each
        # byte comes well within any read timeout; the whole request would take 30 s.
        for byte in request.encode():
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            if closed_by_server(sock, 0.3):
                break
    assert sent < len(request)  # closed before the request was complete
    assert listener.wait(timeout=0) is None
    assert get(listener, ANSWER).status_code == 200  # and the listener still listens


def test_a_client_reset_prints_nothing(
    listener: CallbackListener,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sock = connect(listener)
    sock.sendall(f"GET /callback?{ANSWER} HTTP/1.1\r\nHost: 127".encode())
    # SO_LINGER 0: close() sends a reset instead of an orderly end.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()

    assert listener.wait_settled(1, WAIT_S)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not listener.closed


def test_an_answer_whose_client_resets_at_once_still_counts(listener: CallbackListener) -> None:
    # The browser tab closed (or the connection reset) before the "return to SP Connect" page
    # went out: the answer arrived whole, so it counts, and the listener is not left stuck.
    sock = connect(listener)
    sock.sendall(
        f"GET /callback?{ANSWER} HTTP/1.1\r\nHost: 127.0.0.1:{listener.port}\r\n\r\n".encode()
    )
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()

    assert listener.wait(timeout=WAIT_S) == ANSWER


QUERY_PARTS = st.sampled_from(
    ["state", "spapi_oauth_code", "selling_partner_id", "mws_auth_token", "error", "x", ""]
)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.tuples(QUERY_PARTS, st.text(max_size=40)), max_size=6),
    raw_tail=st.binary(max_size=30),
)
def test_any_query_is_answered_plainly_and_only_a_valid_one_counts(
    parts: list[tuple[str, str]], raw_tail: bytes
) -> None:
    query = urlencode(parts)
    with CallbackListener(timeout_s=60, request_deadline_s=5.0) as own:
        with connect(own) as sock:
            head = f"GET /callback?{query} HTTP/1.1\r\nHost: 127.0.0.1:{own.port}\r\n".encode()
            sock.sendall(head + b"X-Junk: " + raw_tail.replace(b"\n", b" ") + b"\r\n\r\n")
            answer = sock.makefile("rb").readline()
        status = int(answer.split()[1])
        assert status in (200, 400)
        if status == 200:
            assert own.wait(timeout=WAIT_S) == query
            names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
            if "spapi_oauth_code" in names:
                parse_redirect(query)  # what counted is what a pasted address would pass
            else:  # Amazon's error answer, each part once
                assert names.count("error") == names.count("state") == 1
        else:
            assert own.wait(timeout=0) is None  # refused: still listening for the real one
            assert get(own, ANSWER).status_code == 200
