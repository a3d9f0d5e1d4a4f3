"""``main.py export --format html|pdf``: headless, read-only, exit 0 and where, or 2 and why.

The command is the exchange's (``core.services.exchange.commands``); the report adds its two
formats to it (``core.services.report.formats``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest

import main
from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.exchange import writing
from core.services.opening import open_workspace
from core.storage.keychain import MemorySecretStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _formats_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command adds the report's formats to the exchange's registry; each test gets its
    own copy, so no later test (the window's File > Export…) sees them."""
    monkeypatch.setattr(writing, "FORMATS", dict(writing.FORMATS))


def test_a_pdf_is_written_with_no_display_at_all(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["TMPDIR"] = str(tmp_path)
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--demo", "export", "--format", "pdf",
         "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Exported 25 channels as pdf to {out}" in done.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # the demo cleaned up too


def test_an_html_report_of_a_data_dir_needs_neither_the_lock_nor_the_keychain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inventory"
    workspace = open_workspace(folder, secrets=MemorySecretStore())
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    out = tmp_path / "report.html"
    try:  # still open in "another window", and the tests' keychain refuses every call
        code = main.main(["--data-dir", str(folder), "export", "--format", "html", "--out",
                          str(out)])  # fmt: skip
    finally:
        workspace.close()
    assert code == 0
    assert f"as html to {out}" in capsys.readouterr().out
    report = out.read_text(encoding="utf-8")
    assert str(folder / "inventory.sqlite3") in report
    assert all(escape(c.name) in report for c in inventory.companies.values())


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--data-dir", "{tmp}/nothing", "export", "--format", "html", "--out", "{tmp}/r.html"],
         "There is no inventory"),
        (["--demo", "export", "--format", "html", "--out", "{tmp}/no/such/r.html"],
         "No such file or directory"),
        (["--demo", "export", "--format", "pdf", "--out", "{tmp}"], "Is a directory"),
    ],
)  # fmt: skip
def test_a_report_that_cannot_be_made_says_why_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code = main.main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert says in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 2  # what happened, then the one next step
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-written


def test_the_report_formats_are_offered_next_to_json_and_csv(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main.main(["export", "--help"])
    assert "{csv,html,json,pdf}" in capsys.readouterr().out


def test_the_format_and_the_file_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main.main(["--demo", "export", "--format", "docx", "--out", "r.docx"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main.main(["--demo", "export", "--format", "html"])
