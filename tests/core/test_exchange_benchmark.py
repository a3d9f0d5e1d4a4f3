"""The export/import benchmark's code runs (tiny size; its figures mean nothing here)."""

from __future__ import annotations

import json

import pytest

from tests.benchmarks import exchange


def test_the_exchange_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert exchange.main(["--channels", "200"]) == 0
    figures = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert figures["channels"] == 200
    assert figures["json_mb"] >= 0
