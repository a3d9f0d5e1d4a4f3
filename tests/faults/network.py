"""The network through the simulator: timeouts, dropped connections, 500s, 429 storms, wrong region.

Each case runs Test connection (the service, :mod:`core.services.checks`) against a simulator
with one fault, and checks:

* bounded retries: the simulator's request log holds at most ``attempts`` calls per request;
* a 429 from ``getMarketplaceParticipations`` (Amazon's rate 0.016 requests/s,
  https://developer-docs.amazon.com/sp-api/docs/sellers-api-v1-reference) is not retried
  before 1/rate, the rate read from ``x-amzn-RateLimit-Limit`` (the simulator's usage plan runs
  at 0.5/s here, so a correct wait costs 2 s, not a minute);
* the right health: a fault of the network or of Amazon is ``failed`` (try later), never
  "needs reauthorization" or "app credentials";
* a wrong region (a token used on another region's host) is said as such, once the simulator
  has regional hosts (``Simulator(regional_hosts=True)``); until then: not available.

Timeouts use the clients directly with a short read timeout (the service's is 20 s).
:mod:`tests.faults.network_gui` runs the window part in a child process: the GUI's event loop
never stalls over 100 ms while a faulty Test connection runs.
"""

from __future__ import annotations

import http.client
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from core.amazon.checks import CheckSettings
from core.amazon.http import AmazonError
from core.amazon.lwa import LwaClient
from core.domain.changes import add_channel, set_authorization
from core.domain.inventory import Authorization, AuthSource, Channel, CheckResult, new_id
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.checks import CheckRun, prepare
from core.services.lanes import Lanes
from core.services.workspace import Workspace
from core.simulator import Simulator
from core.storage.keychain import MemorySecretStore
from tests.faults._report import KindReport
from tests.integration.consent_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    EU_CODES,
    SELLER,
    Amazon,
    simulator_workspace,
    start_amazon,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "/auth/o2/token"
PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
ATTEMPTS = 3
SETTINGS = CheckSettings(workers=2, requests_per_second=500.0, burst=50, attempts=ATTEMPTS)
CHANNELS = tuple(c.lower() for c in EU_CODES)
GUI_CHILD_TIMEOUT_S = 240  # the child stops itself after 150 s


def grant(ws: Workspace, amazon: Amazon, region: Region = Region.EU) -> None:
    """Give the EU channels a live grant (saved), stored as of ``region``."""
    token = amazon.sim.issue_refresh_token(SELLER, Region.EU, CLIENT_ID)
    auth_id = new_id()
    auth = Authorization.new(
        SELLER, region, AuthSource.SELF_AUTHORIZATION,
        new_refresh_token_ref(ws.namespace, auth_id),
        marketplace_ids=frozenset(by_country(c).id for c in EU_CODES), auth_id=auth_id,
    )  # fmt: skip
    ws.apply(set_authorization(auth, token, CHANNELS))
    ws.save()


Judge = Callable[[Simulator, float], str | None]
Case = tuple[str, Callable[[Simulator], object], Judge, CheckResult | None]
#: The simulator's Sellers API rate in the 429 case; it says so in ``x-amzn-RateLimit-Limit``.
THROTTLED_RATE = 0.5


def exhaust_participations(sim: Simulator) -> None:
    """Use up the seller's and app's one request of a 0.5/s, burst 1 usage plan: the next
    ``getMarketplaceParticipations`` gets Amazon's 429 ``QuotaExceeded``, with
    ``x-amzn-RateLimit-Limit`` and, as Amazon, no ``Retry-After`` (a simulator that still
    sends one, as before issue 8, tells the client when to retry)."""
    sim.set_rate_limits(THROTTLED_RATE, 1)
    sim.usage_plan.send_retry_after = False  # type: ignore[attr-defined]
    app = sim.app_by_client_id(CLIENT_ID)
    assert app is not None
    access = sim.refresh(app, sim.issue_refresh_token(SELLER, Region.EU, CLIENT_ID).reveal())
    url = sim.endpoints.sp_api_host(Region.EU) + PARTICIPATIONS
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        conn.request("GET", parts.path, headers={"x-amz-access-token": access or ""})
        conn.getresponse().read()
    finally:
        conn.close()


def at_most(path: str, limit: int) -> Judge:
    def bounded(sim: Simulator, _elapsed: float) -> str | None:
        seen = sim.count(path)
        return None if seen <= limit else f"{seen} requests to {path} (at most {limit} allowed)"

    return bounded


def exactly(path: str, wanted: int, why: str) -> Judge:
    def count(sim: Simulator, _elapsed: float) -> str | None:
        seen = sim.count(path)
        return None if seen == wanted else f"{seen} requests to {path}, expected {wanted}: {why}"

    return count


def not_before_rate(sim: Simulator, elapsed: float) -> str | None:
    """After a 429, the next participations call waits at least 1/rate, or none is made."""
    seen, wait = sim.count(PARTICIPATIONS), 1 / THROTTLED_RATE
    if seen == 1 or (seen == 2 and elapsed >= wait):
        return None
    return (
        f"{seen} requests to {PARTICIPATIONS} within {elapsed:.1f} s: a 429 at "
        f"{THROTTLED_RATE:g} requests/s must not be retried sooner than {wait:g} s"
    )


def bare_429_not_retried_soon(sim: Simulator, elapsed: float) -> str | None:
    """A 429 with no header at all: 1/rate is the documented 0.016/s, a minute."""
    seen, wait = sim.count(PARTICIPATIONS), 1 / 0.016
    if seen == 1 or (seen == 2 and elapsed >= wait):
        return None
    return f"{seen} requests to {PARTICIPATIONS} within {elapsed:.1f} s after a bare 429"


#: Only in full runs: a correct client waits a minute (or stops) here.
SLOW_CASES: list[Case] = [
    ("bare 429 from getMarketplaceParticipations",
     lambda s: s.faults.fail_next(1, status=429, path=PARTICIPATIONS),
     bare_429_not_retried_soon, None),
]  # fmt: skip

CASES: list[Case] = [
    ("500 storm", lambda s: s.faults.fail_next(None), at_most(TOKEN, ATTEMPTS), CheckResult.FAILED),
    ("503 on the Sellers API", lambda s: s.faults.fail_next(None, status=503, path=PARTICIPATIONS),
     at_most(PARTICIPATIONS, ATTEMPTS), CheckResult.FAILED),
    ("500 then well", lambda s: s.faults.fail_next(ATTEMPTS - 1), exactly(TOKEN, ATTEMPTS, "one "
     "call per attempt"), CheckResult.OK),
    ("dropped connections", lambda s: s.faults.drop_next(None), at_most(TOKEN, ATTEMPTS),
     CheckResult.FAILED),
    ("429 storm at LWA", lambda s: s.faults.throttle_token_calls(100, retry_after=0.2),
     at_most(TOKEN, ATTEMPTS), CheckResult.FAILED),
    ("429 from getMarketplaceParticipations",
     exhaust_participations, not_before_rate, None),
]  # fmt: skip


def run(count: int, seed: int, *, quick: bool = False) -> KindReport:
    report = KindReport("network")
    amazon = start_amazon()
    try:
        for n in range(count):
            cases = CASES if quick or n else CASES + SLOW_CASES
            for name, fault, bounded, health in cases:
                service_case(report, amazon, f"{name}:{seed}-{n}", fault, bounded, health)
            timeout_case(report, amazon, f"read timeout:{seed}-{n}")
            try:
                wrong_region(report, f"wrong region:{seed}-{n}")
            except Exception as exc:  # the case could not even be set up: a failure, said
                report.fail(f"wrong region:{seed}-{n}", f"{type(exc).__name__}: {exc}")
    finally:
        amazon.sim.stop()
    report.merge(gui_in_child(seed))
    return report


def service_case(
    report: KindReport,
    amazon: Amazon,
    case_seed: str,
    fault: Callable[[Simulator], object],
    bounded: Judge,
    health: CheckResult | None,
) -> None:
    """One Test connection under ``fault``; ``health`` ``None``: failed if Amazon was asked
    once, working if it was asked again (after waiting as ``bounded`` requires)."""
    sim = amazon.sim
    with tempfile.TemporaryDirectory(prefix="spconnect-faults-net-") as tmp:
        ws = simulator_workspace(Path(tmp) / "data", amazon, MemorySecretStore())
        try:
            grant(ws, amazon)
            sim.faults.clear()
            fault(sim)
            sim.clear_log()
            run = prepare(ws, CHANNELS[:1], settings=SETTINGS)
            if not report.check(isinstance(run, CheckRun), case_seed, f"no run: {run}"):
                return
            assert isinstance(run, CheckRun)
            failed: list[BaseException] = []
            run.failed.connect(failed.append)
            started = time.monotonic()
            run.start(Lanes.immediate())
            elapsed = time.monotonic() - started
            report.check(not failed, case_seed, f"the run failed: {failed[:1]}")
            wrong = bounded(sim, elapsed)
            if health is None:
                health = CheckResult.FAILED if sim.count(PARTICIPATIONS) == 1 else CheckResult.OK
            report.check(wrong is None, case_seed, f"{case_seed.split(':')[0]}: {wrong}")
            got = ws.current.channels[CHANNELS[0]].health.result
            report.check(
                got is health,
                case_seed,
                f"health {got.value if got else None}, expected {health.value}",
            )
            report.check(ws.current.channels[CHANNELS[0]].health == ws.saved.channels[
                CHANNELS[0]].health, case_seed, "the health was not recorded")  # fmt: skip
        finally:
            sim.faults.clear()
            sim.relax_rate_limits()
            ws.close()


def timeout_case(report: KindReport, amazon: Amazon, case_seed: str) -> None:
    sim = amazon.sim
    token = sim.issue_refresh_token(SELLER, Region.EU, CLIENT_ID)
    sim.clear_log()
    sim.faults.delay_s = 1.0
    slept: list[float] = []
    client = LwaClient(sim.endpoints, CLIENT_ID, Secret(CLIENT_SECRET), timeout=(2.0, 0.3),
                       sleep=slept.append, attempts=ATTEMPTS)  # fmt: skip
    try:
        client.refresh(token, Region.EU)
        error: BaseException | None = None
    except AmazonError as exc:
        error = exc
    finally:
        client.close()
        sim.faults.clear()
    report.check(
        error is not None and bool(error.message) and bool(error.next_step),  # type: ignore[attr-defined]
        case_seed,
        f"a timed-out refresh did not end in a plain error: {error!r}",
    )
    # The simulator records a request once its slow answer is due, after the client gave up:
    # wait (bounded) for all of them, so none lands in the next case's count.
    deadline = time.monotonic() + 10
    while sim.count(TOKEN) < ATTEMPTS and time.monotonic() < deadline:
        time.sleep(0.05)
    report.check(
        len(slept) == ATTEMPTS - 1 and sim.count(TOKEN) == ATTEMPTS,
        case_seed,
        f"{len(slept) + 1} attempts, {sim.count(TOKEN)} requests after timeouts "
        f"(expected {ATTEMPTS})",
    )


def wrong_region(report: KindReport, case_seed: str) -> None:
    """A grant of Europe stored as North America's: named as the other region's grant.

    Needs the simulator's regional hosts (``Simulator(regional_hosts=True)``: one Sellers API
    address per region, a token good only in its own region, as Amazon's regional endpoints,
    https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints).
    """
    if "regional_hosts" not in inspect.signature(Simulator).parameters:
        report.unavailable("wrong region", "the simulator has no regional hosts yet (h-network)")
        return
    amazon = start_amazon()
    amazon.sim.stop()
    sim = Simulator(regional_hosts=True)  # type: ignore[call-arg]
    sim.register_app(amazon.app)
    for seller in amazon.sim.sellers:
        sim.add_seller(seller)
    sim.relax_rate_limits()
    with sim, tempfile.TemporaryDirectory(prefix="spconnect-faults-region-") as tmp:
        regional = replace(amazon, sim=sim)
        ws = simulator_workspace(Path(tmp) / "data", regional, MemorySecretStore())
        try:
            us = by_country("US").id
            ws.apply(add_channel(Channel("us", "acme", us, "Acme US", SELLER)))
            token = sim.issue_refresh_token(SELLER, Region.EU, CLIENT_ID)  # Europe's grant
            auth_id = new_id()
            auth = Authorization.new(
                SELLER, Region.NA, AuthSource.SELF_AUTHORIZATION,
                new_refresh_token_ref(ws.namespace, auth_id),
                marketplace_ids=frozenset({us}), auth_id=auth_id,
            )  # fmt: skip
            ws.apply(set_authorization(auth, token, ["us"]))
            ws.save()
            run = prepare(ws, ["us"], endpoints=sim.endpoints, settings=SETTINGS)
            if not report.check(isinstance(run, CheckRun), case_seed, f"no run: {run}"):
                return
            assert isinstance(run, CheckRun)
            run.start(Lanes.immediate())
            health = ws.current.channels["us"].health
            said = health.message
            report.check(
                health.result is not CheckResult.APP_CREDENTIALS
                and Region.EU.display_name in said
                and "role" not in said.lower(),
                case_seed,
                f"a grant of {Region.EU.display_name} tested as {Region.NA.display_name}'s gave "
                f"{health.result}: {said!r} (expected: the other region named)",
            )
        finally:
            ws.close()


def gui_in_child(seed: int) -> KindReport:
    """The window part, in a child process with its own QApplication (offscreen)."""
    report = KindReport("network")
    child = subprocess.run(
        [sys.executable, "-m", "tests.faults.network_gui", str(seed)],
        cwd=ROOT, capture_output=True, text=True, timeout=GUI_CHILD_TIMEOUT_S, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    lines = child.stdout.strip().splitlines()
    try:
        return KindReport.from_json(json.loads(lines[-1]))
    except (IndexError, ValueError, KeyError):
        said = (child.stderr or child.stdout).strip()[-800:]
        report.fail(seed, f"the window child failed ({child.returncode}): {said}", say=False)
        return report
