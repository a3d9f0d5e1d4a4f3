"""Shared fixtures: no test touches the real keychain, data directory or display by accident.

This file must stay importable without Qt: ``tests/core`` runs with PySide6 blocked (see
``tests/_block_qt.py``). pytest-qt imports Qt itself when its plugin is active.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from core.storage.keychain import MemorySecretStore
from tests.secret_service import SecretServiceDaemon, private_bus_reason

# Before any QApplication exists; xvfb runs set QT_QPA_PLATFORM=xcb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_real_keychain(request: pytest.FixtureRequest) -> None:
    """Every test gets keyring's *fail* backend, except those marked ``keychain``.

    Those get the real Secret Service of the private D-Bus session, freshly detected.
    """
    if request.node.get_closest_marker("keychain") is not None:
        request.getfixturevalue("secret_service")
        keyring.core.init_backend()
    else:
        keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points the app's data directory (``SPCONNECT_DATA_DIR``) at a fresh, not yet created dir."""
    data_dir = tmp_path / "spconnect-data"
    monkeypatch.setenv("SPCONNECT_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def local_time_zone() -> Iterator[Callable[[str], None]]:
    """Call it with a TZ value (see :mod:`tests.zones`) to make that the local time zone.

    The zone in effect before (usually UTC on CI, which would hide local-versus-UTC mistakes)
    comes back afterwards.
    """
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() exists on Unix only")
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def memory_store() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretServiceDaemon]:
    """A real, unlocked GNOME Keyring on the private D-Bus session that ``scripts/test`` starts.

    The fixture starts the daemon itself (replacing any other one on that private bus), so it
    knows its PID and a test can freeze it. Outside such a session the tests are skipped: this
    bus may be a desktop session, and its keychain is not ours to write to or freeze.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip(
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset): "
            "run `bash scripts/test`, which starts a private one"
        )
    reason = private_bus_reason()
    if reason:
        pytest.skip(reason)
    daemon = SecretServiceDaemon.start()
    try:
        yield daemon
    finally:
        daemon.close()
