"""The consent session without Qt, against the project's simulator on 127.0.0.1.

Requests plays the browser: it opens the consent link (the simulator confirms at once with the
selected account) and brings Amazon's answer to the session's real loopback listener, or the
test pastes the address the browser ended on. Every wait is bounded (a queue with a timeout);
nothing sleeps, and time moves through an injected clock.
"""

from __future__ import annotations

import logging
import queue
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from core.amazon.attempts import ConsentRefused, RefusalReason, port_from_state
from core.amazon.http import NeedsReauthorization
from core.amazon.redirect import parse_redirect
from core.domain import changes as ch
from core.domain.errors import ReadOnlyError, UserFacingError, ValidationError
from core.domain.inventory import AuthSource, Channel, CheckResult
from core.domain.marketplaces import Region, by_country
from core.domain.secret import Secret
from core.services.consent import ConsentAttempts
from core.services.consent.identity import Doubt
from core.services.consent.session import (
    Authorized,
    Check,
    ConsentSession,
    NeedsConfirmation,
    WrongAccount,
)
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.integration.consent_support import (
    EU_CODES,
    OTHER,
    SELLER,
    VENDOR_REDIRECT,
    Amazon,
    remember_store,
    simulator_workspace,
    start_amazon,
    uk_target,
)

WAIT_S = 10.0
TOKEN_PATH = "/auth/o2/token"
PARTICIPATIONS_PATH = "/sellers/v1/marketplaceParticipations"
EU_IDS = {c.lower() for c in EU_CODES}


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    running = start_amazon()
    yield running
    running.sim.stop()


@pytest.fixture
def workspace(tmp_path: Path, amazon: Amazon) -> Iterator[Workspace]:
    opened = simulator_workspace(tmp_path / "data", amazon, MemorySecretStore())
    remember_store(opened)  # what a new answer is compared with (tests/core/test_consent_claims.py)
    yield opened
    opened.close()


@pytest.fixture
def make(workspace: Workspace) -> Iterator[Callable[..., ConsentSession]]:
    made: list[ConsentSession] = []

    def make_session(**kwargs: Any) -> ConsentSession:
        target = kwargs.pop("target", None) or uk_target()
        session = ConsentSession(workspace, target, **kwargs)
        made.append(session)
        return session

    yield make_session
    for session in made:
        session.close()


def heard(session: ConsentSession) -> queue.Queue[str]:
    """What the session's ``answered`` event brings, from the listener's thread."""
    answers: queue.Queue[str] = queue.Queue()
    session.answered.connect(answers.put)
    return answers


def redirect_address(url: str) -> str:
    """Where Amazon (the simulator) sends the browser after Confirm, without going there."""
    answer = requests.get(url, timeout=WAIT_S, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def run(session: ConsentSession, check: Check[Any]) -> Any:
    """What a caller does: run the check (here, on this thread), then tell the session it ended,
    with a result or an error, and use the outcome only if it still counts."""
    try:
        result = check.run()
    except Exception:
        assert session.ended(check)
        raise
    assert session.ended(check)
    return result


def nothing_sent(amazon: Amazon) -> bool:
    return amazon.sim.count(TOKEN_PATH) == 0 and amazon.sim.count(PARTICIPATIONS_PATH) == 0


def assert_no_secret(texts: list[str], *secrets: Secret) -> None:
    """Fails without quoting the secret (pytest would print both sides of an ``in`` check)."""
    for secret in secrets:
        if any(secret.reveal() in text for text in texts):
            pytest.fail("a secret value appeared in a log line, a repr or on the console")


# --- finishing -----------------------------------------------------------------------------------


def test_finish_by_redirect_through_the_real_listener(
    make: Callable[..., ConsentSession],
    workspace: Workspace,
    amazon: Amazon,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG, logger="core")
    session = make()
    answers = heard(session)
    listener = session.listener
    assert listener is not None
    url = session.link()
    # The simulator takes loopback redirects: the consent names the listener itself.
    assert session.redirect_uri == listener.url
    address = redirect_address(url)
    assert address.startswith(listener.url + "?")

    page = requests.get(address, timeout=WAIT_S)  # the browser arrives at the listener
    assert page.status_code == 200
    assert "return to SP Connect" in page.text
    query = answers.get(timeout=WAIT_S)
    check = session.take_answer(query)
    assert check is not None
    assert session.busy
    result = run(session, check)

    assert isinstance(result, Authorized)
    assert result.seller_id == SELLER
    assert result.authorization.source is AuthSource.CONSENT
    assert not session.busy
    assert listener.closed  # one answer only: a replay finds nothing listening
    with pytest.raises(requests.ConnectionError):
        requests.get(address, timeout=WAIT_S)
    covered = session.coverage(result)
    assert set(covered.channel_ids) == EU_IDS  # the same seller's other EU marketplaces
    assert covered.not_covered == ()
    assert session.apply(result, covered) is None
    assert workspace.pending_channel_ids() == EU_IDS
    assert workspace.current.channels["de"].health.result is CheckResult.OK
    assert amazon.sim.count(TOKEN_PATH, status=200) == 1
    out = capsys.readouterr()
    code = parse_redirect(query).code
    assert_no_secret([caplog.text, out.out, out.err, repr(check)], code, result.refresh_token)


def test_finish_by_paste_from_the_vendor_page(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    session = make(listen=False)
    url = session.link()
    assert session.redirect_uri == VENDOR_REDIRECT  # no listener: Amazon's registered page
    address = redirect_address(url)
    assert address.startswith(VENDOR_REDIRECT + "?")
    result = run(session, session.finish(f'  "{address}"\n'))  # as copied from a browser
    assert isinstance(result, Authorized)
    assert result.seller_id == SELLER
    assert session.apply(result, session.coverage(result)) is None
    assert workspace.pending_channel_ids() == EU_IDS


def test_text_that_is_not_amazons_answer_is_refused_at_once(
    make: Callable[..., ConsentSession], amazon: Amazon
) -> None:
    session = make()
    session.link()
    with pytest.raises(UserFacingError, match="not the address Amazon returned"):
        session.finish("hello, this is not it")
    with pytest.raises(UserFacingError, match="did not authorize"):
        session.finish(f"state={session.attempt.state if session.attempt else ''}&error=denied")
    assert not session.busy
    assert nothing_sent(amazon)


def test_wrong_account_applies_nothing(
    make: Callable[..., ConsentSession], workspace: Workspace, amazon: Amazon
) -> None:
    amazon.sim.auto_confirm_seller_id = OTHER
    session = make()
    answers = heard(session)
    requests.get(session.link(), timeout=WAIT_S)  # consent page -> redirect -> listener
    check = session.take_answer(answers.get(timeout=WAIT_S))
    assert check is not None
    result = run(session, check)
    assert isinstance(result, WrongAccount)
    assert (result.expected_seller_id, result.returned_seller_id) == (SELLER, OTHER)
    assert amazon.sim.count(PARTICIPATIONS_PATH) == 0  # the other account's grant is unused
    assert not workspace.is_dirty


def test_self_authorization(
    make: Callable[..., ConsentSession], workspace: Workspace, amazon: Amazon
) -> None:
    session = make(listen=False)
    with pytest.raises(NeedsReauthorization, match="did not accept this refresh token"):
        run(session, session.self_authorize(Secret("Atzr|unknown-to-amazon"), SELLER))
    with pytest.raises(ValidationError) as refused:
        run(session, session.self_authorize(Secret("Atzr|x"), OTHER))
    assert "needs Seller ID" in str(refused.value)
    token = amazon.sim.issue_refresh_token(SELLER, Region.EU, amazon.app.client_id)
    result = run(session, session.self_authorize(Secret(f" {token.reveal()}\n"), SELLER))
    assert isinstance(result, Authorized)
    assert result.authorization.source is AuthSource.SELF_AUTHORIZATION
    assert result.refresh_token == token
    assert session.apply(result, session.coverage(result)) is None
    assert workspace.pending_channel_ids() == EU_IDS


def test_an_unknown_account_is_confirmed_before_anything_is_applied(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    session = make(target=uk_target(seller=None), listen=False)
    asked = run(session, session.finish(redirect_address(session.link())))
    assert isinstance(asked, NeedsConfirmation)
    assert Doubt.NO_SELLER_ID in asked.doubts
    assert asked.claimed_seller_id == SELLER
    assert not workspace.is_dirty  # the session applies nothing by itself
    result = asked.authorized  # the person confirmed
    assert session.apply(result, session.coverage(result)) is None
    assert workspace.pending_channel_ids() == EU_IDS


# --- state: single use, expired, unknown ---------------------------------------------------------


def test_state_is_single_use(make: Callable[..., ConsentSession], amazon: Amazon) -> None:
    session = make(listen=False)
    address = redirect_address(session.link())
    assert isinstance(run(session, session.finish(address)), Authorized)
    with pytest.raises(ConsentRefused, match="already used") as refused:
        run(session, session.finish(address))
    assert refused.value.reason is RefusalReason.USED
    assert amazon.sim.count(TOKEN_PATH) == 1  # the code was not sent a second time


def test_an_expired_state_is_refused_before_amazon_is_asked(
    make: Callable[..., ConsentSession], workspace: Workspace, amazon: Amazon
) -> None:
    now = [datetime.now(UTC)]
    session = make(listen=False, clock=lambda: now[0])
    address = redirect_address(session.link())
    assert session.remaining() == timedelta(minutes=10)
    now[0] += timedelta(minutes=10, seconds=1)
    assert session.remaining() == timedelta(0)
    with pytest.raises(ConsentRefused) as refused:
        run(session, session.finish(address))
    assert refused.value.reason is RefusalReason.EXPIRED
    assert nothing_sent(amazon)
    assert not workspace.is_dirty


def test_an_unknown_state_is_refused_and_does_not_use_up_the_listener(
    make: Callable[..., ConsentSession], workspace: Workspace, amazon: Amazon
) -> None:
    session = make()
    answers = heard(session)
    listener = session.listener
    assert listener is not None
    address = redirect_address(session.link())
    forged = f"ForgedForgedForgedForgedForgedForgedForged0.{listener.port}"
    guess = f"{listener.url}?state={forged}&selling_partner_id={SELLER}&spapi_oauth_code=x"
    assert requests.get(guess, timeout=WAIT_S).status_code == 400  # a page guessing the port
    assert session.listening
    assert answers.empty()
    with pytest.raises(ConsentRefused) as refused:  # pasted, it is refused just the same
        run(session, session.finish(guess))
    assert refused.value.reason is RefusalReason.UNKNOWN
    assert nothing_sent(amazon)
    requests.get(address, timeout=WAIT_S)  # the real answer still gets through
    check = session.take_answer(answers.get(timeout=WAIT_S))
    assert check is not None
    assert isinstance(run(session, check), Authorized)
    assert not workspace.is_dirty


# --- coverage and applying -----------------------------------------------------------------------


def test_a_marketplace_amazon_did_not_list_is_named_and_left_alone(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    poland = Channel("pl", "acme", by_country("PL").id, "Acme PL", SELLER)
    workspace.apply(ch.add_channel(poland))
    workspace.save()
    session = make(listen=False)
    result = run(session, session.finish(redirect_address(session.link())))
    covered = session.coverage(result)
    assert set(covered.channel_ids) == EU_IDS
    assert covered.not_covered == (
        (
            "pl",
            "Amazon did not list Poland for this account: it may be a separate account. "
            "Reauthorize it on its own.",
        ),
    )
    assert session.apply(result, covered) is None
    assert "pl" not in workspace.pending_channel_ids()
    assert workspace.current.channels["pl"].authorization_id is None


def test_apply_is_one_pending_change_and_one_undo_step(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    session = make(listen=False)
    before = {c.id: c.authorization_id for c in workspace.current.channels.values()}
    result = run(session, session.finish(redirect_address(session.link())))
    assert session.apply(result, session.coverage(result)) is None
    (change,) = workspace.pending
    assert change.description == "New authorization for Acme UK"
    auth = workspace.current.authorizations[result.authorization.id]
    assert auth.refresh_token_ref is not None
    assert workspace.secrets.get(auth.refresh_token_ref) is None  # not before Save
    workspace.undo()
    assert not workspace.is_dirty
    assert {c.id: c.authorization_id for c in workspace.current.channels.values()} == before


def test_a_refusal_is_returned_and_nothing_applied(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    session = make(listen=False)
    result = run(session, session.finish(redirect_address(session.link())))
    covered = session.coverage(result)
    workspace.read_only_reason = "Another SP Connect window has this inventory open."
    refusal = session.apply(result, covered)
    assert isinstance(refusal, ReadOnlyError)
    assert not workspace.is_dirty
    workspace.read_only_reason = None
    saving = UserFacingError("SP Connect is saving your changes.")
    refusing = make(listen=False, apply=lambda _change: saving)  # the window's own rule
    assert refusing.apply(result, covered) is saving
    assert not workspace.is_dirty


def test_a_read_only_inventory_or_an_incomplete_app_cannot_start(
    make: Callable[..., ConsentSession], workspace: Workspace, amazon: Amazon
) -> None:
    workspace.read_only_reason = "Another SP Connect window has this inventory open."
    session = make(listen=False)
    with pytest.raises(UserFacingError, match="Another SP Connect window"):
        session.link()
    with pytest.raises(UserFacingError, match="could not be kept"):
        session.self_authorize(Secret("Atzr|x"), SELLER)
    workspace.read_only_reason = None
    app = replace(workspace.current.app, client_secret_ref=None)
    workspace.apply(ch.set_app_credentials(app))
    problem = session.cannot_start()
    assert problem is not None
    assert "no client secret" in problem.message
    assert session.attempt is None
    assert nothing_sent(amazon)


# --- tries: late answers and results are dropped -------------------------------------------------


def test_a_result_that_arrives_after_try_again_is_dropped(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    session = make(listen=False)
    check = session.finish(redirect_address(session.link()))
    session.restart()  # the person clicked Try again while Amazon was being asked
    with pytest.raises(ConsentRefused) as refused:
        check.run()
    assert refused.value.reason is RefusalReason.CANCELLED
    assert not session.ended(check)
    assert session.dropped_results == 1
    assert not workspace.is_dirty


def test_an_answer_heard_before_try_again_is_dropped(
    make: Callable[..., ConsentSession], amazon: Amazon
) -> None:
    session = make()
    answers = heard(session)
    first = session.listener
    assert first is not None
    requests.get(session.link(), timeout=WAIT_S)
    query = answers.get(timeout=WAIT_S)
    session.restart()
    assert session.take_answer(query) is None
    assert session.dropped_answers == 1
    assert nothing_sent(amazon)
    second = session.listener  # a fresh one-shot listener for the new try
    assert second is not None
    assert second.port != first.port
    assert session.listening
    assert session.attempt is None


def test_an_answer_while_a_check_runs_is_dropped(make: Callable[..., ConsentSession]) -> None:
    """The person pastes, and the browser reaches the listener too: one check, not two."""
    session = make()
    answers = heard(session)
    address = redirect_address(session.link())
    check = session.finish(address)
    assert requests.get(address, timeout=WAIT_S).status_code == 200
    assert session.take_answer(answers.get(timeout=WAIT_S)) is None
    assert session.dropped_answers == 1
    assert isinstance(run(session, check), Authorized)


def test_after_a_result_is_shown_nothing_more_is_taken(
    make: Callable[..., ConsentSession],
) -> None:
    session = make()
    answers = heard(session)
    listener = session.listener
    assert listener is not None
    address = redirect_address(session.link())
    check = session.finish(address)
    requests.get(address, timeout=WAIT_S)
    query = answers.get(timeout=WAIT_S)
    assert isinstance(run(session, check), Authorized)
    session.settle()  # the result is on screen; the queued answer arrives after it
    assert session.take_answer(query) is None
    assert not session.listening


def test_close_cancels_the_attempt_and_drops_what_comes_later(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    attempts = ConsentAttempts()
    session = make(attempts=attempts)
    listener = session.listener
    assert listener is not None
    url = session.link()
    check = session.finish(redirect_address(url))
    assert attempts.live()
    session.close()
    assert attempts.live() == ()
    assert listener.wait(timeout=WAIT_S) is None  # stopped without an answer
    with pytest.raises(ConsentRefused):
        check.run()
    assert not session.ended(check)
    assert not workspace.is_dirty


# --- the listener --------------------------------------------------------------------------------


def test_a_listener_that_cannot_start_leaves_pasting(
    make: Callable[..., ConsentSession], workspace: Workspace
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        session = make(port=taken.getsockname()[1])
        assert not session.listening
        assert session.listener_error is not None
        assert "could not listen" in session.listener_error.message
        session.link()
    attempt = session.attempt
    assert attempt is not None
    assert port_from_state(attempt.state) is None  # no port to hand the answer on to
    assert session.redirect_uri == VENDOR_REDIRECT
    result = run(session, session.finish(redirect_address(session.link())))
    assert session.apply(result, session.coverage(result)) is None
    assert workspace.pending_channel_ids() == EU_IDS


def test_a_listener_that_gives_up_says_so(make: Callable[..., ConsentSession]) -> None:
    session = make(listen=False, listener_timeout_s=0.05)
    stopped: queue.Queue[None] = queue.Queue()
    session.listener_stopped.connect(stopped.put)
    session.start_listener()
    assert stopped.get(timeout=WAIT_S) is None
    assert not session.listening


def test_the_link_is_kept_while_it_works_and_replaced_when_it_expires(
    make: Callable[..., ConsentSession], amazon: Amazon
) -> None:
    now = [datetime.now(UTC)]
    session = make(clock=lambda: now[0])
    assert session.remaining() is None
    first = session.link()
    assert first.startswith(amazon.sim.base_url + "/apps/authorize/consent?")
    assert session.link() == first
    now[0] += timedelta(minutes=10)
    second = session.link()
    assert second != first
    assert session.remaining() == timedelta(minutes=10)
