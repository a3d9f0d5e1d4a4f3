"""``main.py check``: test every authorization without the window, for cron or Task Scheduler.

One test per authorization (:mod:`core.services.checks`, the window's own run, paced the same
way), one result per channel. A channel's result is what the window would show after the test
(:func:`core.domain.status.channel_status` and the banner's :func:`core.domain.summary.category`),
so the command and the window never disagree.

Exit codes (:data:`HEALTHY`, :data:`NEEDS_PERSON`, :data:`OWN_ERROR`):

* ``0``: every channel checked is fine;
* ``1``: something needs a person: a reauthorization (revoked, expired, wrong account, or never
  connected), one due within the warning window, the app's credentials, *or a channel Amazon did
  not answer for* (throttled, network, Amazon's own error). That last one needs nobody to change
  anything, but its health is unknown, and after 36 hours of failures orders may be missing
  (DESIGN §3.3), so it is reported with ``needs: "try_later"`` and its own words rather than
  passed off as healthy;
* ``2``: the check could not run: no inventory or an unreadable data folder, no keychain or a
  locked one, incomplete app credentials (argparse already exits 2 on bad arguments).

``--only-expiring`` limits the check to channels whose authorization ends within the warning
window (:data:`core.domain.status.DEFAULT_WARN_DAYS`, 30 days, the same as the badge) or has
ended; channels without an authorization are left out.

Results are recorded as channel health like the window's tests, which needs the inventory's
lock. When the window has the inventory open, the check still tests and reports everything (a
morning check must not fail because someone left the window open), records nothing, and says
so (``recorded: false``); the window's own tests keep its health.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from core.amazon.checks import CheckOutcome
from core.domain import dates
from core.domain.errors import StoreError, UserFacingError
from core.domain.inventory import Channel, Inventory, utcnow
from core.domain.marketplaces import Endpoints
from core.domain.status import DEFAULT_WARN_DAYS, channel_status
from core.domain.summary import Category, category
from core.services import checks
from core.services.checks import CheckSettings
from core.services.lanes import Lanes
from core.services.test_all import scope
from core.services.workspace import Workspace
from core.storage import paths
from core.storage.backups import DB_NAME

log = logging.getLogger(__name__)

HEALTHY, NEEDS_PERSON, OWN_ERROR = 0, 1, 2
#: The JSON's ``version``: bumped when a field changes meaning or goes away (new fields may come).
JSON_VERSION = 1

#: ``needs`` for each summary category (``None``: nothing to do).
_NEEDS: dict[Category, str | None] = {
    Category.HEALTHY: None,
    Category.EXPIRING: "reauthorize_soon",
    Category.CHECK_FAILED: "try_later",
    Category.APP_CREDENTIALS: "app_credentials",
    Category.NEEDS_REAUTHORIZATION: "reauthorize",
}


@dataclass(frozen=True, slots=True)
class ChannelResult:
    """One channel in the report. ``ok``: the channel works now (its test passed, it has not
    expired, it is its own seller's); ``needs``: what a person must do, ``None`` if nothing."""

    id: str
    name: str
    company: str
    seller_id: str | None
    marketplace: str
    marketplace_id: str
    ok: bool
    needs: str | None
    message: str
    tested: bool
    expires_at: datetime | None
    checked_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "company": self.company,
            "seller_id": self.seller_id,
            "marketplace": self.marketplace,
            "marketplace_id": self.marketplace_id,
            "result": {
                "ok": self.ok,
                "needs": self.needs,
                "message": self.message,
                "tested": self.tested,
                "expires_at": _iso(self.expires_at),
                "checked_at": _iso(self.checked_at),
            },
        }


@dataclass(slots=True)
class Report:
    """What ``main.py check`` found; :attr:`exit_code` is what it exits with."""

    where: str
    now: datetime
    only_expiring: bool
    channels: list[ChannelResult] = field(default_factory=list)
    authorizations: int = 0
    recorded: bool = True
    note: str = ""

    @property
    def exit_code(self) -> int:
        return NEEDS_PERSON if any(c.needs for c in self.channels) else HEALTHY

    @property
    def total(self) -> str:
        """The last line: what was checked and how it went."""
        n = len(self.channels)
        if not n:
            if self.only_expiring:
                return f"No authorization ends within {DEFAULT_WARN_DAYS} days in {self.where}."
            return f"No channels in {self.where}."
        tests = dates.count(self.authorizations, "authorization")
        head = f"Checked {tests} for {dates.count(n, 'channel')} in {self.where}"
        fine = sum(1 for c in self.channels if not c.needs)
        later = sum(1 for c in self.channels if c.needs == "try_later")
        person = n - fine - later
        parts = [f"{fine} fine"]
        if person:
            parts.append(f"{person} {'needs' if person == 1 else 'need'} a person")
        if later:
            parts.append(f"{later} could not be checked (try later)")
        return f"{head}: {', '.join(parts)}."

    def lines(self) -> list[str]:
        """The plain summary: one line per channel that needs a person, then the total."""
        out = []
        for c in self.channels:
            if c.needs:
                where = [f"Seller {c.seller_id}"] if c.seller_id else []
                if c.company and not c.name.startswith(c.company):
                    where.insert(0, c.company)
                out.append(f"- {c.name} ({', '.join([*where, c.marketplace])}): {c.message}")
        out.append(self.total)
        if self.note:
            out.append(self.note)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "inventory": self.where,
            "checked_at": _iso(self.now),
            "only_expiring": self.only_expiring,
            "recorded": self.recorded,
            "note": self.note or None,
            "exit_code": self.exit_code,
            "summary": self.total,
            "channels": [c.as_json() for c in self.channels],
        }


def expiring_channel_ids(inventory: Inventory, now: datetime) -> list[str]:
    """Channels whose authorization ends within the warning window or has ended."""
    return [
        c.id
        for c in inventory.channels.values()
        if (auth := inventory.authorization_of(c)) is not None
        and dates.days_left(auth.expires_at, now) <= DEFAULT_WARN_DAYS
    ]


def check(
    workspace: Workspace,
    *,
    only_expiring: bool = False,
    now: Callable[[], datetime] = utcnow,
    endpoints: Endpoints | None = None,
    settings: CheckSettings | None = None,
) -> Report:
    """Test the authorizations behind every channel (or the expiring ones) and report per channel.

    Blocking, on the calling thread. Raises :class:`UserFacingError` when the check cannot run
    (incomplete app credentials, no client secret, the keychain did not answer): exit code 2.
    """
    inventory = workspace.current
    ids = expiring_channel_ids(inventory, now()) if only_expiring else list(inventory.channels)
    chosen = scope(inventory, ids)
    where = "the demo inventory" if workspace.demo else str(workspace.data_file or "the inventory")
    report = Report(where, now(), only_expiring, authorizations=chosen.authorizations)
    outcomes: dict[str, CheckOutcome] = {}
    if chosen.tested:
        run = checks.prepare(workspace, chosen.tested, endpoints=endpoints, settings=settings)
        if isinstance(run, UserFacingError):
            raise run
        failure: list[BaseException] = []
        run.tested.connect(lambda o: outcomes.update(dict.fromkeys(o.target.channel_ids, o)))
        run.failed.connect(failure.append)
        run.start(Lanes.immediate()).result()
        if failure:
            raise failure[0]
    if workspace.read_only:
        report.recorded = False
        report.note = (
            "Not recorded: the SP Connect window has this inventory open, so these results were "
            "not stored in it (the report above is complete). The window's own tests keep it up "
            "to date."
        )
    after = workspace.current  # the health just recorded (in memory too when read-only)
    when = report.now
    for channel_id in (*chosen.tested, *(() if only_expiring else chosen.skipped)):
        report.channels.append(_result(after, after.channels[channel_id], when, outcomes))
    report.channels.sort(key=lambda c: (c.company.casefold(), c.name.casefold(), c.id))
    return report


def _result(
    inv: Inventory, channel: Channel, now: datetime, outcomes: dict[str, CheckOutcome]
) -> ChannelResult:
    status = channel_status(channel, inv, now)
    auth = inv.authorization_of(channel)
    kind = category(status)
    needs = _NEEDS[kind]
    outcome = outcomes.get(channel.id)
    # The first badge says what a person must do (most urgent first); a clean test says why
    # it is fine ("Working as <store>: 5 marketplace(s).").
    if needs and auth is not None and status.health:
        badge = status.health[0]
        message = f"{badge.text}: {badge.detail}"
    elif needs:  # no authorization at all: MWS only, or never connected
        what = "MWS only" if channel.has_mws else "Not connected"
        message = (
            f"{what}: there is no Selling Partner API authorization to test. Reauthorize this "
            "channel to connect it."
        )
    else:
        message = outcome.message if outcome is not None else channel.health.message
    company = inv.companies.get(channel.company_id)
    market = channel.marketplace
    return ChannelResult(
        id=channel.id,
        name=channel.name or market.label,
        company=company.name if company is not None else "",
        seller_id=channel.seller_id,
        marketplace=market.code,
        marketplace_id=market.id,
        ok=kind in (Category.HEALTHY, Category.EXPIRING),
        needs=needs,
        message=message,
        tested=outcome is not None,
        expires_at=auth.expires_at if auth is not None else None,
        checked_at=channel.health.checked_at if outcome is not None else None,
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def print_report(report: Report, *, as_json: bool, out: TextIO, err: TextIO) -> None:
    """Write the report: plain lines, or one JSON object (the note also goes to ``err``)."""
    if as_json:
        out.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
        if report.note:
            err.write(report.note + "\n")
        return
    out.write("\n".join(report.lines()) + "\n")


def print_error(error: UserFacingError, *, as_json: bool, out: TextIO, err: TextIO) -> None:
    """The check could not run: say why and the next step (and, with ``--json``, as JSON)."""
    if as_json:
        body = {"message": error.message, "next_step": error.next_step or None}
        out.write(json.dumps({"version": JSON_VERSION, "exit_code": OWN_ERROR, "error": body}))
        out.write("\n")
    err.write(f"error: {error.message}\n")
    if error.next_step:
        err.write(error.next_step + "\n")


def run_command(
    *,
    data_dir: str | None,
    demo: bool,
    as_json: bool,
    only_expiring: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """``main.py check``: open the inventory, check, print; the exit code (see the module)."""
    from core.services.demo import open_demo
    from core.services.opening import open_workspace

    try:
        if not demo:
            folder = paths.data_dir(data_dir)
            if not (folder / DB_NAME).exists():  # a check never creates an empty inventory
                raise StoreError(f"There is no inventory in {folder}.", "Check the folder name.")
        workspace = open_demo() if demo else open_workspace(data_dir)
    except UserFacingError as exc:
        print_error(exc, as_json=as_json, out=out, err=err)
        return OWN_ERROR
    try:
        problem = workspace.secrets_problem
        if problem is not None:
            raise problem
        report = check(workspace, only_expiring=only_expiring)
    except UserFacingError as exc:
        print_error(exc, as_json=as_json, out=out, err=err)
        return OWN_ERROR
    except Exception:  # a bug: its traceback goes to the log, and cron sees a failure of ours
        log.exception("the check stopped on an unexpected error")
        return OWN_ERROR
    finally:
        workspace.close()
    print_report(report, as_json=as_json, out=out, err=err)
    return report.exit_code
