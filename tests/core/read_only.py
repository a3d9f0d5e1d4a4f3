"""Making a file or folder read-only in a way that holds even for root.

Tests here often run as root, who ignores permission bits: ``chattr +i`` (the immutable flag)
refuses writes to root too. Without root, plain permission bits do the same job.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MakeReadOnly = Callable[[Path], None]


@pytest.fixture
def make_read_only() -> Iterator[MakeReadOnly]:
    """Call it with a path to make it read-only until the test ends."""
    undo: list[Callable[[], None]] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            chattr = shutil.which("chattr")
            if chattr is None:
                pytest.skip("running as root without chattr: a read-only file cannot be made")
            done = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip(f"this file system has no immutable flag ({done.stderr!r})")
            undo.append(lambda: subprocess.run([chattr, "-i", str(path)], check=True))
        else:
            mode = path.stat().st_mode
            path.chmod(0o555 if path.is_dir() else 0o444)
            undo.append(lambda: path.chmod(mode))

    yield make
    for step in reversed(undo):
        step()
