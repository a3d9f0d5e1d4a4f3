"""The banner's first sentence: the one thing to do first, in plain words. No Qt here.

One pass over the rows' cached statuses (no status is derived again), most urgent first:

1. the client secret has expired: every connection is refused, whoever manages the app acts;
2. channels that need reauthorization (expired authorizations named as such): they are down now;
3. channels Amazon refuses because of the app's credentials;
4. the client secret ends within 7 days;
5. authorizations ending within 7 days;
6. the client secret ends within 30 days;
7. authorizations ending within 30 days;
8. connections whose last check got no answer;
9. otherwise: all connections are healthy.

Something already broken comes before something about to break; the client secret comes before
a channel at the same step because it concerns every channel at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.domain import dates
from core.domain.app_rules import secret_days_left, secret_step
from core.domain.expiry import URGENT_DAYS, ExpiryStep, when
from core.domain.inventory import AppCredentials
from core.domain.summary import Category
from core.services.view.nodes import ChannelRow


@dataclass(slots=True)
class _Tally:
    expired: int = 0
    reauthorize: int = 0
    app_credentials: int = 0
    urgent: list[ChannelRow] = field(default_factory=list)
    soon: list[ChannelRow] = field(default_factory=list)
    check_failed: int = 0
    total: int = 0


def _channels(n: int) -> str:
    return dates.count(n, "channel")


def first_step(channels: Iterable[ChannelRow], app: AppCredentials, now: datetime) -> str:
    """What to do first, as one sentence without a full stop; empty without channels."""
    tally = _Tally()
    healthy, reauthorize = Category.HEALTHY, Category.NEEDS_REAUTHORIZATION
    expiring, app_refused = Category.EXPIRING, Category.APP_CREDENTIALS
    # One pass over cached fields only (no badge is looked up): it runs after every change the
    # window shows, so at 50,000 channels it must stay a few milliseconds.
    for row in channels:
        tally.total += 1
        summary = row.category
        if summary is healthy:
            continue
        if summary is reauthorize:
            tally.reauthorize += 1
            auth = row.auth  # expired exactly when its end moment has passed
            tally.expired += auth is not None and auth.expires_at <= now
        elif summary is expiring:
            left = row.status.expires_in_days
            urgent = left is not None and left <= URGENT_DAYS
            (tally.urgent if urgent else tally.soon).append(row)
        elif summary is app_refused:
            tally.app_credentials += 1
        else:
            tally.check_failed += 1
    secret = secret_step(app, now)
    secret_left = secret_days_left(app, now)
    secret_due = dates.day(app.secret_expires_at) if app.secret_expires_at else ""

    if secret is ExpiryStep.EXPIRED:
        return (
            f"Renew the app's client secret now: it expired on {secret_due}, so Amazon refuses "
            "every connection"
        )
    if not tally.total:
        return ""  # nothing to look after yet: the banner says so itself
    if tally.reauthorize:
        return _reauthorize(tally)
    if tally.app_credentials:
        return (
            "Update the app credentials in Amazon > App credentials: Amazon refuses them for "
            f"{_channels(tally.app_credentials)}"
        )
    if secret is ExpiryStep.URGENT and secret_left is not None:
        return f"Renew the app's client secret by {secret_due} ({when(secret_left)})"
    if tally.urgent:
        return _expiring(tally.urgent, "Reauthorize", now)
    if secret is ExpiryStep.SOON:
        return f"Renew the app's client secret by {secret_due}"
    if tally.soon:
        return _expiring(tally.soon, "Plan to reauthorize", now)
    if tally.check_failed:
        n = tally.check_failed
        their = "its" if n == 1 else "their"
        return f"Test {_channels(n)} again later: {their} last check got no answer from Amazon"
    return "All connections are healthy"


def _reauthorize(tally: _Tally) -> str:
    n, expired = tally.reauthorize, tally.expired
    if expired == n:
        their = "its authorization has" if n == 1 else "their authorizations have"
        return f"Reauthorize {_channels(n)}: {their} expired"
    if expired:
        others = n - expired
        return (
            f"Reauthorize {_channels(n)}: {expired} expired and {others} cannot reach Amazon "
            "without a new consent"
        )
    they = "it cannot" if n == 1 else "they cannot"
    return f"Reauthorize {_channels(n)}: {they} reach Amazon without a new consent"


def _expiring(rows: list[ChannelRow], verb: str, now: datetime) -> str:
    first = min((r.auth.expires_at for r in rows if r.auth is not None), default=None)
    n = len(rows)
    if first is None:  # an expiring row always has its authorization; kept total anyway
        return f"{verb} {_channels(n)} soon"
    left = when(dates.days_left(first, now))
    one = "its authorization ends" if n == 1 else "the first authorization ends"
    return f"{verb} {_channels(n)} by {dates.day(first)}: {one} {left}"
