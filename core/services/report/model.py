"""What the printable report says, computed once for both renderings (HTML and PDF). No Qt here.

A report is for a person who reads it on paper or offline: every word comes from the same rules
the window uses (:func:`core.domain.status.channel_status`, the banner's categories in
:mod:`core.domain.summary`, the plan of :mod:`core.domain.plan`, the dates of
:mod:`core.domain.dates`), so the report and the window never disagree. It names keychain entries
nowhere and reads no secret: building it needs neither the keychain nor the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from core.domain import dates
from core.domain.inventory import Authorization, Inventory
from core.domain.plan import build_plan
from core.domain.plan_progress import PlanEntry, PlanState, Progress, checklist
from core.domain.seller_central import app_status_text
from core.domain.status import DEFAULT_WARN_DAYS, ChannelStatus, channel_status
from core.domain.summary import Category, category
from core.services.view.badges import Badge, Tone, channel_badges

#: How far the expiry timeline looks ahead: this month and the eleven after it.
TIMELINE_MONTHS = 12
PLAN_TITLE = "Reauthorization plan"

#: The banner's categories, in its order, with the words a report shows and the tone of the bar.
CATEGORY_WORDS: tuple[tuple[Category, str, Tone], ...] = (
    (Category.NEEDS_REAUTHORIZATION, "Need reauthorization", Tone.ERROR),
    (Category.EXPIRING, f"Expire within {DEFAULT_WARN_DAYS} days", Tone.WARNING),
    (Category.CHECK_FAILED, "Could not be checked", Tone.WARNING),
    (Category.APP_CREDENTIALS, "Blocked by the app's credentials", Tone.ERROR),
    (Category.HEALTHY, "Fine", Tone.OK),
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CHECK_WORDS = {
    "ok": "OK",
    "needs_reauthorization": "refused: needs reauthorization",
    "wrong_account": "wrong account",
    "app_credentials": "app credentials refused",
    "failed": "no answer from Amazon",
}


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the summary chart: how many channels count in one category."""

    label: str
    count: int
    tone: Tone


@dataclass(frozen=True, slots=True)
class Ending:
    """One authorization ending within the timeline: which seller, when, how many channels."""

    day: date
    seller: str
    channels: int


@dataclass(frozen=True, slots=True)
class Month:
    """One month of the timeline and the authorizations that end in it."""

    first_day: date
    label: str
    endings: tuple[Ending, ...]

    @property
    def count(self) -> int:
        return len(self.endings)


@dataclass(frozen=True, slots=True)
class PlanChannel:
    """One channel a consent covers; ``name`` is empty when the channel has no name of its own."""

    company: str
    name: str
    marketplace: str
    reason: str

    @property
    def text(self) -> str:
        """``Alpine Trail Outfitters, Amazon Spain (ES): Expires in 19 days``."""
        named = f", {self.name}" if self.name else ""
        return f"{self.company}{named}, Amazon {self.marketplace}: {self.reason}"


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One consent of the plan, in words: where to sign in, which account, what it covers."""

    number: int
    title: str
    seller_central_url: str
    account_hint: str
    marketplaces: tuple[str, ...]
    channels: tuple[PlanChannel, ...]
    state: str = "To do"  # support staff's progress: "Failed, 3 Dec 2026, 09:05: Wrong account"


@dataclass(frozen=True, slots=True)
class TableRow:
    """One channel of the full table; ``badges`` carry their words (the tone is only colour)."""

    company: str
    channel: str
    marketplace: str
    seller: str
    badges: tuple[Badge, ...]
    expiry: str
    last_check: str
    app_status: str

    def cells(self, badges: str, escape: Callable[[str], str]) -> tuple[str, ...]:
        """The cells in the table's column order (the HTML's and the PDF's), texts through
        ``escape``, the badges already written in the output's own markup."""
        first = (self.company, self.channel, self.marketplace, self.seller)
        last = (self.expiry, self.last_check, self.app_status)
        return (*map(escape, first), badges, *map(escape, last))


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a printed report shows, in words and counts."""

    inventory_name: str
    exported_at: str
    version: str
    total: int
    companies: int
    bars: tuple[Bar, ...]
    months: tuple[Month, ...]
    already_expired: int
    plan: tuple[PlanStep, ...]
    rows: tuple[TableRow, ...]

    @property
    def in_timeline(self) -> int:
        return sum(m.count for m in self.months)


def build_report(
    inventory: Inventory,
    now: datetime,
    *,
    inventory_name: str,
    version: str,
    pending_channel_ids: frozenset[str] = frozenset(),
    plan_notes: Mapping[str, Progress] | None = None,
) -> ReportData:
    """The report of ``inventory`` as of ``now`` (timezone-aware), dates in local time.

    ``plan_notes`` are the plan's states by item key (:mod:`core.services.plan_notes`).
    """
    statuses = {
        c.id: channel_status(c, inventory, now, pending=c.id in pending_channel_ids)
        for c in inventory.channels.values()
    }
    counts = Counter(category(s) for s in statuses.values())
    bars = tuple(Bar(words, counts[cat], tone) for cat, words, tone in CATEGORY_WORDS)
    months, expired = _timeline(inventory, now)
    return ReportData(
        inventory_name=inventory_name,
        exported_at=dates.day_time(now),
        version=version,
        total=len(inventory.channels),
        companies=len(inventory.companies),
        bars=bars,
        months=months,
        already_expired=expired,
        plan=_plan(inventory, now, pending_channel_ids, plan_notes or {}),
        rows=_rows(inventory, statuses),
    )


def _in_use(inventory: Inventory) -> dict[str, tuple[Authorization, int]]:
    """The authorizations channels point at (earlier grants kept for Roll back are not)."""
    used: Counter[str] = Counter(
        c.authorization_id for c in inventory.channels.values() if c.authorization_id
    )
    return {
        auth_id: (inventory.authorizations[auth_id], n)
        for auth_id, n in used.items()
        if auth_id in inventory.authorizations
    }


def _timeline(inventory: Inventory, now: datetime) -> tuple[tuple[Month, ...], int]:
    today = dates.local_day(now)
    firsts = [_add_months(today.replace(day=1), i) for i in range(TIMELINE_MONTHS)]
    end = _add_months(firsts[0], TIMELINE_MONTHS)
    by_month: dict[date, list[Ending]] = {first: [] for first in firsts}
    expired = 0
    for auth, channels in _in_use(inventory).values():
        ends = dates.local_day(auth.expires_at)
        if dates.days_left(auth.expires_at, now) <= 0:
            expired += 1
        elif ends < end:
            by_month[ends.replace(day=1)].append(Ending(ends, auth.seller_id, channels))
    months = tuple(
        Month(
            first,
            f"{_MONTHS[first.month - 1]} {first.year}",
            tuple(sorted(by_month[first], key=lambda e: (e.day, e.seller))),
        )
        for first in firsts
    )
    return months, expired


def _add_months(first: date, n: int) -> date:
    index = first.month - 1 + n
    return date(first.year + index // 12, index % 12 + 1, 1)


def _plan(
    inventory: Inventory, now: datetime, pending: frozenset[str], notes: Mapping[str, Progress]
) -> tuple[PlanStep, ...]:
    steps = []
    items = build_plan(inventory, now, pending_channel_ids=pending)
    states = {e.key: state_text(e) for e in checklist(items, inventory, notes, now)}
    for number, item in enumerate(items, 1):
        covered = []
        markets: list[str] = []
        for channel_id, reason in zip(item.channel_ids, item.reasons, strict=True):
            channel = inventory.channels[channel_id]
            company = inventory.companies.get(channel.company_id)
            label = channel.marketplace.label
            if label not in markets:
                markets.append(label)
            covered.append(
                PlanChannel(
                    company.name if company is not None else "",
                    channel.name if channel.name != label else "",
                    label,
                    reason,
                )
            )
        steps.append(
            PlanStep(
                number,
                item.title,
                item.seller_central_url,
                item.account_hint,
                tuple(markets),
                tuple(covered),
                states.get(item.key, PlanState.TO_DO.words),
            )
        )
    return tuple(steps)


def state_text(entry: PlanEntry) -> str:
    """The state for paper: when (a date, not "ago": paper is read later) and the reason."""
    text = entry.state.words
    if entry.state_changed_at is not None and entry.state is not PlanState.TO_DO:
        text += f", {dates.day_time(entry.state_changed_at)}"
    return f"{text}: {entry.reason}" if entry.reason else text


def _rows(inventory: Inventory, statuses: dict[str, ChannelStatus]) -> tuple[TableRow, ...]:
    rows = []
    for channel in inventory.channels.values():
        company = inventory.companies.get(channel.company_id)
        auth = inventory.authorization_of(channel)
        status = statuses[channel.id]
        health = channel.health
        if health.checked_at is None:
            checked = "Never"
        else:
            result = _CHECK_WORDS.get(health.result.value, "") if health.result else ""
            checked = dates.day_time(health.checked_at) + (f" ({result})" if result else "")
        rows.append(
            TableRow(
                company=company.name if company is not None else "",
                channel=channel.name or channel.marketplace.label,
                marketplace=channel.marketplace.label,
                seller=channel.seller_id or "Not recorded",
                badges=channel_badges(status),
                expiry="No authorization" if auth is None else dates.day(auth.expires_at),
                last_check=checked,
                app_status=app_status_text(channel),
            )
        )
    rows.sort(key=lambda r: (r.company.casefold(), r.company, r.marketplace, r.channel))
    return tuple(rows)
