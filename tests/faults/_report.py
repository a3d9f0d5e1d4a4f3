"""What a kind of fault reports: runs, failures (each with its seed) and checks not available."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Failure:
    """One check that did not hold: which kind, the seed to reproduce it, and what was wrong."""

    kind: str
    seed: str
    what: str

    def line(self) -> str:
        return f"FAIL {self.kind} (seed {self.seed}): {self.what}"


@dataclass
class KindReport:
    """Counts for one kind. ``not_available`` checks could not run here: neither pass nor fail."""

    kind: str
    runs: int = 0
    failures: list[Failure] = field(default_factory=list)
    not_available: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def ran(self, count: int = 1) -> None:
        self.runs += count

    def fail(self, seed: object, what: str, *, say: bool = True) -> None:
        """Record (and print at once, plainly, unless ``say`` is false) a failed check.

        A report handed to :meth:`merge` is said there: build it with ``say=False``.
        """
        failure = Failure(self.kind, str(seed), what)
        self.failures.append(failure)
        if say:
            print(failure.line(), flush=True)

    def check(self, ok: bool, seed: object, what: str) -> bool:
        """One counted run: ``what`` is recorded as a failure unless ``ok``."""
        self.runs += 1
        if not ok:
            self.fail(seed, what)
        return ok

    def unavailable(self, sub_kind: str, why: str, *, say: bool = True) -> None:
        self.not_available[sub_kind] = why
        if say:
            print(f"NOT AVAILABLE {self.kind}/{sub_kind}: {why}", file=sys.stderr, flush=True)

    def merge(self, other: KindReport) -> None:
        """Add a child process's report of the same kind."""
        self.runs += other.runs
        for failure in other.failures:  # the child's output was captured: say them here
            self.failures.append(failure)
            print(failure.line(), flush=True)
        for sub_kind, why in other.not_available.items():
            self.unavailable(sub_kind, why)
        self.figures.update(other.figures)

    def summary(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "failures": len(self.failures),
            "not_available": dict(self.not_available),
            **self.figures,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "runs": self.runs,
            "failures": [[f.seed, f.what] for f in self.failures],
            "not_available": self.not_available,
            "figures": self.figures,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KindReport:
        report = cls(data["kind"], int(data["runs"]))
        report.failures = [Failure(report.kind, s, w) for s, w in data["failures"]]
        report.not_available = dict(data["not_available"])
        report.figures = dict(data["figures"])
        return report
