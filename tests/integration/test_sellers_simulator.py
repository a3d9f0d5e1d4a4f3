"""The Sellers client against the simulator: payload, token errors, roles and the usage plan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from core.amazon.http import (
    AccessDenied,
    AccessTokenExpired,
    AmazonServerError,
    AnswerTooLarge,
    NeedsReauthorization,
    NetworkError,
    RateLimited,
    WrongRegion,
)
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import ACCESS_TOKEN_LIFETIME_S, DEFAULT_BURST, SimApp, SimSeller, Simulator
from core.simulator.sellers_api import NON_AMAZON_DE
from tests.integration.simhelpers import (
    ACME_EU,
    ACME_NA,
    APP,
    CA,
    CLIENT_SECRET,
    DE,
    FR,
    MX,
    OTHER_NA,
    UK,
    US,
    ManualClock,
    Sleeps,
)

PATH = "/sellers/v1/marketplaceParticipations"


def _access_token(sim: Simulator, lwa: LwaClient, seller: SimSeller = ACME_NA) -> Secret:
    refresh_token = sim.issue_refresh_token(seller.seller_id, seller.region, APP.client_id)
    return lwa.refresh(refresh_token, seller.region).access_token


def test_participations_list_the_accounts_marketplaces(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient
) -> None:
    result = sellers.marketplace_participations(_access_token(sim, lwa), Region.NA)

    assert result.store_name == "Acme Store"
    assert result.marketplace_ids == frozenset({US, CA, MX})
    assert [p.marketplace_id for p in result] == [US, CA, MX]
    us = result.items[0]
    assert (us.name, us.country_code, us.domain_name, us.default_currency) == (
        "Amazon.com",
        "US",
        "www.amazon.com",
        "USD",
    )
    assert us.is_participating
    assert not us.has_suspended_listings
    assert result.ignored == ()
    assert result.request_id


def test_the_united_kingdom_comes_back_as_gb(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient
) -> None:
    result = sellers.marketplace_participations(_access_token(sim, lwa, ACME_EU), Region.EU)

    assert result.marketplace_ids == frozenset({UK, DE, FR})
    assert {p.country_code for p in result} == {"GB", "DE", "FR"}


def test_non_amazon_channels_are_set_aside(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient
) -> None:
    seller = SimSeller("A1MIXEDDE0004", "Mixed", Region.EU, [NON_AMAZON_DE, DE], frozenset({DE}))
    sim.add_seller(seller)

    result = sellers.marketplace_participations(_access_token(sim, lwa, seller), Region.EU)

    assert result.marketplace_ids == frozenset({DE})
    assert result.unknown_marketplace_ids == (NON_AMAZON_DE,)
    assert result.items[0].has_suspended_listings
    assert result.store_name == "Mixed"


def test_invalid_token_needs_reauthorization(sim: Simulator, sellers: SellersClient) -> None:
    with pytest.raises(NeedsReauthorization) as caught:
        sellers.marketplace_participations(Secret("Atza|made-up"), Region.NA)

    assert caught.value.status == 403
    assert caught.value.code == "Unauthorized"
    assert caught.value.request_id


def test_an_expired_access_token_is_not_a_reauthorization(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient, clock: ManualClock, sleeps: Sleeps
) -> None:
    token = _access_token(sim, lwa)
    clock.advance(ACCESS_TOKEN_LIFETIME_S)

    with pytest.raises(AccessTokenExpired) as caught:
        sellers.marketplace_participations(token, Region.NA)

    assert not isinstance(caught.value, NeedsReauthorization)
    assert caught.value.status == 403
    assert "expired" in caught.value.message
    assert sleeps.delays == []  # a new token is the cure, not waiting


def test_revoked_grant_stops_its_access_tokens(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient
) -> None:
    token = _access_token(sim, lwa)
    sim.revoke(ACME_NA.seller_id, Region.NA)

    with pytest.raises(NeedsReauthorization):
        sellers.marketplace_participations(token, Region.NA)


def test_the_403_has_amazons_shape(sim: Simulator, browser: requests.Session) -> None:
    answer = browser.get(sim.base_url + PATH, headers={"x-amz-access-token": "Atza|nope"})

    assert answer.status_code == 403
    assert answer.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided is revoked, malformed or invalid.",
            }
        ]
    }
    assert answer.headers["x-amzn-RequestId"]
    assert answer.headers["x-amzn-ErrorType"]


def test_missing_role_is_access_denied(sim: Simulator, sleeps: Sleeps) -> None:
    app = SimApp(
        "amzn1.sp.solution.cccccccc-2222-4333-8444-555555555555",
        "amzn1.application-oa2-client.cccccccccccccccccccccccccccccccc",
        Secret("amzn1.oa2-cs.v1.no-role"),
        ["https://connect.example.com/r"],
        sellers_role=False,
    )
    sim.register_app(app)
    refresh_token = sim.issue_refresh_token(ACME_NA.seller_id, Region.NA, app.client_id)
    with (
        LwaClient(sim.endpoints, app.client_id, app.client_secret, sleep=sleeps) as lwa,
        SellersClient(sim.endpoints, sleep=sleeps) as sellers,
    ):
        token = lwa.refresh(refresh_token, Region.NA).access_token
        with pytest.raises(AccessDenied) as caught:
            sellers.marketplace_participations(token, Region.NA)

    assert caught.value.status == 403
    assert "role" in caught.value.message
    assert "reauthorizes" in caught.value.next_step
    assert sleeps.delays == []  # not retried


def test_burst_then_throttled(
    sim: Simulator, lwa: LwaClient, clock: ManualClock, sleeps: Sleeps
) -> None:
    token = _access_token(sim, lwa)
    with SellersClient(sim.endpoints, sleep=sleeps, attempts=1) as sellers:
        for _ in range(DEFAULT_BURST):
            sellers.marketplace_participations(token, Region.NA)
        with pytest.raises(RateLimited) as caught:
            sellers.marketplace_participations(token, Region.NA)

    # Amazon documents no Retry-After for SP-API: the simulator sends none by default, and
    # the rate comes from x-amzn-RateLimit-Limit.
    assert caught.value.retry_after is None
    assert caught.value.rate_limit == pytest.approx(0.016)
    assert caught.value.code == "QuotaExceeded"
    assert sim.count(PATH, status=429) == 1


def test_the_simulator_can_send_retry_after(sim: Simulator, lwa: LwaClient, sleeps: Sleeps) -> None:
    sim.usage_plan.send_retry_after = True
    token = _access_token(sim, lwa)
    with SellersClient(sim.endpoints, sleep=sleeps, attempts=1) as sellers:
        for _ in range(DEFAULT_BURST):
            sellers.marketplace_participations(token, Region.NA)
        with pytest.raises(RateLimited) as caught:
            sellers.marketplace_participations(token, Region.NA)
    # 0.016 requests a second: the next one is about a minute away.
    assert caught.value.retry_after == 63


def test_a_throttled_call_is_not_retried_after_a_second_or_two(
    sim: Simulator, lwa: LwaClient, sleeps: Sleeps
) -> None:
    token = _access_token(sim, lwa)
    with SellersClient(sim.endpoints, sleep=sleeps) as sellers:  # an interactive caller
        for _ in range(DEFAULT_BURST):
            sellers.marketplace_participations(token, Region.NA)
        with pytest.raises(RateLimited) as caught:
            sellers.marketplace_participations(token, Region.NA)

    # One request a minute: retrying after a second or two only burns requests.
    assert sleeps.delays == []
    assert sim.count(PATH, status=429) == 1
    assert "in a minute" in caught.value.next_step


def test_a_background_check_waits_a_whole_interval_and_succeeds(
    sim: Simulator, lwa: LwaClient, clock: ManualClock
) -> None:
    token = _access_token(sim, lwa)
    sleeps = Sleeps(clock)  # sleeping moves the simulator's clock
    with SellersClient(sim.endpoints, sleep=sleeps, max_delay=120.0) as sellers:
        for _ in range(DEFAULT_BURST):
            sellers.marketplace_participations(token, Region.NA)
        assert sellers.marketplace_participations(token, Region.NA).store_name == "Acme Store"

    assert len(sleeps.delays) == 1
    assert sleeps.delays[0] >= 1 / 0.016  # at least 1/rate, from x-amzn-RateLimit-Limit
    assert sim.count(PATH, status=429) == 1


def test_usage_plan_is_per_seller(sim: Simulator, lwa: LwaClient, sleeps: Sleeps) -> None:
    sim.set_rate_limits(rate=0.1, burst=1)
    acme, other = _access_token(sim, lwa), _access_token(sim, lwa, OTHER_NA)
    with SellersClient(sim.endpoints, sleep=sleeps, attempts=1) as sellers:
        sellers.marketplace_participations(acme, Region.NA)
        sellers.marketplace_participations(other, Region.NA)  # its own bucket
        with pytest.raises(RateLimited) as caught:
            sellers.marketplace_participations(acme, Region.NA)
    assert caught.value.rate_limit == pytest.approx(0.1)


def test_app_wide_limit_counts_every_seller(sim: Simulator, lwa: LwaClient, sleeps: Sleeps) -> None:
    sim.set_rate_limits(rate=1.0, burst=10, global_rate=0.5, global_burst=2)
    acme, other = _access_token(sim, lwa), _access_token(sim, lwa, OTHER_NA)
    with SellersClient(sim.endpoints, sleep=sleeps, attempts=1) as sellers:
        sellers.marketplace_participations(acme, Region.NA)
        sellers.marketplace_participations(other, Region.NA)
        with pytest.raises(RateLimited):
            sellers.marketplace_participations(acme, Region.NA)


def test_relaxed_limits_allow_many_calls(sim: Simulator, lwa: LwaClient) -> None:
    sim.relax_rate_limits()
    token = _access_token(sim, lwa)
    with SellersClient(sim.endpoints, attempts=1) as sellers:
        for _ in range(DEFAULT_BURST * 3):
            sellers.marketplace_participations(token, Region.NA)
    assert sim.count(PATH, status=200) == DEFAULT_BURST * 3


def test_rate_limit_header_shows_the_plan(
    sim: Simulator, lwa: LwaClient, browser: requests.Session
) -> None:
    token = _access_token(sim, lwa)
    answer = browser.get(sim.base_url + PATH, headers={"x-amz-access-token": token.reveal()})
    assert answer.headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert answer.json()["payload"][0]["storeName"] == "Acme Store"


def test_server_errors_are_retried_then_reported(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient, sleeps: Sleeps
) -> None:
    token = _access_token(sim, lwa)
    sim.faults.fail_next(None, path=PATH)

    with pytest.raises(AmazonServerError) as caught:
        sellers.marketplace_participations(token, Region.NA)

    assert caught.value.code == "InternalFailure"
    assert sim.count(PATH, status=500) == 4
    assert len(sleeps.delays) == 3


def test_one_unavailable_answer_is_retried_away(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient, sleeps: Sleeps
) -> None:
    token = _access_token(sim, lwa)
    sim.faults.fail_next(1, status=503, path=PATH)

    assert sellers.marketplace_participations(token, Region.NA).store_name == "Acme Store"
    assert len(sleeps.delays) == 1


def test_dropped_connection_is_a_network_error(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient
) -> None:
    token = _access_token(sim, lwa)
    sim.faults.drop_next(None, path=PATH)

    with pytest.raises(NetworkError):
        sellers.marketplace_participations(token, Region.NA)
    assert sim.count(PATH, status=None) == 4


# --- answers too large or too slow -----------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False])
def test_a_huge_answer_is_cut_off_at_the_cap(
    sim: Simulator, lwa: LwaClient, sellers: SellersClient, sleeps: Sleeps, declared: bool
) -> None:
    token = _access_token(sim, lwa)
    sim.faults.huge_body_next(size=40 * 1024 * 1024, path=PATH, declare_length=declared)

    with pytest.raises(AnswerTooLarge) as caught:
        sellers.marketplace_participations(token, Region.NA)

    assert "too large" in caught.value.message
    assert caught.value.next_step
    assert sleeps.delays == []  # the same answer again would not help
    assert sim.count(PATH) == 1


def test_a_trickled_answer_is_cut_off_at_the_deadline(sim: Simulator, lwa: LwaClient) -> None:
    token = _access_token(sim, lwa)
    # Each byte within the 1 s read timeout; the whole answer would take 12 s.
    sim.faults.trickle_next(size=60, interval_s=0.2, path=PATH)

    with (
        SellersClient(sim.endpoints, timeout=(2.0, 1.0), attempts=1) as sellers,
        pytest.raises(NetworkError) as caught,
    ):
        sellers.marketplace_participations(token, Region.NA)

    assert "in time" in caught.value.message


# --- a token used in another region -----------------------------------------------------------


@pytest.fixture
def regional(clock: ManualClock) -> Iterator[Simulator]:
    simulator = Simulator(clock=clock, regional_hosts=True)
    simulator.register_app(APP)
    for seller in (ACME_NA, ACME_EU):
        simulator.add_seller(seller)
    with simulator:
        yield simulator


def test_each_region_has_its_own_endpoint(regional: Simulator) -> None:
    hosts = {regional.endpoints.sp_api_host(r) for r in Region}
    assert len(hosts) == 3
    assert regional.base_url not in hosts


def test_a_token_works_in_its_own_region(regional: Simulator, sleeps: Sleeps) -> None:
    with (
        LwaClient(regional.endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as lwa,
        SellersClient(regional.endpoints, sleep=sleeps) as sellers,
    ):
        token = _access_token(regional, lwa, ACME_EU)
        assert sellers.marketplace_participations(token, Region.EU).store_name == "Acme Europe"


def test_a_token_of_another_region_is_said_to_be_so(regional: Simulator, sleeps: Sleeps) -> None:
    with (
        LwaClient(regional.endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as lwa,
        SellersClient(regional.endpoints, sleep=sleeps) as sellers,
    ):
        token = _access_token(regional, lwa, ACME_NA)  # a North America grant...
        with pytest.raises(WrongRegion) as caught:
            sellers.marketplace_participations(token, Region.EU)  # ...used as a European one

    assert caught.value.actual is Region.NA
    assert "North America" in caught.value.message
    assert "Europe" in caught.value.message
    assert "role" not in caught.value.message + caught.value.next_step
    # The other regions are tried once each, in order, with the same token, never retried.
    assert sleeps.delays == []
    assert regional.count(PATH, status=403) == 1  # Europe
    assert regional.count(PATH, status=200) == 1  # North America, first of the others


def test_a_missing_role_is_still_a_missing_role_with_regional_hosts(
    regional: Simulator, sleeps: Sleeps
) -> None:
    app = SimApp(
        "amzn1.sp.solution.dddddddd-2222-4333-8444-555555555555",
        "amzn1.application-oa2-client.dddddddddddddddddddddddddddddddd",
        Secret("amzn1.oa2-cs.v1.no-role"),
        ["https://connect.example.com/r"],
        sellers_role=False,
    )
    regional.register_app(app)
    refresh_token = regional.issue_refresh_token(ACME_NA.seller_id, Region.NA, app.client_id)
    with (
        LwaClient(regional.endpoints, app.client_id, app.client_secret, sleep=sleeps) as lwa,
        SellersClient(regional.endpoints, sleep=sleeps) as sellers,
    ):
        token = lwa.refresh(refresh_token, Region.NA).access_token
        with pytest.raises(AccessDenied) as caught:
            sellers.marketplace_participations(token, Region.NA)
    assert not isinstance(caught.value, WrongRegion)
    assert "role" in caught.value.message
