"""core/ never imports Qt: every core module imports with PySide6 blocked.

``scripts/test`` runs ``tests/core`` with ``-p tests._block_qt`` and ``SPCONNECT_BLOCK_QT=1``; in
the full run (Qt available) the blocker checks are skipped and the imports still must work.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import pytest

import core

BLOCKING = os.environ.get("SPCONNECT_BLOCK_QT") == "1"
needs_blocker = pytest.mark.skipif(not BLOCKING, reason="Qt is not blocked in this run")

CORE_MODULES = sorted(info.name for info in pkgutil.walk_packages(core.__path__, prefix="core."))


def test_core_has_modules() -> None:
    assert "core.storage.keychain" in CORE_MODULES
    assert "core.domain.errors" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports(module: str) -> None:
    assert importlib.import_module(module).__name__ == module


@needs_blocker
def test_the_blocker_is_installed() -> None:
    from tests import _block_qt

    assert _block_qt.is_active()


@needs_blocker
@pytest.mark.parametrize("name", ["PySide6", "PySide6.QtCore", "shiboken6", "gui"])
def test_qt_cannot_be_imported(name: str) -> None:
    with pytest.raises(ImportError, match="blocked"):
        importlib.import_module(name)


@needs_blocker
def test_nothing_imported_qt() -> None:
    for name in CORE_MODULES:
        importlib.import_module(name)
    leaked = [m for m in sys.modules if m.partition(".")[0] in {"PySide6", "shiboken6", "gui"}]
    assert leaked == []
    assert "pytestqt" not in sys.modules
