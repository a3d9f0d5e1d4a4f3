"""main.py logs every start to the log folder, ``--verbose`` adds every detail, and an
unexpected error in a command is one plain line that names the log (the traceback is there)."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import main
from core.domain.inventory import utcnow
from core.domain.samples import demo_inventory
from core.services import logs
from core.storage.log_files import LOG_FILE_NAME
from tests.leaks import ExpectedWarnings

ROOT = Path(__file__).resolve().parents[2]
TOKEN_SHAPE = re.compile(
    r"Atz[ar](\||%7C)[A-Za-z0-9]|amzn1\.oa2-cs\.v\d+\.[0-9a-f]|amzn\.mws\.[0-9a-f]"
)
START_LINE = re.compile(
    r"INFO .*core\.services\.logs: SP Connect \S+ started: (?P<what>[^;]+); Python 3\.\d+"
)


def demo_secret_values() -> list[str]:
    """Every secret value the demo inventory holds (the same seeded values in every process)."""
    _inventory, values = demo_inventory(utcnow(), "any")
    return [secret.reveal() for secret in values.values()]


def assert_no_secret(text: str) -> None:
    for value in demo_secret_values():
        assert value not in text
    assert not TOKEN_SHAPE.search(text)


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    return folder


def test_the_demo_window_with_verbose_logs_its_start_and_details_and_no_secret(
    log_dir: Path,
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SPCONNECT_LOG_DIR=str(log_dir))
    env.pop("SPCONNECT_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--demo", "--self-test", "--verbose"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "self-test: ready" in done.stdout
    text = (log_dir / logs.DEMO_LOG_FILE_NAME).read_text()
    start = START_LINE.search(text)
    assert start is not None
    assert start["what"] == "window (demo), self-test"
    assert " DEBUG " in text
    assert "demo: Amazon simulator at http://127.0.0.1:" in text
    assert "DEBUG core.services.logs: logging at DEBUG" in done.stderr
    assert_no_secret(text + done.stdout + done.stderr)
    assert not (log_dir / LOG_FILE_NAME).exists()  # the demo has a file of its own


@pytest.mark.parametrize(
    "argv",
    [["--verbose", "--demo", "plan"], ["plan", "--demo", "--verbose"]],
    ids=["global", "after the command"],
)
def test_verbose_writes_debug_lines_to_stderr_and_the_log(
    argv: list[str], log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(argv) == 0

    out, err = capsys.readouterr()
    text = (log_dir / logs.DEMO_LOG_FILE_NAME).read_text()
    assert "DEBUG core.services.logs: logging at DEBUG" in err
    assert " DEBUG [" in text
    start = START_LINE.search(text)
    assert start is not None
    assert start["what"] == "plan (demo)"
    assert_no_secret(text + out + err)
    assert logs.active_log_file() is None  # main.py undid its logging on the way out


def test_without_verbose_the_terminal_stays_quiet(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--demo", "plan"]) == 0

    err = capsys.readouterr().err
    assert err == ""
    text = (log_dir / logs.DEMO_LOG_FILE_NAME).read_text()
    assert START_LINE.search(text) is not None
    assert " DEBUG [" not in text


class BrokenTerminal:
    """A standard output whose device fails (a terminal gone, a disk full): the world's edge."""

    def write(self, _text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")


def test_an_unexpected_error_in_a_command_is_one_plain_line_naming_the_log(
    log_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    expected_warnings: ExpectedWarnings,
) -> None:
    expected_warnings.allow("core.services.logs", "unexpected error in plan")
    monkeypatch.setattr(sys, "stdout", BrokenTerminal())

    code = main.main(["--demo", "plan"])

    err = capsys.readouterr().err
    log_file = log_dir / logs.DEMO_LOG_FILE_NAME
    assert code == 2
    lines = err.splitlines()
    assert lines[-1].startswith("error: something went wrong inside SP Connect and plan stopped")
    assert str(log_file) in lines[-1]
    assert "Traceback" not in err
    text = log_file.read_text()
    assert "ERROR [" in text
    assert "Traceback (most recent call last)" in text
    assert "OSError: [Errno 5] Input/output error" in text
