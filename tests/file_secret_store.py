"""A durable secret store in a folder, for crash tests only.

The crash test needs a keychain that survives SIGKILL of the process writing to it and that
several processes can share; a real Secret Service does that too (see the keychain tests) but
costs a D-Bus round trip per call. Values here are test data, never real secrets, and the
product never uses this class.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core.domain.secret import Secret


class FileSecretStore:
    """One file per entry, written atomically and fsynced like a keychain would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def description(self) -> str:
        return "test folder"

    @property
    def persistent(self) -> bool:
        return True

    def _path(self, name: str) -> Path:
        return self.folder / hashlib.sha256(name.encode()).hexdigest()

    def get(self, name: str) -> Secret | None:
        try:
            data = json.loads(self._path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return Secret(data["value"])

    def set(self, name: str, value: Secret) -> None:
        path = self._path(name)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump({"name": name, "value": value.reveal()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        self._sync_folder()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)
        self._sync_folder()

    def names(self) -> frozenset[str]:
        return frozenset(
            json.loads(p.read_text(encoding="utf-8"))["name"]
            for p in self.folder.iterdir()
            if p.suffix != ".tmp"
        )

    def _sync_folder(self) -> None:
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
