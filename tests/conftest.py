"""Shared fixtures: no test touches the real keychain, data directory or display by accident,
and every test is held to what :mod:`tests.leaks` describes: with ``CI=true`` no skipped
``keychain``/``xvfb``/``chromium`` test, no unexpected WARNING-or-worse log record, no leaked
thread (the GUI's own checks, widgets and timers, are in tests/gui/conftest.py).

This file must stay importable without Qt: ``tests/core`` runs with PySide6 blocked (see
``tests/_block_qt.py``). pytest-qt imports Qt itself when its plugin is active.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from core.storage.keychain import MemorySecretStore, thread_for
from tests.leaks import (
    CALL_REPORT,
    CI_ONLY_SKIPS,
    ExpectedWarnings,
    WarningRecorder,
    assert_clean,
    call_failed,
    ci_enabled,
    ci_skip_failure,
    forget_thread_origins,
    leaked_threads,
    log_failure_message,
    remember_thread_origins,
    skip_reason,
    thread_leak_message,
    unexpected_records,
)
from tests.secret_service import SecretServiceDaemon, private_bus_reason

# Before any QApplication exists; xvfb runs set QT_QPA_PLATFORM=xcb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every start of SP Connect logs (core.services.logs): never to the person's own log folder, in
# this process or in the subprocesses tests start (they inherit it). A test that reads a log
# points SPCONNECT_LOG_DIR at a folder of its own.
_LOG_DIR = tempfile.TemporaryDirectory(prefix="spconnect-test-logs-")
os.environ["SPCONNECT_LOG_DIR"] = _LOG_DIR.name

EXPECTED = pytest.StashKey[ExpectedWarnings]()


def pytest_configure(config: pytest.Config) -> None:
    remember_thread_origins()


def pytest_unconfigure(config: pytest.Config) -> None:
    forget_thread_origins()
    _LOG_DIR.cleanup()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With ``CI=true``, a skipped test that needs the keychain, X or Chromium fails."""
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    if report.skipped and not hasattr(report, "wasxfail") and ci_enabled():
        needs = [name for name in CI_ONLY_SKIPS if item.get_closest_marker(name)]
        if needs:
            report.outcome = "failed"
            report.longrepr = ci_skip_failure(item.nodeid, needs, skip_reason(report.longrepr))
    return report


@pytest.fixture(autouse=True)
def _no_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test that logs WARNING or worse without declaring it (see tests/leaks.py)."""
    recorder = WarningRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield
    finally:
        root.removeHandler(recorder)
    if call_failed(request.node) or "caplog" in request.fixturenames:
        return  # a test with caplog reads its records itself
    expected = request.node.stash.get(EXPECTED, ExpectedWarnings())
    lines = unexpected_records(recorder, expected.accepts)
    assert_clean(log_failure_message(request.node.nodeid, lines, expected.never_logged()))


@pytest.fixture(autouse=True)
def _no_real_keychain(request: pytest.FixtureRequest) -> None:
    """Every test gets keyring's *fail* backend, except those marked ``keychain``.

    Those get the real Secret Service of the private D-Bus session, freshly detected. keyring
    keeps the backend it detects for the whole process, and the keychain thread of a backend
    lives as long as the backend (core/storage/keychain.py): that thread is started here,
    before the thread check looks, as the one process-wide thread it is.
    """
    if request.node.get_closest_marker("keychain") is not None:
        request.getfixturevalue("secret_service")
        keyring.core.init_backend()
        thread_for(keyring.get_keyring())
    else:
        keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]


@pytest.fixture(autouse=True)
def _no_leaked_threads(
    request: pytest.FixtureRequest, _no_unexpected_warnings: None, _no_real_keychain: None
) -> Iterator[None]:
    """Fails a test whose threads outlive its teardown (see tests/leaks.py).

    Set up after the log check, so torn down before it (the log check sees what the joins
    log), and after the keychain backend is chosen (its process-wide thread is not the test's).
    Autouse fixtures otherwise run in alphabetical order.
    """
    before = set(threading.enumerate())
    yield
    # Every other function-scoped fixture is finalized by now, but pytest still holds their
    # values until the test is over: let go of them, so that a thread that ends with its owner
    # (the keychain lane ends with its store) can end. Wider-scoped values live on elsewhere.
    request.node.funcargs.clear()
    left = leaked_threads(before)
    if left and not call_failed(request.node):
        assert_clean(thread_leak_message(request.node.nodeid, left))


@pytest.fixture
def expected_warnings(request: pytest.FixtureRequest) -> ExpectedWarnings:
    """Declare the WARNING-or-worse records this test expects: ``expected_warnings.allow(
    "core.storage.keychain", r"keychain set failed")``. Each must then really be logged."""
    expected = ExpectedWarnings()
    request.node.stash[EXPECTED] = expected
    return expected


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points the app's data directory (``SPCONNECT_DATA_DIR``) at a fresh, not yet created dir."""
    data_dir = tmp_path / "spconnect-data"
    monkeypatch.setenv("SPCONNECT_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def local_time_zone() -> Iterator[Callable[[str], None]]:
    """Call it with a TZ value (see :mod:`tests.zones`) to make that the local time zone.

    The zone in effect before (usually UTC on CI, which would hide local-versus-UTC mistakes)
    comes back afterwards.
    """
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() exists on Unix only")
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def memory_store() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretServiceDaemon]:
    """A real, unlocked GNOME Keyring on the private D-Bus session that ``scripts/test`` starts.

    The fixture starts the daemon itself (replacing any other one on that private bus), so it
    knows its PID and a test can freeze it. Outside such a session the tests are skipped: this
    bus may be a desktop session, and its keychain is not ours to write to or freeze.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip(
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset): "
            "run `bash scripts/test`, which starts a private one"
        )
    reason = private_bus_reason()
    if reason:
        pytest.skip(reason)
    daemon = SecretServiceDaemon.start()
    try:
        yield daemon
    finally:
        daemon.close()
