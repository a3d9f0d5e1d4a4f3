"""The fault run's harness: a cheap kind end to end, its JSON line, and how failures count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults import __main__ as faults
from tests.faults._report import KindReport

ROOT = Path(__file__).resolve().parents[2]


def test_a_quick_save_kill_run_ends_with_its_json_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults", "--quick", "--kinds", "save_kill", "--count", "4"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failures"] == 0, done.stdout
    assert done.returncode == 0
    assert summary["kinds"]["save_kill"]["kills"] == 4
    # Each kill is several checks: integrity, generation, mix, references, orphans.
    assert summary["runs"] == summary["kinds"]["save_kill"]["runs"] >= 4 * 5
    assert "FAIL" not in done.stdout


def test_a_failed_check_is_printed_with_its_seed_and_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = KindReport("example")
    assert report.check(True, 1, "fine")
    assert not report.check(False, "7-3", "the file was corrupt")
    assert capsys.readouterr().out == "FAIL example (seed 7-3): the file was corrupt\n"
    assert report.summary()["runs"] == 2
    assert report.summary()["failures"] == 1


def test_a_childs_report_survives_the_trip_through_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    child = KindReport("network", runs=3)
    child.fail("s", "stalled 300 ms")
    child.unavailable("wrong region", "no regional mode")
    parent = KindReport("network", runs=1)
    parent.merge(KindReport.from_json(json.loads(json.dumps(child.to_json()))))
    assert parent.summary()["runs"] == 4
    assert parent.summary()["failures"] == 1
    assert parent.summary()["not_available"] == {"wrong region": "no regional mode"}
    assert "FAIL network (seed s): stalled 300 ms" in capsys.readouterr().out


def test_an_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as stopped:
        faults.parse(["--kinds", "save_kill,meteor"])
    assert stopped.value.code == 2


def test_every_kind_has_a_run_function() -> None:
    import importlib

    for kind in faults.KINDS:
        assert callable(importlib.import_module(f"tests.faults.{kind}").run), kind
