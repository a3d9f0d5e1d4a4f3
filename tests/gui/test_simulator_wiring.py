"""Demo mode's Amazon: the demo opens pointed at its own simulator, and both Test connection
and Reauthorize work against it through the real listener."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QStatusBar

from core.amazon.checks import CheckSettings
from core.domain.endpoints import endpoints_for
from core.domain.inventory import CheckResult
from core.domain.marketplaces import EndpointProfile, Region
from core.services.consent import ConsentTarget
from core.services.demo import DemoWorkspace, open_demo
from core.services.lanes import Lanes
from gui.bridge import Bridge
from gui.checks import start_connection_test
from gui.reauthorize.dialog import open_reauthorize
from gui.tasks import TaskRunner
from tests.gui.amazon_support import threaded_runner

__all__ = ["threaded_runner"]  # the fixture, used by name below

WAIT_MS = 10_000


@pytest.fixture
def demo() -> Iterator[DemoWorkspace]:
    workspace = open_demo()
    yield workspace
    workspace.close()


def channel_named(workspace: DemoWorkspace, name: str) -> str:
    return next(c.id for c in workspace.current.channels.values() if c.name == name)


def test_the_demo_opens_pointed_at_its_simulator(demo: DemoWorkspace) -> None:
    simulator = demo.simulator
    assert simulator is not None
    app = demo.current.app
    assert app.endpoint_profile is EndpointProfile.SIMULATOR
    assert app.endpoint_url == simulator.base_url
    assert endpoints_for(app) == simulator.endpoints
    assert not demo.is_dirty  # the demo opens clean
    assert requests.get(simulator.base_url + "/", timeout=5).status_code == 200
    folder = demo.data_dir
    assert folder is not None
    assert folder.is_dir()
    demo.close()
    assert not simulator.running
    assert not folder.exists()  # the demo leaves nothing behind


def test_test_connection_on_the_demo(qtbot: Any, demo: DemoWorkspace) -> None:
    ws = demo
    au = channel_named(demo, "Little Acorn Toys AU")  # shown as refused in the demo
    uk = channel_named(demo, "Alpine Trail Outfitters UK")
    settings = CheckSettings(workers=2, requests_per_second=100.0, burst=10)
    runner, bridge, status_bar = TaskRunner(Lanes()), Bridge(), QStatusBar()
    qtbot.addWidget(status_bar)
    try:
        run = start_connection_test(
            None,
            ws,
            [au, uk],
            runner=runner,
            bridge=bridge,
            settings=settings,
            status_bar=status_bar,
            show_progress=False,
        )
        assert run is not None
        qtbot.waitUntil(lambda: bool(status_bar.currentMessage()), timeout=WAIT_MS)
    finally:
        runner.shutdown()
        bridge.close()
    assert ws.current.channels[au].health.result is CheckResult.NEEDS_REAUTHORIZATION
    assert ws.current.channels[uk].health.result is CheckResult.OK


def test_reauthorize_on_the_demo_through_the_listener(
    qtbot: Any, demo: DemoWorkspace, threaded_runner: TaskRunner
) -> None:
    sim = demo.simulator
    assert sim is not None
    ws = demo
    au = channel_named(demo, "Little Acorn Toys AU")
    sim.select_account("A3ACORNTOYSAU8", Region.FE)
    sim.auto_confirm = True  # the trainee clicks Confirm at once
    urls: list[str] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
        return True

    target = ConsentTarget.for_channel(ws.current, au)
    dialog = open_reauthorize(None, ws, target, runner=threaded_runner, open_url=open_url)
    qtbot.addWidget(dialog)
    assert "Demo:" in dialog.start_page.instructions.text()
    qtbot.mouseClick(dialog.start_page.open_button, Qt.MouseButton.LeftButton)
    listener = dialog.session.listener
    assert listener is not None
    assert "redirect_uri=" + requests.utils.quote(listener.url, safe="") in urls[0]
    page = requests.get(urls[0], timeout=5)  # the simulator redirects straight to the listener
    assert "return to SP Connect" in page.text
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert dialog.outcome == "success"
    assert au in ws.pending_channel_ids()
    dialog.close()
