"""Sending one request to Amazon and reading its answer within bounds: size and time.

``requests`` alone bounds neither: it reads a whole body into memory however large (a 300 MB
error body took 600 MB), and its read timeout bounds each wait for the next bytes, not the
answer (a body trickled a byte at a time within the timeout stays pending indefinitely). So
every request here streams, stops reading past :data:`MAX_ANSWER_BYTES`, and gives up when the
answer has not finished by its deadline (by default the connect and read timeouts added up):
checked between reads of the body, and for the head by :mod:`core.amazon.deadline`.
Amazon's token and Sellers answers are a few kilobytes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Self

import requests
import urllib3.exceptions

from core.amazon.deadline import deadline as watch
from core.amazon.http import (
    DEFAULT_TIMEOUT,
    AmazonError,
    AnswerTooLarge,
    NetworkError,
    make_session,
    network_error,
)
from core.domain.marketplaces import Endpoints

log = logging.getLogger(__name__)

#: The most of an answer SP Connect reads: far more than any token or Sellers API answer.
MAX_ANSWER_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read in full (within the cap): status, headers and body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes = field(repr=False)

    def json(self) -> Any:
        """The body as JSON. Raises ``ValueError`` when it is not."""
        return json.loads(self.content)


class AmazonClient:
    """What every Amazon client shares: endpoints, a session it may own, timeouts, retries.

    ``timeout`` is (connect, read) in seconds; ``deadline_s`` bounds a whole request, answer
    included (default: the two timeouts added up); ``max_delay`` is the longest wait between
    retries this caller accepts (see :mod:`core.amazon.retries`). Blocking; call it off the GUI
    thread. It closes the session it made itself (with :meth:`close` or a ``with`` block),
    never one it was given.
    """

    def __init__(
        self,
        endpoints: Endpoints,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        sleep: Callable[[float], object] = time.sleep,
        attempts: int = 4,
        deadline_s: float | None = None,
        max_delay: float = 30.0,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self._endpoints = endpoints
        self._own_session = session is None
        self._session = session if session is not None else make_session()
        self._timeout = timeout
        self._deadline_s = deadline_s if deadline_s is not None else sum(timeout)
        self._sleep = sleep
        self._attempts = attempts
        self._max_delay = max_delay
        self._max_answer_bytes = max_answer_bytes

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def _send(self, method: str, url: str, next_step: str | None, **kwargs: Any) -> Answer:
        """One request, its answer read within the size cap and the deadline.

        Raises:
            NetworkError: No answer, or not all of it by the deadline.
            AnswerTooLarge: The answer is larger than the cap (it is not read further).
        """
        deadline = time.monotonic() + self._deadline_s
        connect, read = self._timeout
        timeout = (min(connect, self._deadline_s), min(read, self._deadline_s))
        failure: AmazonError
        try:
            with watch(deadline):
                response = self._session.request(
                    method, url, timeout=timeout, stream=True, allow_redirects=False, **kwargs
                )
        except requests.RequestException as exc:
            # Built here, raised below: outside the except block the new error has no
            # __context__, so nothing can reach the original (which holds the request).
            failure = (
                _late(next_step) if time.monotonic() >= deadline else network_error(exc, next_step)
            )
        else:
            with closing(response):
                result = self._read(response, deadline, next_step)
            if isinstance(result, Answer):
                return result
            failure = result
        raise failure

    def _read(
        self, response: requests.Response, deadline: float, next_step: str | None
    ) -> Answer | AmazonError:
        cap = self._max_answer_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > cap:
            return _too_large(response, next_step)
        raw = response.raw
        if raw is None or not hasattr(raw, "read1"):
            body = response.content  # an answer already in memory: nothing left to wait for
            if len(body) > cap:
                return _too_large(response, next_step)
            return Answer(response.status_code, response.headers, body)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    return _late(next_step)
                # read1: at most one read from the socket, so each loop is bounded by the read
                # timeout and the deadline above is checked between reads.
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    return _too_large(response, next_step)
                chunks.append(chunk)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            return _read_failure(exc, next_step)
        return Answer(response.status_code, response.headers, b"".join(chunks))


def _late(next_step: str | None) -> NetworkError:
    log.info("answer not finished by its deadline")
    return NetworkError(
        "SP Connect could not reach Amazon: Amazon did not finish answering in time.", next_step
    )


def _too_large(response: requests.Response, next_step: str | None) -> AnswerTooLarge:
    log.info("answer larger than the cap (HTTP %s): not read", response.status_code)
    return AnswerTooLarge(next_step=next_step, status=response.status_code)


def _read_failure(exc: BaseException, next_step: str | None) -> NetworkError:
    # urllib3 raises its own errors (and socket timeouts) while a body streams.
    if isinstance(exc, requests.RequestException):
        return network_error(exc, next_step)
    kind = "timed out" if "timeout" in type(exc).__name__.lower() else "broke off"
    log.info("reading the answer failed: %s (%s)", kind, type(exc).__name__)
    why = "Amazon did not answer in time" if kind == "timed out" else "the answer broke off"
    return NetworkError(f"SP Connect could not reach Amazon: {why}.", next_step)
