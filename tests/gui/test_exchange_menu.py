"""File > Export… and File > Import…: a file chosen, the work on the runner, a preview first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from core.storage.keychain import MemorySecretStore
from gui.exchange import files
from tests.gui.conftest import Opened

Left = Qt.MouseButton.LeftButton


def _choose(monkeypatch: pytest.MonkeyPatch, name: str, answer: Any) -> list[Any]:
    asked: list[Any] = []

    def stand_in(_parent: object, *args: Any) -> Any:
        asked.append(args)
        return answer

    monkeypatch.setattr(files, name, stand_in)
    return asked


def test_export_writes_the_chosen_format(
    qtbot: Any, demo_window: Opened, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "inventory.json"
    asked = _choose(monkeypatch, "ask_export_file", (out, "json"))
    window = demo_window.window
    assert window.act.export.isEnabled()
    window.act.export.trigger()
    qtbot.waitUntil(out.exists, timeout=5000)
    assert asked == [(["csv", "json"],)]
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["channels"]) == len(demo_window.ws.current.channels)
    assert f"Exported to {out}" in window.statusBar().currentMessage()


@pytest.mark.parametrize("by_keyboard", [False, True])
def test_import_previews_then_becomes_one_pending_change(
    qtbot: Any,
    demo_window: Opened,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    by_keyboard: bool,
) -> None:
    source = tmp_path / "new.csv"
    source.write_text("Company;Marketplace;Seller ID\nFresh Fields;DE;A1FRESHFIELDS7\n", "utf-8")
    _choose(monkeypatch, "ask_import_file", source)
    window, ws = demo_window.window, demo_window.ws
    window.act.import_file.trigger()
    commands = window.commands
    assert commands is not None
    qtbot.waitUntil(lambda: commands.exchange is not None and commands.exchange.preview is not None)
    preview = commands.exchange.preview
    qtbot.waitExposed(preview)
    assert "1 company added, 1 channel added" in preview.headline.text()
    assert not ws.is_dirty  # nothing yet
    if by_keyboard:
        qtbot.keyClick(preview, Qt.Key.Key_Return)  # Import is the default button
    else:
        qtbot.mouseClick(preview.import_button, Left)
    assert [c.kind.value for c in ws.pending] == ["import"]
    assert any(c.name == "Fresh Fields" for c in ws.current.companies.values())
    assert window.windowTitle().startswith("*")
    window.act.undo.trigger()
    assert not ws.is_dirty
    assert not any(c.name == "Fresh Fields" for c in ws.current.companies.values())


def test_a_bad_file_lists_its_lines_and_cannot_be_imported(
    qtbot: Any, demo_window: Opened, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("company,marketplace\nFresh Fields,Atlantis\n,US\n", "utf-8")
    _choose(monkeypatch, "ask_import_file", source)
    window, ws = demo_window.window, demo_window.ws
    window.act.import_file.trigger()
    commands = window.commands
    assert commands is not None
    qtbot.waitUntil(lambda: commands.exchange is not None and commands.exchange.preview is not None)
    preview = commands.exchange.preview
    qtbot.waitExposed(preview)
    assert not preview.import_button.isEnabled()
    lines = preview.details.toPlainText().splitlines()
    assert lines[0].startswith("line 2, marketplace: 'Atlantis' is not an Amazon marketplace")
    assert lines[1] == "line 3, company: Enter the company's name."
    qtbot.mouseClick(preview.close_button, Left)
    assert not preview.isVisible()
    assert not ws.is_dirty


def test_the_window_s_export_names_the_version_that_wrote_it(
    qtbot: Any,
    open_window: Callable[..., Opened],
    demo_dir: Path,
    secrets: MemorySecretStore,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """As ``main.py export`` and the support bundle do: support reads which version exported."""
    out = tmp_path / "inventory.json"
    _choose(monkeypatch, "ask_export_file", (out, "json"))
    window = open_window(demo_dir, secrets, version=lambda: "9.8.7").window
    window.act.export.trigger()
    qtbot.waitUntil(out.exists, timeout=5000)
    assert json.loads(out.read_text(encoding="utf-8"))["exported_by"] == "SP Connect 9.8.7"
