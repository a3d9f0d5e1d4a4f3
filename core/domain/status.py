"""Status badges and health overlays of a channel: derived on demand, never stored.

A channel shows one API badge (which API its credentials reach) and any number of health
overlays (what is wrong with them). Every badge carries text and a tooltip sentence saying what
it means and the one next step, so the GUI never relies on colour alone: a badge must read the
same to someone who cannot tell its colours apart.

Days until expiry are local calendar days (:func:`core.domain.dates.days_left`) and go through
the steps of :mod:`core.domain.expiry`: "Expires in N days" from 30 days, "Urgent: N
days left" from 7 (an error, not a warning) down to "Urgent: ends today", "Expired" once the
moment has passed. Dates in the
tooltips are in the person's local time (:mod:`core.domain.dates`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from core.domain import dates
from core.domain.expiry import URGENT_DAYS, WARN_DAYS, ExpiryStep, expiry_step
from core.domain.inventory import Authorization, Channel, CheckResult, Inventory

#: Show "Expires in N days" this many days before an authorization ends. Amazon starts
#: reminding sellers about a month ahead, so the same window gives them time to act.
DEFAULT_WARN_DAYS = WARN_DAYS
#: A connection failing this long (or longer) means orders from that time may need entering by
#: hand and a full inventory sync is due once it works again. Amazon documents no such limit:
#: 36 hours is a product choice, about a day and a half of orders that may not have arrived.
FAILING_WARN = timedelta(hours=36)


class ApiBadge(StrEnum):
    """Which Amazon API a channel's credentials reach. The value is the badge text."""

    MWS = "MWS"  # legacy MWS credentials only: must be reauthorized
    HYBRID = "MWS/SP-API"
    SP_API = "SP-API"
    NOT_CONNECTED = "Not connected"


class HealthKind(StrEnum):
    """A health overlay, declared most urgent first (badges are listed in this order)."""

    WRONG_ACCOUNT = "wrong_account"
    EXPIRED = "expired"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    APP_CREDENTIALS = "app_credentials"
    EXPIRES_URGENT = "expires_urgent"  # within URGENT_DAYS: still working, but act now
    ORDERS_GAP = "orders_gap"  # failing for FAILING_WARN or longer
    EXPIRES_SOON = "expires_soon"
    CHECK_FAILED = "check_failed"
    UNSAVED = "unsaved"


class Severity(IntEnum):
    """How bad a status is, for sorting and colour (colour is never the only cue)."""

    OK = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


_KIND_SEVERITY: dict[HealthKind, Severity] = {
    HealthKind.WRONG_ACCOUNT: Severity.ERROR,
    HealthKind.EXPIRED: Severity.ERROR,
    HealthKind.NEEDS_REAUTHORIZATION: Severity.ERROR,
    HealthKind.APP_CREDENTIALS: Severity.ERROR,
    HealthKind.EXPIRES_URGENT: Severity.ERROR,
    HealthKind.ORDERS_GAP: Severity.WARNING,
    HealthKind.EXPIRES_SOON: Severity.WARNING,
    HealthKind.CHECK_FAILED: Severity.WARNING,  # try later: not the seller's fault
    HealthKind.UNSAVED: Severity.INFO,
}
_API_SEVERITY: dict[ApiBadge, Severity] = {
    ApiBadge.MWS: Severity.ERROR,  # MWS is retired: these credentials no longer reach Amazon
    ApiBadge.HYBRID: Severity.OK,
    ApiBadge.SP_API: Severity.OK,
    ApiBadge.NOT_CONNECTED: Severity.WARNING,
}
_KIND_ORDER = {kind: index for index, kind in enumerate(HealthKind)}
#: Overlays that only a new consent by the seller can clear.
_CONSENT_KINDS = frozenset(
    {HealthKind.EXPIRED, HealthKind.NEEDS_REAUTHORIZATION, HealthKind.WRONG_ACCOUNT}
)


class HealthBadge:
    """One health overlay: short badge ``text`` and a plain-words tooltip ``detail``.

    ``detail`` may be given as a function of two values (``a``, ``b``) that says it: the
    sentence is then written when first read (a tooltip, a report), not for each of tens of
    thousands of channels whose status is derived to paint the tree. The values are ones fixed
    when the status was derived (the frozen channel and authorization records, ``now``), so
    the sentence is the same whenever it is read; a change derives a new status. Kept in slots,
    not a closure: no extra objects per badge for the garbage collector to walk at midnight.
    """

    __slots__ = ("_a", "_b", "_detail", "kind", "text")

    def __init__(
        self,
        kind: HealthKind,
        text: str,
        detail: str | Callable[[Any, Any], str],
        a: object = None,
        b: object = None,
    ) -> None:
        self.kind, self.text = kind, text
        self._detail, self._a, self._b = detail, a, b

    @property
    def detail(self) -> str:
        detail = self._detail
        if not isinstance(detail, str):
            detail = self._detail = detail(self._a, self._b)  # written once, then kept
            self._a = self._b = None
        return detail

    @property
    def severity(self) -> Severity:
        return _KIND_SEVERITY[self.kind]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HealthBadge):
            return NotImplemented
        return (self.kind, self.text, self.detail) == (other.kind, other.text, other.detail)

    def __hash__(self) -> int:
        return hash((self.kind, self.text))

    def __repr__(self) -> str:
        return f"HealthBadge(kind={self.kind!r}, text={self.text!r}, detail={self.detail!r})"


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """A channel's derived status.

    ``expires_in_days`` counts whole days (rounded up) until the channel's authorization ends:
    zero or less once it has ended, ``None`` when the channel has no authorization.
    """

    api: ApiBadge
    health: tuple[HealthBadge, ...]
    severity: Severity
    expires_in_days: int | None = None

    @property
    def kinds(self) -> frozenset[HealthKind]:
        return frozenset(b.kind for b in self.health)

    def badge(self, kind: HealthKind) -> HealthBadge | None:
        """The overlay of this kind, or ``None``."""
        return next((b for b in self.health if b.kind is kind), None)

    @property
    def needs_reauthorization(self) -> bool:
        """The seller must give a new consent: nothing else will make this channel work."""
        if self.api in (ApiBadge.MWS, ApiBadge.NOT_CONNECTED):
            return True
        return any(b.kind in _CONSENT_KINDS for b in self.health)

    @property
    def text(self) -> str:
        """Every badge as one line, for reports and screen readers: ``SP-API, Expired``."""
        return ", ".join([self.api.value, *(b.text for b in self.health)])


def channel_status(
    channel: Channel,
    inventory: Inventory,
    now: datetime,
    *,
    pending: bool = False,
    warn_days: int = DEFAULT_WARN_DAYS,
    urgent_days: int = URGENT_DAYS,
) -> ChannelStatus:
    """Derive a channel's badges from its record, its authorization and its last check.

    Args:
        channel: The channel.
        inventory: The inventory holding the channel's authorization (the working copy, with
            pending changes applied, when there are any).
        now: The current time (timezone-aware).
        pending: The channel has a change that is not saved yet.
        warn_days: Show "Expires in N days" when N is at most this.
        urgent_days: Show the urgent "Urgent: N days left" when N is at most this.

    Returns:
        The API badge, the health overlays (most urgent first) and the overall severity.
    """
    auth = inventory.authorization_of(channel)
    api = _api_badge(channel.has_mws, auth is not None)
    badges: list[HealthBadge] = []
    expires_in: int | None = None
    if auth is not None:
        expires_in = dates.days_left(auth.expires_at, now)
        step = expiry_step(
            expires_in, ended=now >= auth.expires_at, warn_days=warn_days, urgent_days=urgent_days
        )
        if step is ExpiryStep.EXPIRED:
            badges.append(_expired(auth))
        elif step is not ExpiryStep.LATER:
            badges.append(_expires_soon(auth, expires_in, urgent=step is ExpiryStep.URGENT))
    health = channel.health
    result = health.result
    if result is CheckResult.WRONG_ACCOUNT or _seller_mismatch(channel, auth):
        badges.append(_wrong_account(channel, auth))
    if result is CheckResult.NEEDS_REAUTHORIZATION:
        badges.append(_needs_reauthorization(channel, now))
    elif result is CheckResult.FAILED:
        badges.append(_check_failed(channel, now))
    elif result is CheckResult.APP_CREDENTIALS:
        badges.append(_app_credentials(channel))
    if failing_too_long(channel, now):
        badges.append(_orders_gap(channel, now))
    if pending:
        badges.append(
            HealthBadge(
                HealthKind.UNSAVED,
                "Unsaved",
                "This channel has a change that is not saved yet. Click Save to keep it, "
                "or Revert to drop it.",
            )
        )
    badges.sort(key=lambda b: _KIND_ORDER[b.kind])
    severity = max([_API_SEVERITY[api], *(b.severity for b in badges)])
    return ChannelStatus(api, tuple(badges), severity, expires_in)


def failing_too_long(channel: Channel, now: datetime) -> bool:
    """Whether the channel's connection has been failing for :data:`FAILING_WARN` or longer.

    Exactly 36 hours counts: the warning starts at the boundary, not a moment after it.
    """
    health = channel.health
    if health.result is None or health.result is CheckResult.OK:
        return False
    return health.failing_since is not None and now - health.failing_since >= FAILING_WARN


def gap_sentence(start: datetime, end: datetime) -> str:
    """What a long failure means for the seller, with the window's dates, in plain words."""
    return (
        f"Orders from {dates.day_time(start)} to {dates.day_time(end)} may have to be entered "
        "by hand, and a full inventory sync is due once it is reconnected."
    )


# --- the badges ------------------------------------------------------------------------------


def _api_badge(has_mws: bool, has_authorization: bool) -> ApiBadge:
    if has_authorization:
        return ApiBadge.HYBRID if has_mws else ApiBadge.SP_API
    return ApiBadge.MWS if has_mws else ApiBadge.NOT_CONNECTED


def _seller_mismatch(channel: Channel, auth: Authorization | None) -> bool:
    expected = (channel.seller_id or "").strip().upper()
    if not expected or auth is None:
        return False
    return auth.seller_id.strip().upper() != expected


# Each tooltip sentence is written when first read (see HealthBadge), by a function of the
# frozen records and the ``now`` the status was derived for.


def _expired(auth: Authorization) -> HealthBadge:
    return HealthBadge(HealthKind.EXPIRED, "Expired", _expired_detail, auth)


def _expired_detail(auth: Authorization, _: object) -> str:
    return (
        f"This connection ended on {dates.day(auth.expires_at)}{_confirmed(auth)}: Amazon asks "
        "sellers to renew their authorization every year. Reauthorize it to connect again."
    )


def _expires_soon(auth: Authorization, left: int, *, urgent: bool) -> HealthBadge:
    if urgent:
        return HealthBadge(
            HealthKind.EXPIRES_URGENT,
            "Urgent: ends today" if left <= 0 else f"Urgent: {dates.count(left, 'day')} left",
            _ends_detail,
            auth,
            "Reauthorize it now: after that day orders stop coming through.",
        )
    return HealthBadge(
        HealthKind.EXPIRES_SOON,
        f"Expires in {dates.count(left, 'day')}",
        _ends_detail,
        auth,
        "Reauthorize it before then so nothing stops.",
    )


def _ends_detail(auth: Authorization, step: str) -> str:
    ends = f"This connection ends on {dates.day(auth.expires_at)}{_confirmed(auth)}"
    return f"{ends}: Amazon asks sellers to renew their authorization every year. {step}"


def _confirmed(auth: Authorization) -> str:
    return " (the date Seller Central shows)" if auth.expiry_confirmed else ""


def _wrong_account(channel: Channel, auth: Authorization | None) -> HealthBadge:
    return HealthBadge(
        HealthKind.WRONG_ACCOUNT, "Wrong account", _wrong_account_detail, channel, auth
    )


def _wrong_account_detail(channel: Channel, auth: Authorization | None) -> str:
    expected = channel.seller_id
    if auth is not None and _seller_mismatch(channel, auth):
        what = (
            f"This connection belongs to the Amazon account with Seller ID {auth.seller_id}, "
            f"but this channel's Seller ID is {expected}."
        )
    else:
        what = "The last authorization was given from a different Amazon account than expected."
    if expected:
        step = (
            f"Reauthorize, and in Seller Central's account switcher choose the account with "
            f"Seller ID {expected}."
        )
    else:
        step = "Reauthorize, and in Seller Central's account switcher choose this store's account."
    return f"{what} {step}"


def _needs_reauthorization(channel: Channel, now: datetime) -> HealthBadge:
    return HealthBadge(
        HealthKind.NEEDS_REAUTHORIZATION,
        "Needs reauthorization",
        _needs_reauthorization_detail,
        channel,
        now,
    )


def _needs_reauthorization_detail(channel: Channel, now: datetime) -> str:
    return (
        "Amazon no longer accepts this connection (the seller may have removed or disabled the "
        f"app in Seller Central).{_since(channel, now)} Reauthorize it to connect again."
    )


def _check_failed(channel: Channel, now: datetime) -> HealthBadge:
    return HealthBadge(HealthKind.CHECK_FAILED, "Check failed", _check_failed_detail, channel, now)


def _check_failed_detail(channel: Channel, now: datetime) -> str:
    return (
        "The last check could not get an answer from Amazon (a network or Amazon problem, not "
        f"the seller's).{_message(channel)}{_since(channel, now)} Check again later."
    )


def _orders_gap(channel: Channel, now: datetime) -> HealthBadge:
    since = channel.health.failing_since or now
    return HealthBadge(HealthKind.ORDERS_GAP, "Orders may be missing", _gap_detail, since, now)


def _gap_detail(since: datetime, now: datetime) -> str:
    return (
        f"This connection has been failing since {dates.day_time(since)} "
        f"({dates.span(since, now)}). {gap_sentence(since, now)}"
    )


def _app_credentials(channel: Channel) -> HealthBadge:
    return HealthBadge(HealthKind.APP_CREDENTIALS, "App credentials", _app_detail, channel)


def _app_detail(channel: Channel, _: object) -> str:
    return (
        "Amazon refused the app's own credentials (for example an expired client secret). "
        f"This is not the seller's doing.{_message(channel)} Whoever manages the app must "
        "update them in Amazon > App credentials."
    )


def _since(channel: Channel, now: datetime) -> str:
    since = channel.health.failing_since
    if since is None:
        return ""
    # Past FAILING_WARN the "Orders may be missing" badge says what that means for orders.
    return f" It has been failing since {dates.day_time(since)} ({dates.span(since, now)})."


def _message(channel: Channel) -> str:
    message = channel.health.message.strip().rstrip(".")
    return f" Details: {message}." if message else ""
