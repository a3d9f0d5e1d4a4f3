"""The suite's own checks hold: run on small tests in a separate pytest, they fail what they must.

Each case runs in a subprocess (``pytester.runpytest_subprocess``) with this repository's
conftest files loaded as plugins: a thread or window leaked on purpose there cannot leak into
this run. Outcomes are read per test from the inner run's JUnit XML.
"""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
INNER_TIMEOUT_S = 120


def _run(pytester: pytest.Pytester, plugins: list[str], tests: str) -> dict[str, str]:
    """Runs ``tests`` with ``plugins`` (this repo's conftests); returns each test's outcome and
    message, as ``{"test_name": "passed" | "failed: ..." | "error: ..." | "skipped: ..."}``."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        options = dict(tomllib.load(f)["tool"]["pytest"]["ini_options"])
    options.pop("testpaths", None)
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        + "\n".join(f"{k} = {json.dumps(v)}" for k, v in options.items())
    )
    pytester.makeconftest(f"pytest_plugins = {plugins!r}\n")
    pytester.makepyfile(test_inner=tests)
    xml = pytester.path / "inner.xml"
    pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--junit-xml={xml}", timeout=INNER_TIMEOUT_S
    )
    outcomes: dict[str, str] = {}
    # The inner run's own report, written by the pytest this test started: trusted input.
    for case in ET.parse(xml).getroot().iter("testcase"):  # noqa: S314
        name = case.get("name", "")
        result = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                text = f"{child.get('message', '')}\n{child.text or ''}"
                kind = {"failure": "failed"}.get(child.tag, child.tag)
                # A teardown error after a pass is reported as a second entry: keep the worst.
                if result == "passed" or kind != "skipped":
                    result = f"{kind}: {text}"
        outcomes[name] = result if name not in outcomes or result != "passed" else outcomes[name]
    return outcomes


@pytest.fixture
def inner_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The inner run imports this checkout, and has no D-Bus session (no keychain to touch)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return monkeypatch


NEEDS_WHAT_CI_HAS = """
import pytest

@pytest.mark.keychain
def test_needs_the_keychain():
    pass  # the keychain fixture skips: there is no D-Bus session bus

@pytest.mark.chromium
def test_needs_chromium():
    pytest.skip("Chromium is not installed")

@pytest.mark.xvfb
def test_needs_x():
    pytest.skip("needs an X server")

def test_skips_for_another_reason():
    pytest.skip("Qt is not blocked in this run")
"""


def test_without_ci_a_test_that_needs_the_keychain_x_or_chromium_may_skip(
    pytester: pytest.Pytester, inner_env: pytest.MonkeyPatch
) -> None:
    outcomes = _run(pytester, ["tests.conftest"], NEEDS_WHAT_CI_HAS)
    assert outcomes.keys() == {
        "test_needs_the_keychain",
        "test_needs_chromium",
        "test_needs_x",
        "test_skips_for_another_reason",
    }
    for name, outcome in outcomes.items():
        assert outcome.startswith("skipped"), (name, outcome)


def test_with_ci_a_skipped_keychain_x_or_chromium_test_fails_and_says_why(
    pytester: pytest.Pytester, inner_env: pytest.MonkeyPatch
) -> None:
    inner_env.setenv("CI", "true")
    outcomes = _run(pytester, ["tests.conftest"], NEEDS_WHAT_CI_HAS)
    keychain = outcomes["test_needs_the_keychain"]
    assert keychain.startswith(("failed", "error")), keychain  # skipped in its setup
    assert "CI=true" in keychain
    assert "needs keychain and was skipped (no D-Bus session bus" in keychain
    assert (
        "needs chromium and was skipped (Chromium is not installed)"
        in (outcomes["test_needs_chromium"])
    )
    assert "needs xvfb and was skipped (needs an X server)" in outcomes["test_needs_x"]
    # Skips that are not about CI's tools stay skips.
    assert outcomes["test_skips_for_another_reason"].startswith("skipped")


LOGS = """
import logging
import threading

log = logging.getLogger("core.example")

def test_info_is_fine():
    log.info("all is well")

def test_warns():
    log.warning("something odd %s", 42)

def test_errors_on_another_thread():
    worker = threading.Thread(target=log.error, args=("broken over there",), name="worker")
    worker.start()
    worker.join()

def test_declares_its_warning(expected_warnings):
    expected_warnings.allow("core.example", r"odd \\d+")
    logging.getLogger("core.example.child").warning("something odd 42")

def test_declares_one_warning_and_logs_another(expected_warnings):
    expected_warnings.allow("core.example", "odd")
    log.warning("something else")

def test_declares_a_warning_that_never_comes(expected_warnings):
    expected_warnings.allow("core.example", "odd")

def test_reads_its_own_records(caplog):
    log.error("broken")
    assert [r.getMessage() for r in caplog.records] == ["broken"]
"""


def test_an_unexpected_warning_fails_the_test(
    pytester: pytest.Pytester, inner_env: pytest.MonkeyPatch
) -> None:
    outcomes = _run(pytester, ["tests.conftest"], LOGS)
    assert outcomes["test_info_is_fine"] == "passed"
    warns = outcomes["test_warns"]
    assert warns.startswith("error"), warns
    assert "test_inner.py::test_warns logged 1 unexpected WARNING-or-worse record" in warns
    assert "WARNING on 'core.example' at test_inner.py:" in warns
    assert "something odd 42" in warns
    other = outcomes["test_errors_on_another_thread"]
    assert "ERROR on 'core.example'" in other
    assert "(worker): broken over there" in other
    assert outcomes["test_declares_its_warning"] == "passed"
    assert "something else" in outcomes["test_declares_one_warning_and_logs_another"]
    never = outcomes["test_declares_a_warning_that_never_comes"]
    assert "declared warnings that were never logged" in never
    assert "core.example: /odd/" in never
    assert outcomes["test_reads_its_own_records"] == "passed"


THREADS = """
import _thread
import threading

STOP = threading.Event()

def test_leaks_a_thread():
    threading.Thread(target=STOP.wait, name="left-running", daemon=True).start()

def test_leaks_a_thread_python_did_not_start():
    seen = threading.Event()

    def run():
        threading.current_thread()  # as a Qt thread calling into Python would
        seen.set()
        STOP.wait()

    _thread.start_new_thread(run, ())
    assert seen.wait(10)

def test_a_thread_on_its_way_out_is_fine():
    go = threading.Event()
    threading.Thread(target=go.wait, name="ending").start()
    go.set()  # it may still be alive at teardown: the check joins it

def test_a_joined_thread_is_fine():
    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()

def test_zz_last():
    STOP.set()
"""


def test_a_leaked_thread_fails_the_test_that_started_it(
    pytester: pytest.Pytester, inner_env: pytest.MonkeyPatch
) -> None:
    outcomes = _run(pytester, ["tests.conftest"], THREADS)
    leaked = outcomes["test_leaks_a_thread"]
    assert leaked.startswith("error"), leaked
    assert "test_inner.py::test_leaks_a_thread left 1 thread(s) running" in leaked
    assert "'left-running' (daemon, runs Event.wait), started at test_inner.py:" in leaked
    foreign = outcomes["test_leaks_a_thread_python_did_not_start"]
    assert "left 1 thread(s) running" in foreign
    assert "a thread not started by Python" in foreign
    assert outcomes["test_a_thread_on_its_way_out_is_fine"] == "passed"
    assert outcomes["test_a_joined_thread_is_fine"] == "passed"
    assert outcomes["test_zz_last"] == "passed"


QT = """
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

KEPT = []

def test_leaves_a_window_open(qtbot):
    window = QWidget()
    window.setObjectName("forgotten")
    window.setWindowTitle("Forgotten")
    window.show()
    KEPT.append(window)

def test_a_window_given_to_qtbot_is_fine(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

def test_leaves_a_timer_running(qtbot):
    timer = QTimer()
    timer.setObjectName("ticking")
    timer.start(60_000)
    KEPT.append(timer)

def test_leaves_a_single_shot_pending(qtbot):
    QTimer.singleShot(60_000, lambda: None)

def test_a_stopped_timer_is_fine(qtbot):
    timer = QTimer()
    timer.start(60_000)
    timer.stop()
    KEPT.append(timer)

def test_a_single_shot_that_fired_is_fine(qtbot):
    fired = []
    QTimer.singleShot(0, lambda: fired.append(1))
    qtbot.waitUntil(lambda: fired == [1], timeout=5_000)

def test_a_single_shot_whose_object_is_gone_is_fine(qtbot):
    owner = QObject()
    QTimer.singleShot(60_000, owner, lambda: None)
    del owner
"""


def test_a_leaked_window_or_timer_fails_the_gui_test(
    pytester: pytest.Pytester, inner_env: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PySide6", reason="needs Qt (not run with Qt blocked)")
    outcomes = _run(pytester, ["tests.conftest", "tests.gui.conftest"], QT)
    window = outcomes["test_leaves_a_window_open"]
    assert window.startswith("error"), window
    assert "test_leaves_a_window_open left 1 top-level widget(s) alive" in window
    assert "QWidget 'forgotten' titled 'Forgotten' (visible)" in window
    assert outcomes["test_a_window_given_to_qtbot_is_fine"] == "passed"
    timer = outcomes["test_leaves_a_timer_running"]
    assert "left 1 Qt timer(s) running" in timer
    assert "QTimer 'ticking' every 60000 ms, started at test_inner.py:" in timer
    shot = outcomes["test_leaves_a_single_shot_pending"]
    assert "QTimer.singleShot(60000 ms), called at test_inner.py:" in shot
    assert outcomes["test_a_stopped_timer_is_fine"] == "passed"
    assert outcomes["test_a_single_shot_that_fired_is_fine"] == "passed"
    assert outcomes["test_a_single_shot_whose_object_is_gone_is_fine"] == "passed"
