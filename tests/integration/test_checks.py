"""Test connection against the simulator: outcomes become health, retries stay within bounds."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from core.amazon.checks import (
    CheckOutcome,
    CheckSettings,
    CheckTarget,
    ConnectionChecker,
    TokenBucket,
    targets_for,
)
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.errors import Cancelled
from core.domain.inventory import CheckResult, Health
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import Simulator
from tests.core.factories import channel, company, full_inventory
from tests.integration.simhelpers import (
    ACME_NA,
    APP,
    CLIENT_SECRET,
    OTHER_NA,
    ManualClock,
    Sleeps,
)

FAST = CheckSettings(workers=2, requests_per_second=1000.0, burst=100, attempts=3)


def grant(sim: Simulator, seller_id: str = ACME_NA.seller_id) -> Secret:
    return sim.issue_refresh_token(seller_id, Region.NA, APP.client_id)


def checker(sim: Simulator, tokens: dict[str, Secret], **settings: object) -> ConnectionChecker:
    return ConnectionChecker(
        sim.endpoints,
        APP.client_id,
        Secret(CLIENT_SECRET),
        tokens.get,
        replace(FAST, **settings),  # type: ignore[arg-type]
        sleep=DELAYS_SEEN.append,
    )


DELAYS_SEEN: list[float] = []  # what the checker's retries waited, instead of waiting


def target(ref: str, *channels: str) -> CheckTarget:
    return CheckTarget(f"auth-{ref}", Region.NA, ref, channels or ("ch1",))


def test_a_working_grant_is_ok_with_its_marketplaces(sim: Simulator) -> None:
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.OK
    assert outcome.participations is not None
    assert outcome.participations.marketplace_ids == frozenset(ACME_NA.marketplace_ids)
    assert "Acme Store" in outcome.message


def test_a_revoked_grant_needs_reauthorization(sim: Simulator) -> None:
    token = grant(sim)
    sim.revoke(ACME_NA.seller_id)
    (outcome,) = checker(sim, {"r1": token}).run([target("r1")])
    assert outcome.result is CheckResult.NEEDS_REAUTHORIZATION
    before = Health()
    assert outcome.health(before).failing_since == outcome.checked_at


def test_a_missing_keychain_entry_needs_reauthorization(sim: Simulator) -> None:
    (outcome,) = checker(sim, {}).run([target("gone")])
    assert outcome.result is CheckResult.NEEDS_REAUTHORIZATION
    assert "missing from the keychain" in outcome.message


def test_an_expired_client_secret_is_the_apps_problem(sim: Simulator) -> None:
    token = grant(sim)
    sim.expire_client_secret(APP.client_id)
    (outcome,) = checker(sim, {"r1": token}).run([target("r1")])
    assert outcome.result is CheckResult.APP_CREDENTIALS


def test_throttling_is_retried_within_bounds(sim: Simulator) -> None:
    sim.faults.throttle_token_calls(2, retry_after=0.0)
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.OK
    assert sim.count("/auth/o2/token", status=429) == 2


def test_throttling_beyond_the_bounds_is_check_failed(sim: Simulator) -> None:
    sim.faults.throttle_token_calls(10, retry_after=0.0)
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.FAILED
    assert sim.count("/auth/o2/token", status=429) == FAST.attempts


def test_a_dropped_connection_is_check_failed(sim: Simulator) -> None:
    sim.faults.drop_next(None, path="/auth/o2/token")
    DELAYS_SEEN.clear()
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.FAILED
    assert "connection" in outcome.message.lower()
    assert len(DELAYS_SEEN) == FAST.attempts - 1  # backed off between the attempts
    assert DELAYS_SEEN[0] < DELAYS_SEEN[1]  # exponential


def test_each_authorization_is_tested_once_for_all_its_channels() -> None:
    inv = full_inventory()
    inv.channels["ch3"] = channel("ch3", "c1", "A1AM78C64UM0Y8", authorization_id="a0")
    targets = targets_for(inv, ["ch1", "ch2", "ch3"])
    assert sorted((t.authorization_id, t.channel_ids) for t in targets) == [
        ("a0", ("ch3",)),
        ("a1", ("ch1", "ch2")),
    ]
    inv.companies["c9"] = company("c9", "No grant")
    inv.channels["ch9"] = channel("ch9", "c9")
    assert targets_for(inv, ["ch9"]) == []


def test_several_sellers_concurrently(sim: Simulator) -> None:
    tokens = {"r1": grant(sim), "r2": grant(sim, OTHER_NA.seller_id)}
    sim.revoke(OTHER_NA.seller_id)
    seen: list[tuple[int, int]] = []
    outcomes = checker(sim, tokens).run(
        [target("r1", "a"), target("r2", "b")], lambda _o, done, total: seen.append((done, total))
    )
    results = {o.target.refresh_token_ref: o.result for o in outcomes}
    assert results == {"r1": CheckResult.OK, "r2": CheckResult.NEEDS_REAUTHORIZATION}
    assert sorted(seen) == [(1, 2), (2, 2)]


def test_cancel_stops_the_run(sim: Simulator) -> None:
    tokens = {f"r{i}": grant(sim) for i in range(6)}
    run = checker(sim, tokens, workers=1, requests_per_second=0.001, burst=2)

    def cancel_after_first(_outcome: object, done: int, _total: int) -> None:
        run.cancel()

    with pytest.raises(Cancelled):
        # The bucket allows the first test's two requests, then the next would wait ~17 minutes:
        # only cancelling can end this run.
        run.run([target(f"r{i}") for i in range(6)], cancel_after_first)
    assert sim.count("/auth/o2/token") <= 1


def test_the_token_bucket_paces_requests() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=2, clock=lambda: now[0])
    cancel = threading.Event()
    bucket.acquire(cancel)
    bucket.acquire(cancel)  # the burst
    waited: list[float] = []

    class Clockwork(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waited.append(timeout or 0.0)
            now[0] += timeout or 0.0
            return False

    bucket.acquire(Clockwork())
    assert waited == [pytest.approx(0.5)]


def test_cancel_lets_tests_in_flight_finish_and_deliver(sim: Simulator) -> None:
    """Cancel stops what has not started; a test already under way still counts."""
    b_done = threading.Event()
    tokens = {"a": grant(sim)}
    run: ConnectionChecker

    def read(ref: str) -> Secret | None:
        if ref == "a":  # under way, but held until "b" has cancelled the run and ended
            assert b_done.wait(10)
        elif ref == "b":
            run.cancel()  # "c" (queued behind the two workers) will never start
        return tokens.get(ref)

    run = ConnectionChecker(
        sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), read, replace(FAST, workers=2)
    )
    delivered: list[str | None] = []

    def on_outcome(outcome: CheckOutcome, _done: int, _total: int) -> None:
        delivered.append(outcome.target.refresh_token_ref)
        b_done.set()

    with pytest.raises(Cancelled):
        run.run([target("a"), target("b"), target("c")], on_outcome)
    assert sorted(delivered, key=str) == ["a", "b"]  # "b" had no token: needs reauthorization
    assert sim.count("/auth/o2/token") == 1


def test_an_expired_access_token_is_refreshed_once_not_reauthorized(sim: Simulator) -> None:
    sim.faults.expire_next_access_tokens(1)  # as if the hour ran out before the Sellers call
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.OK
    assert sim.count("/auth/o2/token", status=200) == 2  # refreshed once more
    assert sim.count("/sellers/v1/marketplaceParticipations", status=403) == 1


def test_an_access_token_that_keeps_expiring_is_not_a_reauthorization(sim: Simulator) -> None:
    sim.faults.expire_next_access_tokens(5)
    (outcome,) = checker(sim, {"r1": grant(sim)}).run([target("r1")])
    assert outcome.result is CheckResult.FAILED
    assert "clock" in outcome.message
    assert sim.count("/auth/o2/token", status=200) == 2  # once more, not again and again


def test_a_grant_of_another_region_is_said_to_be_so() -> None:
    with Simulator(regional_hosts=True) as sim:
        sim.register_app(APP)
        sim.add_seller(ACME_NA)
        token = grant(sim)  # North America
        eu_target = CheckTarget("auth-r1", Region.EU, "r1", ("ch1",))
        (outcome,) = checker(sim, {"r1": token}).run([eu_target])
    assert outcome.result is CheckResult.NEEDS_REAUTHORIZATION
    assert "North America" in outcome.message
    assert "role" not in outcome.message


def test_a_throttled_sellers_call_waits_a_whole_interval_in_a_run(
    sim: Simulator, clock: ManualClock
) -> None:
    token = grant(sim)
    sim.set_rate_limits(rate=0.016, burst=1)
    with (
        LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET)) as lwa,
        SellersClient(sim.endpoints) as sellers,
    ):
        # Someone else used this seller's one request of the minute.
        sellers.marketplace_participations(lwa.refresh(token, Region.NA).access_token, Region.NA)
    sleeps = Sleeps(clock)  # waiting moves the simulator's clock
    run = ConnectionChecker(
        sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), {"r1": token}.get, FAST, sleep=sleeps
    )

    (outcome,) = run.run([target("r1")])

    # A background run may wait out one interval (1/0.016 s), not retry after a second or two.
    assert outcome.result is CheckResult.OK
    assert len(sleeps.delays) == 1
    assert sleeps.delays[0] >= 1 / 0.016
    assert sim.count("/sellers/v1/marketplaceParticipations", status=429) == 1
