"""``python -m tests.benchmarks all --quick``: every benchmark's code runs, so none of it rots.

Figures only are checked, never timed: a quick run's numbers mean nothing.
"""

from __future__ import annotations

import json

import pytest

from tests.benchmarks import all as all_benchmarks

HEADLINE_KEYS = {
    "ready_ratio_empty",
    "open_ratio",
    "save_ratio",
    "save_growth",
    "save_ratio_max",
    "result_growth",
    "rate_ratio",
    "max_stall_ms",
}


@pytest.mark.slow
def test_every_benchmark_runs_and_ends_with_one_json_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert all_benchmarks.main(["--quick", "--sizes", "300"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])
    assert figures.keys() >= HEADLINE_KEYS
    sized = ("ready_ratio", "filter_ms", "filter_ratio", "result_ms", "open_ratio", "save_ratio")
    for key in (*sized, "rss_mb"):
        assert figures[f"{key}_300"] > 0, key
    assert figures["headline_channels"] == 300
    assert figures["quick"] is True
    table = out.index("Scaling (medians; xN = ratio to the floor measured in the same run)")
    assert out[table + 2].split("|")[0].strip() == "empty"
    assert out[table + 3].split("|")[0].strip() == "300"
