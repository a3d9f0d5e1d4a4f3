"""No secret (client secret, code, refresh or access token) reaches an error, a log or the
simulator's request log, on any error path: neither the records nor the real log file and
terminal that main.py's handlers write (core.services.logs)."""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from core.amazon.http import AmazonError
from core.amazon.lwa import LwaClient
from core.amazon.sellers import SellersClient
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.services import logs
from core.simulator import Simulator
from tests.integration.simhelpers import (
    ACME_NA,
    APP,
    CLIENT_SECRET,
    ManualClock,
    Sleeps,
    consent,
)

TOKEN_PATH = "/auth/o2/token"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _assert_clean(exc: AmazonError, secrets: list[str], caplog: pytest.LogCaptureFixture) -> None:
    # Neither the error nor anything chained to it may hold the request (it carries the body).
    assert [type(e) for e in _chain(exc)] == [type(exc)]
    shown = "\n".join(
        [
            str(exc),
            repr(exc),
            exc.message,
            exc.next_step,
            repr(exc.args),
            "".join(traceback.format_exception(exc)),
            caplog.text,
        ]
    )
    for value in secrets:
        assert value not in shown


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@dataclass
class InstalledLog:
    file: Path
    terminal: io.StringIO

    def written(self) -> str:
        return self.file.read_text() + self.terminal.getvalue()


@pytest.fixture
def installed_log(
    everything_logged: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InstalledLog]:
    """The handlers every start installs, with ``--verbose`` (everything, to both)."""
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(tmp_path / "log"))
    terminal = io.StringIO()
    file = logs.start_logging(True, stderr=terminal)
    assert file is not None
    yield InstalledLog(file, terminal)
    logs.stop_logging()


def test_no_secret_in_errors_or_logs_on_any_path(
    sim: Simulator,
    browser: requests.Session,
    clock: ManualClock,
    everything_logged: pytest.LogCaptureFixture,
    installed_log: InstalledLog,
) -> None:
    sleeps = Sleeps()
    lwa = LwaClient(sim.endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps)
    wrong = LwaClient(sim.endpoints, APP.client_id, Secret("amzn1.oa2-cs.v1.WRONG-9"), sleep=sleeps)
    sellers = SellersClient(sim.endpoints, sleep=sleeps)
    try:
        code = Secret(consent(sim, browser)["spapi_oauth_code"])
        tokens = lwa.exchange_code(code, "", Region.NA)
        assert tokens.refresh_token is not None
        refresh, access = tokens.refresh_token, tokens.access_token
        fresh_code = Secret(consent(sim, browser)["spapi_oauth_code"])
        secrets = [
            CLIENT_SECRET,
            "amzn1.oa2-cs.v1.WRONG-9",
            code.reveal(),
            fresh_code.reveal(),
            refresh.reveal(),
            access.reveal(),
        ]

        def refused_connection() -> None:
            endpoints = sim.endpoints
            sim.stop()
            with LwaClient(endpoints, APP.client_id, Secret(CLIENT_SECRET), sleep=sleeps) as c:
                c.refresh(refresh, Region.NA)

        cases: list[tuple[Callable[[], None], Callable[[], object]]] = [
            (lambda: None, lambda: lwa.exchange_code(code, "", Region.NA)),  # reused
            (lambda: None, lambda: wrong.refresh(refresh, Region.NA)),
            (lambda: None, lambda: wrong.exchange_code(fresh_code, "", Region.NA)),
            (
                lambda: sim.faults.drop_next(path=TOKEN_PATH),
                lambda: lwa.exchange_code(fresh_code, "", Region.NA),
            ),
            (lambda: sim.faults.throttle_token_calls(9), lambda: lwa.refresh(refresh, Region.NA)),
            (lambda: sim.faults.fail_next(None), lambda: lwa.refresh(refresh, Region.NA)),
            (lambda: sim.faults.drop_next(None), lambda: lwa.refresh(refresh, Region.NA)),
            (
                sim.faults.clear,
                lambda: (
                    sellers.marketplace_participations(access, Region.NA)
                    if sim.revoke(ACME_NA.seller_id)
                    else None
                ),
            ),
            (lambda: None, lambda: lwa.refresh(refresh, Region.NA)),  # revoked
            (
                lambda: sim.faults.drop_next(None),
                lambda: sellers.marketplace_participations(access, Region.NA),
            ),
            (lambda: clock.advance(301), lambda: lwa.exchange_code(fresh_code, "", Region.NA)),
            (sim.faults.clear, refused_connection),
        ]
        seen: set[str] = set()
        for prepare, call in cases:
            prepare()
            with pytest.raises(AmazonError) as caught:
                call()
            seen.add(type(caught.value).__name__)
            _assert_clean(caught.value, secrets, everything_logged)
            sim.faults.clear()
    finally:
        for client in (lwa, wrong, sellers):
            client.close()

    # A careless line, as a defect would write it: the handlers take the values out.
    logging.getLogger("tests.careless").debug("careless: %s, %s", refresh.reveal(), CLIENT_SECRET)
    written = installed_log.written()
    assert "LWA refresh_token grant: HTTP" in written  # the flow did go through the file
    assert "careless: [redacted], [redacted]" in installed_log.file.read_text()
    for value in secrets:
        assert value not in written
        assert quote(value, safe="") not in written
    assert seen >= {
        "CodeRejected",
        "AppCredentialsError",
        "NetworkError",
        "RateLimited",
        "AmazonServerError",
        "NeedsReauthorization",
    }
    for value in secrets:
        assert value not in repr(sim.request_log)
        assert value not in repr(tokens)


def test_token_response_and_simulator_records_never_show_values(
    sim: Simulator, browser: requests.Session, lwa: LwaClient
) -> None:
    query = consent(sim, browser)
    tokens = lwa.exchange_code(Secret(query["spapi_oauth_code"]), "", Region.NA)
    assert tokens.refresh_token is not None

    shown = repr(tokens) + str(tokens) + repr(sim.apps) + repr(sim.request_log)

    assert tokens.access_token.reveal() not in shown
    assert tokens.refresh_token.reveal() not in shown
    assert CLIENT_SECRET not in shown
    assert query["spapi_oauth_code"] not in shown
