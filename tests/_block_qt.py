"""A pytest plugin that makes Qt and ``gui`` unimportable, for the Qt-free run of ``tests/core``.

``scripts/test`` runs ``python -m pytest -p tests._block_qt -p no:pytest-qt tests/core`` with
``SPCONNECT_BLOCK_QT=1``; ``tests/core/test_no_qt.py`` checks that the block is really in place.
This is faster than a second virtualenv without PySide6 and catches the same mistakes: a core
module (or a core test) that imports Qt, directly or through another package, fails to import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

import pytest

BLOCKED = frozenset({"PySide6", "shiboken6", "gui"})


class QtBlocker(importlib.abc.MetaPathFinder):
    """Refuses to find Qt's packages and ``gui``, as if they were not installed."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"{fullname} is blocked: core and its tests must not import Qt or gui",
                name=fullname,
            )
        return None


def is_active() -> bool:
    """Whether the blocker sits in this interpreter's import machinery."""
    return any(isinstance(finder, QtBlocker) for finder in sys.meta_path)


def _install() -> None:
    already = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
    if already:
        raise RuntimeError(f"Qt was imported before the blocker was installed: {already}")
    if not is_active():
        sys.meta_path.insert(0, QtBlocker())


_install()


def pytest_addoption(parser: pytest.Parser) -> None:
    # pytest-qt is switched off in this run, but pyproject.toml still sets its options, and
    # --strict-config rejects options nobody declared: declare them here, unused.
    for name in ("qt_api", "qt_log_level_fail"):
        parser.addini(name, "declared by tests._block_qt in place of pytest-qt (unused)")
    parser.addini("qt_log_ignore", "declared by tests._block_qt (unused)", type="linelist")
