"""PySide6 6.12.0 on Python 3.11 aborts after a few thousand void calls (``none_dealloc``).

It drops a reference to ``None`` on calls such as ``QObject.setObjectName``; about 3,700 of them
kill the interpreter with "Fatal Python error: none_dealloc: deallocating None". A loop of 20,000
``setObjectName("x")`` calls reproduces it every time; 6.11.2 and 6.11.3 on Python 3.11 run
200,000 cleanly, and so does 6.12.0 on Python 3.12, where ``None`` is immortal and hides the bug.
The loops run in a subprocess, so an abort fails this test instead of killing pytest.
pyproject.toml pins ``PySide6-Essentials>=6.11.3,<6.12``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6

LOOPS = textwrap.dedent(
    """
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QStandardItem

    obj = QObject()
    for _ in range(20_000):
        obj.setObjectName("x")
    item = QStandardItem()
    for i in range(5_000):
        item.setText("y")
    print("survived", obj.objectName(), item.text())
    """
)


def test_void_calls_do_not_abort_the_interpreter() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOOPS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert run.returncode == 0, f"exit status {run.returncode}\n{run.stderr[-2000:]}"
    assert run.stdout.strip() == "survived x y"
    assert "none_dealloc" not in run.stderr


def test_the_broken_release_is_not_installed() -> None:
    version = tuple(int(part) for part in PySide6.__version__.split(".")[:3])
    if sys.version_info[:2] == (3, 11):
        assert version != (6, 12, 0), "PySide6 6.12.0 aborts Python 3.11 (none_dealloc)"
    assert version >= (6, 11, 3)
