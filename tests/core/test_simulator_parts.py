"""The simulator's parts without a socket: usage plan, faults, state, and the endpoints' answers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.simulator import CODE_LIFETIME_S, SimApp, SimSeller, Simulator, pages
from core.simulator.consent import add_query
from core.simulator.faults import Faults
from core.simulator.usage_plan import UsagePlan
from core.simulator.wire import Request, Response


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


APP = SimApp("amzn1.sp.solution.x", "client-x", Secret("secret-x"), ["https://a.example/r"])
SELLER = SimSeller("A1SELLER00001", "Shop", Region.EU, ["A1PA6795UKMFR9"])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def amazon(clock: Clock) -> Simulator:
    sim = Simulator(clock=clock)  # never started: requests go straight to handle()
    sim.register_app(APP)
    sim.add_seller(SELLER)
    return sim


def _token_call(amazon: Simulator, **fields: str) -> tuple[int, dict[str, Any], Response]:
    body = urlencode(fields).encode()
    headers = {"content-type": "application/x-www-form-urlencoded;charset=UTF-8"}
    answer = amazon.handle(Request("POST", "/auth/o2/token", {}, headers, body))
    return answer.status, json.loads(answer.body), answer


def _client(**fields: str) -> dict[str, str]:
    return {"client_id": APP.client_id, "client_secret": "secret-x", **fields}


# --- usage plan ----------------------------------------------------------------------------


def test_bucket_allows_the_burst_then_refills_at_the_rate(clock: Clock) -> None:
    plan = UsagePlan(clock, rate=0.5, burst=2)
    assert plan.take("app", "pair") is None
    assert plan.take("app", "pair") is None
    assert plan.take("app", "pair") == pytest.approx(2.0)
    clock.now += 1.0
    assert plan.take("app", "pair") == pytest.approx(1.0)
    clock.now += 1.0
    assert plan.take("app", "pair") is None


def test_bucket_never_holds_more_than_the_burst(clock: Clock) -> None:
    plan = UsagePlan(clock, rate=1.0, burst=3)
    clock.now += 1_000
    assert [plan.take("a", "p") for _ in range(4)][-1] == pytest.approx(1.0)


def test_app_wide_bucket_is_shared_by_pairs(clock: Clock) -> None:
    plan = UsagePlan(clock, rate=1.0, burst=5, global_rate=1.0, global_burst=2)
    assert plan.take("app", "p1") is None
    assert plan.take("app", "p2") is None
    assert plan.take("app", "p3") is not None
    assert plan.take("other-app", "p4") is None


def test_usage_plan_refuses_nonsense(clock: Clock) -> None:
    with pytest.raises(ValueError, match="positive rate"):
        UsagePlan(clock, rate=0, burst=1)
    with pytest.raises(ValueError, match="burst"):
        UsagePlan(clock, rate=1, burst=0)


# --- faults ------------------------------------------------------------------------------------


def test_faults_count_down_and_match_paths() -> None:
    faults = Faults()
    faults.drop_next(2, path="/a")
    faults.fail_next(1, status=503)
    assert faults.take("/b") is not None  # the fail, any path
    assert faults.take("/b") is None
    first, second = faults.take("/a"), faults.take("/a")
    assert first is not None
    assert first.kind == "drop"
    assert second is not None
    assert faults.take("/a") is None


def test_faults_without_count_last_until_cleared() -> None:
    faults = Faults()
    faults.fail_next(None)
    faults.delay_s = 3
    faults.throttle_token_calls(2, retry_after=5)
    assert all(faults.take("/x") is not None for _ in range(10))
    assert faults.take_token_throttle() == 5
    faults.clear()
    assert faults.take("/x") is None
    assert faults.take_token_throttle() is None
    assert faults.delay_s == 0


# --- state -------------------------------------------------------------------------------------


def test_code_lifetime_boundary(amazon: Simulator, clock: Clock) -> None:
    on_time = amazon.issue_code(APP, SELLER, "https://a.example/r")
    late = amazon.issue_code(APP, SELLER, "https://a.example/r")
    clock.now += CODE_LIFETIME_S
    assert amazon.redeem_code(APP, on_time.code, "https://a.example/r") is not None
    clock.now += 0.001
    assert amazon.redeem_code(APP, late.code, "https://a.example/r") is None


def test_a_refused_code_is_spent(amazon: Simulator) -> None:
    issued = amazon.issue_code(APP, SELLER, "https://a.example/r")
    assert amazon.redeem_code(APP, issued.code, "https://other.example/") is None
    assert amazon.redeem_code(APP, issued.code, "https://a.example/r") is None


def test_a_code_is_only_good_for_its_app(amazon: Simulator) -> None:
    other = amazon.register_app(
        SimApp("amzn1.sp.solution.y", "client-y", Secret("s"), ["https://a.example/r"])
    )
    issued = amazon.issue_code(APP, SELLER, "https://a.example/r")
    assert amazon.redeem_code(other, issued.code, None) is None


def test_accounts_are_per_seller_and_region(amazon: Simulator) -> None:
    na = amazon.add_seller(SimSeller(SELLER.seller_id, "Shop US", Region.NA, ["ATVPDKIKX0DER"]))
    assert amazon.find_account(SELLER.seller_id, Region.NA) == na
    assert amazon.find_account(SELLER.seller_id) == SELLER
    assert amazon.account_from_form(na.form_value) == na
    assert amazon.account_from_form("A1SELLER00001:XX") is None
    with pytest.raises(KeyError):
        amazon.select_account("A0NOBODY")


def test_revoke_counts_grants(amazon: Simulator) -> None:
    amazon.issue_refresh_token(SELLER.seller_id, Region.EU, APP.client_id)
    amazon.issue_refresh_token(SELLER.seller_id, Region.EU, APP.client_id)
    assert amazon.revoke(SELLER.seller_id, Region.NA) == 0
    assert amazon.revoke(SELLER.seller_id) == 2


# --- the token endpoint's answers ------------------------------------------------------------


def test_token_errors_have_lwas_shape(amazon: Simulator) -> None:
    status, body, answer = _token_call(
        amazon, grant_type="refresh_token", **_client(refresh_token="Atzr|unknown")
    )
    assert status == 400
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == (
        "The request has an invalid grant parameter : refresh_token. "
        "User may have revoked or didn't grant the permission."
    )
    assert ("Cache-Control", "no-store") in answer.headers

    code = amazon.issue_code(APP, SELLER, "https://a.example/r").code
    amazon.redeem_code(APP, code, None)
    status, body, _ = _token_call(amazon, grant_type="authorization_code", **_client(code=code))
    assert (status, body["error"]) == (400, "invalid_grant")
    assert body["error_description"] == "The request has an invalid grant parameter : code"


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request"),
    ],
)
def test_malformed_token_requests(
    amazon: Simulator, fields: dict[str, str], status: int, error: str
) -> None:
    got_status, body, _ = _token_call(amazon, **_client(**fields))
    assert (got_status, body["error"]) == (status, error)


def test_client_authentication(amazon: Simulator) -> None:
    token = amazon.issue_refresh_token(SELLER.seller_id, Region.EU, APP.client_id).reveal()
    wrong = {"client_id": APP.client_id, "client_secret": "nope"}
    status, body, _ = _token_call(amazon, grant_type="refresh_token", refresh_token=token, **wrong)
    assert (status, body["error"], body["error_description"]) == (
        401,
        "invalid_client",
        "Client authentication failed",
    )
    assert _token_call(amazon, grant_type="refresh_token", **_client(refresh_token=token))[0] == 200
    amazon.expire_client_secret()
    assert _token_call(amazon, grant_type="refresh_token", **_client(refresh_token=token))[0] == 401
    amazon.expire_client_secret(APP.client_id, expired=False)
    assert _token_call(amazon, grant_type="refresh_token", **_client(refresh_token=token))[0] == 200


def test_token_endpoint_also_reads_json(amazon: Simulator) -> None:
    token = amazon.issue_refresh_token(SELLER.seller_id, Region.EU, APP.client_id).reveal()
    body = json.dumps(_client(grant_type="refresh_token", refresh_token=token)).encode()
    answer = amazon.handle(
        Request("POST", "/auth/o2/token", {}, {"content-type": "application/json"}, body)
    )
    assert answer.status == 200


def test_throttled_token_call_says_when_to_retry(amazon: Simulator) -> None:
    amazon.faults.throttle_token_calls(1, retry_after=4)
    status, _, answer = _token_call(amazon, grant_type="refresh_token")
    assert status == 429
    assert ("Retry-After", "4") in answer.headers


# --- small helpers -----------------------------------------------------------------------------


def test_request_form_keeps_the_first_value() -> None:
    request = Request("POST", "/", {}, {}, b"a=1&a=2&b=&c=x%20y")
    assert request.form() == {"a": "1", "b": "", "c": "x y"}
    assert Request("POST", "/", {}, {"content-type": "application/json"}, b"[").form() == {}


def test_add_query_appends() -> None:
    assert add_query("https://x/r", [("a", "1 2")]) == "https://x/r?a=1+2"
    assert add_query("https://x/r?t=7", [("a", "b")]) == "https://x/r?t=7&a=b"


def test_pages_escape_and_name_the_code() -> None:
    evil = SimSeller("A1<b>", "<script>alert(1)</script>", Region.NA, [])
    page = pages.consent_page(APP, [evil], evil, {"state": "'\"><x>"}, beta=False)
    assert "<script>alert" not in page
    assert "<x>" not in page
    assert "MD5110" in pages.error_page("MD5110")
    assert "fragment" in pages.error_page("MD5110")
