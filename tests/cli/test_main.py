"""main.py's options and the commands that run without a window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

import main
from core.domain import changes
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services.opening import open_workspace
from core.simulator import DEMO_APPLICATION_ID
from core.storage.keychain import MemorySecretStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _temp_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("SP Connect ")
    with pytest.raises(SystemExit):
        main.main(["--help"])
    out = capsys.readouterr().out
    for option in ("--demo", "--data-dir", "--self-test", "--screenshot", "plan"):
        assert option in out


def test_demo_plan_prints_the_consents_and_leaves_nothing_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main.main(["--demo", "plan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Reauthorization plan for the demo inventory:")
    assert "Sign in at: https://sellercentral" in out
    assert "Copper Pot Kitchenware US (Copper Pot Kitchenware): MWS only" in out
    assert list((tmp_path / "temp").iterdir()) == []  # the demo's temporary folder is gone


def test_global_options_also_work_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["plan", "--demo"]) == 0
    assert "Reauthorization plan" in capsys.readouterr().out


def test_plan_on_a_data_dir_reads_it_without_the_keychain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inventory"
    workspace = open_workspace(folder, secrets=MemorySecretStore())
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    try:  # still open in "another window": the plan must not need the lock
        assert main.main(["--data-dir", str(folder), "plan"]) == 0
    finally:
        workspace.close()
    assert str(folder / "inventory.sqlite3") in capsys.readouterr().out


def test_a_relative_data_dir_is_taken_from_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inventory"
    workspace = open_workspace(folder, secrets=MemorySecretStore())
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    workspace.apply(changes.replace_all(inventory, values, now))
    workspace.save()
    workspace.close()
    monkeypatch.chdir(tmp_path)
    assert main.main(["--data-dir", "inventory", "plan"]) == 0
    out = capsys.readouterr().out
    assert f"Reauthorization plan for {folder / 'inventory.sqlite3'}:" in out


def test_plan_on_a_missing_inventory_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--data-dir", str(tmp_path / "nothing"), "plan"]) == 1
    assert "There is no inventory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo", "--data-dir", "x"],
        ["--screenshot", "shot.png"],
        ["--self-test", "plan"],
        ["--no-such-option"],
    ],
)
def test_contradictory_or_unknown_options_are_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main.main(argv)
    except SystemExit as stop:  # argparse's own refusal
        code = int(stop.code or 0)
    assert code == 2
    assert "error" in capsys.readouterr().err


def test_the_simulator_command_serves_the_demo_amazon_until_interrupted() -> None:
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "simulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        base = first.rsplit(" ", 1)[-1].strip()
        assert base.startswith("http://127.0.0.1:"), first
        page = requests.get(
            f"{base}/apps/authorize/consent",
            params={"application_id": DEMO_APPLICATION_ID, "state": "s"},
            timeout=10,
        )
        assert page.status_code == 200
        assert "Confirm" in page.text
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=20)
        assert "Stopped." in out
        assert child.returncode == 0
    finally:
        child.kill()


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--demo", "plan"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert child.stdout is not None
    assert "Reauthorization plan" in child.stdout.readline()
    child.stdout.close()  # like `| head -1`
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0
    assert "Traceback" not in err


def test_the_run_script_explains_a_missing_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "no display" in done.stderr
    assert "xvfb-run -a bash scripts/run --demo --self-test" in done.stderr
