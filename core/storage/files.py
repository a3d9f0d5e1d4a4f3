"""The data folder's files are the person's alone: folder 0700, every file 0600.

The inventory names every seller and company the person manages and where their keychain
entries are; other local users have no business reading it. SQLite creates a database's ``-wal``
and ``-shm`` files with the database file's own permissions, so creating that file 0600 first
covers them. Permissions are set explicitly (``fchmod``/``chmod``), never left to the umask. On
Windows, ``chmod`` only toggles the read-only flag; the per-user data folder is private there.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if needed, and make it 0700. Raises ``OSError``."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != FOLDER_MODE:
        folder.chmod(FOLDER_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty if missing, and make it 0600; raises ``OSError`` if not writable.

    Opening it for writing is also the check that it can be written at all: root ignores
    permission bits but not a read-only file system or an immutable file, and SQLite would
    otherwise open such a file read-only without a word.
    """
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    make_private(path)


def make_private(path: Path) -> None:
    """Make an existing file 0600 (best effort: a file that vanished needs nothing)."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
            path.chmod(FILE_MODE)


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, the file 0600; raises ``OSError``.

    A temporary file in the same folder (so the rename stays on one file system) is written,
    flushed to the disk and renamed over ``path``: a reader, a crash or a full disk sees the
    earlier file or the new one, never half of one. The temporary file is removed on any
    failure, an interruption included.
    """
    folder = path.parent if str(path.parent) else Path()
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), FILE_MODE)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
