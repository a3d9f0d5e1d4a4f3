"""Fixtures for GUI tests against a per-test Amazon simulator on 127.0.0.1.

The workspace lives in a temporary data folder with a memory secret store, holds Acme's five
EU channels (:mod:`tests.integration.consent_support`) and app credentials pointed at the
simulator, and is saved, so a test sees exactly what its actions leave pending.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from core.domain.status import channel_status
from core.services.lanes import Lanes
from core.services.view.badges import channel_badges
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from gui.tasks import TaskRunner
from tests.integration.consent_support import Amazon, simulator_workspace, start_amazon

WAIT_MS = 10_000
BROWSER_TIMEOUT_S = 10.0


@pytest.fixture
def amazon() -> Iterator[Amazon]:
    """A running simulator: the test app (loopback redirects allowed), Acme EU and another
    EU account; consent pages confirm at once with the selected account (Acme)."""
    running = start_amazon()
    yield running
    running.sim.stop()


@pytest.fixture
def threaded_runner(qtbot: Any) -> Iterator[TaskRunner]:
    """The window's kind of runner: real lanes, so a check runs on a network thread and its
    result comes back through the event loop (an immediate runner would hide every wait)."""
    del qtbot  # a QApplication must exist before any QObject
    runner = TaskRunner(Lanes())
    yield runner
    runner.shutdown()


@pytest.fixture
def store() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def workspace(tmp_path: Path, amazon: Amazon, store: MemorySecretStore) -> Iterator[Workspace]:
    opened = simulator_workspace(tmp_path / "data", amazon, store)
    yield opened
    opened.close()


class UrlCatcher(QObject):
    """Stands in for the system browser: QDesktopServices hands it every http(s) URL."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


@pytest.fixture
def browser() -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, catcher, "handle")
    yield catcher
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


def follow(url: str) -> requests.Response:
    """What the person's browser does with the consent link (auto-confirm: straight through)."""
    return requests.get(url, timeout=BROWSER_TIMEOUT_S)


def redirect_address(url: str) -> str:
    """The address Amazon sends the browser to, without going there (to paste it back)."""
    answer = requests.get(url, timeout=BROWSER_TIMEOUT_S, allow_redirects=False)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def badge_texts(workspace: Workspace, channel_id: str) -> list[str]:
    channel = workspace.current.channels[channel_id]
    status = channel_status(
        channel,
        workspace.current,
        datetime.now(UTC),
        pending=channel_id in workspace.pending_channel_ids(),
    )
    return [b.text for b in channel_badges(status)]
