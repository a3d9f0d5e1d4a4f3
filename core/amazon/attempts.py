"""Consent attempts: the single-use ``state`` that binds Amazon's answer to one started consent.

An :class:`Attempt` is bound to one :class:`ConsentTarget` (one seller in one region), lives
:data:`ATTEMPT_LIFETIME`, and is used up by the first :meth:`ConsentAttempts.claim` of its state.

**State format.** ``<random>`` or ``<random>.<port>``: ``<random>`` is
``secrets.token_urlsafe(32)`` (43 characters of ``A-Z a-z 0-9 - _``, 256 bits, as Login with
Amazon's CSRF guidance asks) and ``<port>`` the decimal port of the app's loopback listener, when
one runs. The random part never contains a ``.``, so the static hand-off page
(``resources/handoff.html``) finds the port as the text after the *last* ``.``. The whole value,
port included, is what Amazon echoes and what is compared.

Amazon documents no PKCE for the SP-API consent: ``state`` is the whole defence, with the
``selling_partner_id`` check after it (:func:`core.amazon.consent.complete`). Amazon asks for a
short-lived state, unique to the user, checked when the answer comes back.

Sources: Login with Amazon's CSRF guidance,
https://developer.amazon.com/docs/login-with-amazon/cross-site-request-forgery.html, and
"Website authorization workflow", Step 1, in Amazon's archived SP-API developer guide,
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from core.domain import marketplaces
from core.domain.errors import UserFacingError
from core.domain.inventory import Inventory, utcnow
from core.domain.marketplaces import Marketplace, Region
from core.domain.plan import PlanItem, consent_seller_id

#: A consent must come back within this time of being started (ARCHITECTURE.md, "Consent").
ATTEMPT_LIFETIME = timedelta(minutes=10)
#: How long a finished attempt is remembered, so that a replay says "already used".
_REMEMBER = timedelta(hours=1)
#: ``secrets.token_urlsafe(32)``: 32 random bytes, 43 characters.
STATE_BYTES = 32

RESTART_CONSENT = "Start the consent again from SP Connect."


@dataclass(frozen=True, slots=True)
class ConsentTarget:
    """What one consent is for: one seller account in one region.

    ``marketplace_id`` is the lead marketplace, whose Seller Central site the consent opens;
    ``expected_seller_id`` is ``None`` when nobody knows the account yet (the returned one is
    then shown for confirmation).
    """

    channel_ids: tuple[str, ...]
    region: Region
    marketplace_id: str
    expected_seller_id: str | None
    label: str

    @property
    def marketplace(self) -> Marketplace:
        return marketplaces.get(self.marketplace_id)

    @classmethod
    def from_plan_item(cls, item: PlanItem) -> ConsentTarget:
        return cls(
            item.channel_ids, item.region, item.lead_marketplace_id, item.seller_id, item.title
        )

    @classmethod
    def for_channel(cls, inventory: Inventory, channel_id: str) -> ConsentTarget:
        """A consent for one channel (its coverage still extends to the seller's others)."""
        channel = inventory.channels[channel_id]
        company = inventory.companies.get(channel.company_id)
        name = company.name if company is not None else channel.name
        label = f"{name} {channel.marketplace.label}".strip()
        seller = consent_seller_id(channel, inventory)
        return cls((channel_id,), channel.region, channel.marketplace_id, seller, label)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One started consent. ``state`` is what Amazon must echo back (see the module docstring)."""

    state: str = field(repr=False)
    target: ConsentTarget
    started_at: datetime
    expires_at: datetime
    port: int | None = None
    #: The ``redirect_uri`` its consent link named (``""``: none, Amazon used the app's first
    #: registered one; ``None``: not recorded). The code exchange must name the same one.
    redirect_uri: str | None = None


class RefusalReason(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class ConsentRefused(UserFacingError):
    """The returned ``state`` does not belong to a live attempt; nothing was sent to Amazon."""

    def __init__(
        self, reason: RefusalReason, message: str, next_step: str = RESTART_CONSENT
    ) -> None:
        super().__init__(message, next_step)
        self.reason = reason


@dataclass(slots=True)
class _Record:
    attempt: Attempt
    key: bytes
    finished: RefusalReason | None = None  # USED or CANCELLED once it is over


def port_from_state(state: str) -> int | None:
    """The loopback port carried in ``state`` (the part after the last ``.``), if any."""
    _, dot, suffix = state.rpartition(".")
    if not dot or not suffix.isascii() or not suffix.isdigit() or len(suffix) > 5:
        return None
    port = int(suffix)
    return port if 0 < port < 65536 else None


class ConsentAttempts:
    """The live consent attempts of this app session. Thread-safe.

    Attempts live in memory only: a restarted app accepts no earlier consent (start again).
    """

    def __init__(self, lifetime: timedelta = ATTEMPT_LIFETIME) -> None:
        self._lifetime = lifetime
        self._lock = threading.Lock()
        self._records: list[_Record] = []

    def start(
        self,
        target: ConsentTarget,
        *,
        now: datetime | None = None,
        port: int | None = None,
        redirect_uri: str | None = None,
    ) -> Attempt:
        """A new attempt with a fresh state; ``port`` is the loopback listener's, if one runs;
        ``redirect_uri`` is the one its consent link names (see :attr:`Attempt.redirect_uri`)."""
        at = now or utcnow()
        state = secrets.token_urlsafe(STATE_BYTES)
        if port is not None:
            if not 0 < port < 65536:
                raise ValueError("port out of range")
            state = f"{state}.{port}"
        attempt = Attempt(state, target, at, at + self._lifetime, port, redirect_uri)
        with self._lock:
            self._forget_old(at)
            self._records.append(_Record(attempt, state.encode("ascii")))
        return attempt

    def claim(self, state: str, now: datetime | None = None) -> Attempt:
        """The attempt ``state`` belongs to, used up by this call.

        Every remembered attempt is compared in constant time (:func:`hmac.compare_digest`),
        without stopping at a match, so timing tells nothing about how close a guess was.

        Raises:
            ConsentRefused: Unknown state, already used, cancelled, or expired.
        """
        at = now or utcnow()
        given = state.encode("utf-8", errors="replace")
        with self._lock:
            found: _Record | None = None
            for record in self._records:
                if hmac.compare_digest(record.key, given):
                    found = record
            if found is None:
                raise ConsentRefused(
                    RefusalReason.UNKNOWN,
                    "This answer from Amazon does not belong to a consent SP Connect started "
                    "(or SP Connect was restarted since).",
                )
            if found.finished is RefusalReason.USED:
                raise ConsentRefused(
                    RefusalReason.USED, "This authorization was already used: start again."
                )
            if found.finished is RefusalReason.CANCELLED:
                raise ConsentRefused(
                    RefusalReason.CANCELLED, "This consent was cancelled in SP Connect."
                )
            found.finished = RefusalReason.USED  # single use, even when refused below
            if at >= found.attempt.expires_at:
                minutes = int(self._lifetime.total_seconds() // 60)
                raise ConsentRefused(
                    RefusalReason.EXPIRED,
                    f"This consent was started more than {minutes} minutes ago, so SP Connect "
                    "no longer accepts it.",
                    f"Start the consent again and finish it within {minutes} minutes.",
                )
            return found.attempt

    def cancel(self, attempt: Attempt) -> None:
        """The person gave up: a late answer to this attempt is refused."""
        with self._lock:
            for record in self._records:
                if record.attempt is attempt and record.finished is None:
                    record.finished = RefusalReason.CANCELLED

    def expects(self, state: str) -> bool:
        """Whether ``state`` belongs to an attempt not yet used or cancelled; uses nothing up.

        For the loopback listener: a request that carries no such state (a page guessing the
        port) must not take the listener's one answer. An *expired* attempt still counts, so
        that :meth:`claim` can tell the person it expired instead of it vanishing.
        """
        given = state.encode("utf-8", errors="replace")
        with self._lock:
            matches = [
                r for r in self._records if hmac.compare_digest(r.key, given) and r.finished is None
            ]
        return bool(matches)

    def live(self, now: datetime | None = None) -> tuple[Attempt, ...]:
        """Attempts still waiting for Amazon's answer."""
        at = now or utcnow()
        with self._lock:
            return tuple(
                r.attempt for r in self._records if r.finished is None and at < r.attempt.expires_at
            )

    def _forget_old(self, now: datetime) -> None:
        self._records = [r for r in self._records if now < r.attempt.expires_at + _REMEMBER]
