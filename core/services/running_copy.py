"""Where a running copy of the window answers a second start: one address per person and inventory.

The window (:mod:`gui.single_instance`) listens at :func:`copy_address` so that starting SP
Connect again on the same inventory brings the running window to the front instead of opening
a second writer. The address is derived from who runs it and which data folder it opens:

* per person: the user id (Unix) or user name (Windows) is part of the hash, so another
  person's copy on the same machine has another address and never answers for ours (on
  Windows a local server is a named pipe in one machine-wide namespace; on Unix the socket
  file would otherwise share ``/tmp``);
* per inventory: the data folder, resolved (symbolic links, ``..``), so two routes to one
  folder meet and two folders never hand over to each other;
* in the person's own runtime folder when there is one (``$XDG_RUNTIME_DIR``, created 0700 by
  the system for that user alone), so nobody else can even place a file at the address; else a
  bare name, which Qt puts in its temporary folder (``$TMPDIR`` or ``/tmp``; per user on
  macOS).

Qt-free on purpose: the name is a rule about the inventory, testable without a display.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from core.storage import paths

#: Every address starts with it (a person looking at ``/tmp`` can tell whose socket it is).
PREFIX = "sp-connect-"

#: Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux) including the
#: folder: a runtime folder longer than this leaves the bare name to Qt's temporary folder.
_MAX_SOCKET_PATH = 100


def copy_address(
    data_dir: str | os.PathLike[str] | None,
    *,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The local server name a copy of the window on ``data_dir`` listens at.

    Args:
        data_dir: ``--data-dir`` as given (``None``: ``$SPCONNECT_DATA_DIR`` or the user's
            folder), resolved the way :func:`core.services.opening.open_workspace` opens it.
        user: Who runs it; by default the current user id (or name where there are no ids).
        env: The environment to read ``$XDG_RUNTIME_DIR`` from; by default this process's.

    Returns:
        A full socket path inside ``$XDG_RUNTIME_DIR`` when that folder exists, else a bare
        name such as ``sp-connect-1f2e3d4c5b6a7988`` (Qt places it).
    """
    environ = os.environ if env is None else env
    folder = paths.data_dir(data_dir).resolve()
    who = _current_user() if user is None else user
    digest = hashlib.sha256(f"{who}\n{folder}".encode()).hexdigest()[:16]
    name = PREFIX + digest
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_dir():
        full = str(Path(runtime) / name)
        if len(full.encode()) <= _MAX_SOCKET_PATH:
            return full
    return name


def _current_user() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return f"uid:{getuid()}"
    # Windows has no user ids here; the login name is what separates two people's pipes.
    return "user:" + os.environ.get("USERNAME", "") + "@" + os.environ.get("USERDOMAIN", "")
