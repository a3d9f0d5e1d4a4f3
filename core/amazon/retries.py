"""Bounded retries for the Amazon clients: backoff, ``Retry-After`` and rate limits.

Throttling (429), Amazon's server errors (5xx) and network errors are retried; nothing else is.
The wait before a retry is the longest of: exponential backoff with jitter, Amazon's
``Retry-After`` when it sent one (never less than the base delay, so ``Retry-After: 0`` cannot
turn the retries into a busy loop), and one interval of the rate limit Amazon reported in
``x-amzn-RateLimit-Limit`` (https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits).
A caller says how long it may wait (``max_delay``): an interactive one a few seconds, a
background test run longer. When the rate limit needs a longer wait than that, the error is
raised at once with "try again in N minutes" instead of retrying too early.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from core.amazon.http import RETRYABLE, AmazonError, RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")


def parse_retry_after(
    value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or ``None``."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now()).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def parse_rate_limit(value: str | None) -> float | None:
    """Requests per second from ``x-amzn-RateLimit-Limit`` (for example ``0.016``), or ``None``."""
    try:
        rate = float((value or "").strip())
    except ValueError:
        return None
    return rate if math.isfinite(rate) and rate > 0 else None


def backoff_delay(
    error: AmazonError,
    retry_number: int,
    *,
    base_delay: float,
    max_delay: float,
    rng: Callable[[], float],
) -> float:
    """How long to wait before retry number ``retry_number`` (1 for the first retry).

    Amazon's ``Retry-After`` wins when it gave one (floored at ``base_delay``, capped at
    ``max_delay``); otherwise exponential backoff with "equal jitter": between half and all of
    ``base_delay * 2**(n-1)``. A known rate limit makes it at least one interval (1/rate).
    """
    if isinstance(error, RateLimited) and error.retry_after is not None:
        delay = min(max_delay, max(base_delay, error.retry_after))
    else:
        ceiling = min(max_delay, base_delay * 2.0 ** (retry_number - 1))
        delay = ceiling / 2 + rng() * ceiling / 2
    if isinstance(error, RateLimited):
        delay = max(delay, error.interval)
    return delay


def too_long_to_wait(error: RateLimited) -> RateLimited:
    """``error`` said as "try again in N minutes": the rate limit outlasts the caller's patience."""
    minutes = max(1, round(error.interval / 60))
    span = "a minute" if minutes == 1 else f"{minutes} minutes"
    return RateLimited(
        f"Amazon allows this request only about once in {span}, and it was asked again too soon.",
        f"Try again in {span}.",
        status=error.status,
        code=error.code,
        request_id=error.request_id,
        retry_after=error.retry_after,
        rate_limit=error.rate_limit,
    )


def call_with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    sleep: Callable[[float], object] = time.sleep,
    rng: Callable[[], float] = random.random,
    on_retry: Callable[[AmazonError, float], object] | None = None,
) -> T:
    """Call ``fn``, retrying throttling, Amazon server errors and network errors.

    At most ``attempts`` calls in all; when they are used up the last error is raised. Any other
    exception is raised at once, and so is a rate limit whose interval is longer than
    ``max_delay`` (see the module docstring). ``sleep`` is injectable (tests record the delays;
    the GUI can pass one that raises :class:`~core.domain.errors.Cancelled` to abandon the
    wait). ``on_retry`` is told each error and the delay before the next attempt.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except RETRYABLE as exc:
            if isinstance(exc, RateLimited) and exc.interval > max_delay:
                log.info("rate limited: the next request is %.0f s away; stopping", exc.interval)
                raise too_long_to_wait(exc) from None
            if attempt == attempts:
                raise
            delay = backoff_delay(exc, attempt, base_delay=base_delay, max_delay=max_delay, rng=rng)
            log.info(
                "%s (HTTP %s); retry %d of %d in %.1f s",
                type(exc).__name__,
                exc.status,
                attempt,
                attempts - 1,
                delay,
            )
            if on_retry is not None:
                on_retry(exc, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
