"""The window opens without waiting for the keychain; its status bar tells the truth once known."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.domain.errors import SecretStoreError
from core.services.deferred_keychain import DeferredKeychain
from core.services.lanes import Lanes
from core.storage.keychain import MemorySecretStore, SecretStore, UnavailableSecretStore
from gui.tasks import TaskRunner
from tests.gui.conftest import Opened

ASKING = "Secrets: asking the keychain…"


def test_the_status_bar_says_it_asks_the_keychain_then_names_it(
    qtbot: Any, demo_dir: Path, secrets: MemorySecretStore, open_window: Callable[..., Opened]
) -> None:
    answer = threading.Event()
    opened_times: list[int] = []

    def slow_keychain() -> SecretStore:
        assert answer.wait(timeout=10)  # the system's keychain takes its time
        opened_times.append(1)
        return secrets

    opened = open_window(demo_dir, DeferredKeychain(slow_keychain), runner=TaskRunner(Lanes()))
    window = opened.window
    # The inventory is shown and usable before the keychain answered.
    assert opened.page.model.total > 0
    assert window.secrets_label.text() == ASKING
    assert "asking your system's keychain" in window.secrets_label.toolTip()
    answer.set()
    qtbot.waitUntil(lambda: window.secrets_label.text() == "Secrets: memory only", timeout=5_000)
    assert "never in the inventory file" in window.secrets_label.toolTip()
    assert opened_times == [1]


def test_a_keychain_found_missing_later_says_saving_is_off(
    demo_dir: Path, open_window: Callable[..., Opened]
) -> None:
    missing = SecretStoreError("No keychain was found on this computer.", "Install GNOME Keyring.")
    opened = open_window(demo_dir, DeferredKeychain(lambda: UnavailableSecretStore(missing)))
    label = opened.window.secrets_label  # the lanes run in place here: known once shown
    assert label.text() == "Secrets: unavailable, saving is off"
    assert "Install GNOME Keyring." in label.toolTip()
