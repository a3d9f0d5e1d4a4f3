"""Redaction and the log file: every secret shape and every known value is taken out of what is
written, harmless lines are left as they are, and the file is private, rotated and read back."""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain.redaction import KNOWN, REDACTED, KnownValues, redact
from core.domain.secret import Secret
from core.services import logs
from core.storage import log_files
from tests.leaks import ExpectedWarnings, WarningRecorder

# Fake values of each of Amazon's shapes (none of them was ever valid anywhere).
ACCESS = "Atza|IwEBIFakeAccessTokenForRedactionTests-0123456789abcdef"
REFRESH = "Atzr|IwEBIFakeRefreshTokenForRedactionTests-0123456789abcdef"
REFRESH_URL = "Atzr%7CIwEBIFakeRefreshTokenUrlEncoded%2B0123456789"
CLIENT_SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef0123456789abcdef"
MWS = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"
CODE = "ANfakeAuthorizationCode0123456789"

SHAPES = [
    pytest.param(f"refreshed with {ACCESS} ok", ACCESS, id="access token"),
    pytest.param(f"token {REFRESH}", REFRESH, id="refresh token"),
    pytest.param(f"posted refresh_token%3D{REFRESH_URL}&x=1", REFRESH_URL, id="url-encoded"),
    pytest.param(f"secret is {CLIENT_SECRET}.", CLIENT_SECRET, id="client secret"),
    pytest.param(f"MWS token {MWS} kept", MWS, id="mws token"),
    pytest.param(
        "grant_type=refresh_token&refresh_token=opaque-refresh-value-1&client_id=x",
        "opaque-refresh-value-1",
        id="query field",
    ),
    pytest.param(
        json.dumps({"client_secret": "opaque-client-secret-2", "client_id": "amzn1.app"}),
        "opaque-client-secret-2",
        id="json field",
    ),
    pytest.param(
        "Authorization: Bearer opaque-bearer-value-3", "opaque-bearer-value-3", id="header"
    ),
    pytest.param(
        "x-amz-access-token: opaque-access-value-4", "opaque-access-value-4", id="sp-api header"
    ),
    pytest.param(
        f"https://example.com/handoff?state=abc&spapi_oauth_code={CODE}&selling_partner_id=A1",
        CODE,
        id="spapi_oauth_code",
    ),
    pytest.param(f"GET /callback?code={CODE}&state=s", CODE, id="?code="),
    pytest.param(f"grant_type=authorization_code&code={CODE}&redirect_uri=x", CODE, id="&code="),
]

HARMLESS = [
    "exit code: 2",
    "code: 429 QuotaExceeded",
    "Seller ID A1B2C3D4E5F6G7 (store name: Acme Bikes <img src=x>)",
    "marketplace ATVPDKIKX0DER, A1F83G8C2ARO7P",
    "channel Amazon.co.uk (UK) of Acme Outdoor Ltd",
    "client_id=amzn1.application-oa2-client.0123456789abcdef",
    "LWA refresh_token grant: HTTP 400 invalid_grant (request id 1f2e3d4c)",
    "keychain entry spconnect/refresh-token/ch-12/3",
]


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    return folder


@pytest.fixture
def to_file(tmp_path: Path) -> Iterator[tuple[logging.Logger, Path]]:
    """A logger writing through the real file handler only (not propagated to the root)."""
    folder = tmp_path / "file-logs"
    handler = log_files.file_handler(folder)
    logger = logging.getLogger("tests.redaction.file")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    yield logger, folder / log_files.LOG_FILE_NAME
    logger.removeHandler(handler)
    handler.close()


# --- the shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "value"), SHAPES)
def test_every_shape_is_taken_out_of_a_line(line: str, value: str) -> None:
    redacted = redact(line)

    assert value not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize("line", HARMLESS)
def test_a_harmless_line_is_left_as_it_is(line: str) -> None:
    assert redact(line) == line


def test_field_names_stay_so_the_line_still_says_what_was_there() -> None:
    line = redact("refresh_token=opaque-refresh-value-5&client_id=abc")

    assert line == f"refresh_token={REDACTED}&client_id=abc"


@pytest.mark.parametrize(("line", "value"), SHAPES)
def test_every_shape_is_taken_out_of_a_record_message_and_its_arguments(
    to_file: tuple[logging.Logger, Path], line: str, value: str
) -> None:
    logger, file = to_file
    logger.info(line)
    logger.info("answer: %s (%d bytes)", line, len(line))
    logger.info("as a dict: %(body)s", {"body": line})

    text = file.read_text()
    assert value not in text
    assert text.count(REDACTED) >= 3


def test_a_secret_in_an_exception_message_and_its_traceback_is_taken_out(
    to_file: tuple[logging.Logger, Path],
) -> None:
    logger, file = to_file

    def refresh(token: str) -> None:
        raise ValueError(f"LWA refused {token} and {CLIENT_SECRET}")

    try:
        refresh(REFRESH)
    except ValueError:
        logger.exception("refresh failed")

    text = file.read_text()
    assert "Traceback (most recent call last)" in text
    assert "ValueError: LWA refused [redacted] and [redacted]" in text
    assert REFRESH not in text
    assert CLIENT_SECRET not in text


def test_a_secret_in_the_stack_is_taken_out(to_file: tuple[logging.Logger, Path]) -> None:
    logger, file = to_file

    logger.info("where we are", stack_info=True, extra={"token": "Atzr|IwEBIStackLine-0123"})

    text = file.read_text()
    assert "Stack (most recent call last)" in text
    assert "Atzr|IwEBIStackLine-0123" not in text


def test_a_broken_format_still_logs_redacted(to_file: tuple[logging.Logger, Path]) -> None:
    logger, file = to_file

    logger.info(f"token {REFRESH} %s %s", "only one argument")

    text = file.read_text()
    assert "arguments did not fit" in text
    assert REFRESH not in text


# --- known values -------------------------------------------------------------------------------


def test_a_secret_value_of_no_shape_is_taken_out_once_a_secret_held_it() -> None:
    value = "no-shape-at-all-7f3a91c2"
    assert redact(f"it was {value}!") == f"it was {value}!"  # not known yet, no shape

    Secret(value)

    assert redact(f"it was {value}!") == f"it was {REDACTED}!"
    assert redact(json.dumps({"v": value})) == json.dumps({"v": REDACTED})


def test_the_longest_of_two_overlapping_known_values_is_taken_out() -> None:
    short, long = "overlapping-known-0001", "overlapping-known-0001-and-longer"
    Secret(short)
    Secret(long)

    assert redact(f"a {long} b {short} c") == f"a {REDACTED} b {REDACTED} c"


def test_short_values_are_not_remembered() -> None:
    register = KnownValues()
    register.remember("tiny")

    assert len(register) == 0
    assert register.redact("a tiny word") == "a tiny word"


def test_the_register_holds_no_secret_text() -> None:
    register = KnownValues()
    value = "register-secret-value-5d1c0b9e"
    register.remember(value)
    state = {k: v for k, v in vars(register).items() if k != "_lock"}

    dumped = pickle.dumps(state) + repr(state).encode()

    assert register.redact(value) == REDACTED
    for part in (value, value[:12], value[-12:]):
        assert part.encode() not in dumped
    Secret(value)
    assert value.encode() not in pickle.dumps(
        {k: v for k, v in vars(KNOWN).items() if k != "_lock"}
    )


# --- the file -----------------------------------------------------------------------------------


def _write(handler: logging.Handler, lines: list[str]) -> None:
    for line in lines:
        handler.handle(logging.makeLogRecord({"msg": line, "levelno": 20, "levelname": "INFO"}))


def test_last_lines_read_across_rotated_files_in_order(tmp_path: Path) -> None:
    handler = log_files.file_handler(tmp_path, max_bytes=2_000, backups=3)
    lines = [f"line {n:04d} " + "x" * 60 for n in range(60)]
    try:
        _write(handler, lines)
    finally:
        handler.close()

    assert (tmp_path / f"{log_files.LOG_FILE_NAME}.1").exists()
    assert (tmp_path / f"{log_files.LOG_FILE_NAME}.3").exists()
    assert not (tmp_path / f"{log_files.LOG_FILE_NAME}.4").exists()
    last = log_files.last_lines(tmp_path, 40)
    assert [line.split(": ", 1)[1] for line in last] == lines[-40:]


def test_last_lines_drop_a_line_cut_in_the_middle(tmp_path: Path) -> None:
    file = tmp_path / log_files.LOG_FILE_NAME
    file.write_text("".join(f"entry {n} {'y' * 20}\n" for n in range(50)))

    last = log_files.last_lines(tmp_path, 1000, max_bytes=100)

    assert last
    assert all(line.startswith("entry ") for line in last)
    assert last[-1] == f"entry 49 {'y' * 20}"


def test_last_lines_redact_what_an_older_file_holds(tmp_path: Path) -> None:
    (tmp_path / log_files.LOG_FILE_NAME).write_text(f"written before: {REFRESH}\n")

    assert log_files.last_lines(tmp_path, 10) == [f"written before: {REDACTED}"]
    assert log_files.last_lines(tmp_path / "none", 10) == []


def test_a_rotation_that_fails_goes_on_in_the_current_file(tmp_path: Path) -> None:
    # What Windows does to a file another process holds open: it cannot be renamed. Here the
    # first backup's name is taken by a folder, which no rename can replace.
    (tmp_path / f"{log_files.LOG_FILE_NAME}.1").mkdir()
    (tmp_path / f"{log_files.LOG_FILE_NAME}.1" / "keep").write_text("")
    handler = log_files.file_handler(tmp_path, max_bytes=500, backups=1)
    lines = [f"kept {n:03d} " + "z" * 40 for n in range(40)]
    try:
        _write(handler, lines)
    finally:
        handler.close()

    text = (tmp_path / log_files.LOG_FILE_NAME).read_text()
    assert [line.split(": ", 1)[1] for line in text.splitlines()] == lines


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_log_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    folder = tmp_path / "private" / "logs"
    handler = log_files.file_handler(folder, max_bytes=200, backups=1)
    try:
        _write(handler, [f"line {n} " + "w" * 50 for n in range(10)])
    finally:
        handler.close()

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [log_files.LOG_FILE_NAME, f"{log_files.LOG_FILE_NAME}.1"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


# --- start_logging ------------------------------------------------------------------------------


def test_start_logging_writes_the_file_and_warnings_to_stderr_redacted(
    log_dir: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("tests.redaction", "careless")
    err = io.StringIO()
    recorder = WarningRecorder()
    logging.getLogger().addHandler(recorder)
    try:
        file = logs.start_logging(False, stderr=err)
        logging.getLogger("tests.redaction").info("an info line with %s", REFRESH)
        logging.getLogger("tests.redaction").debug("a debug line")
        logging.getLogger("tests.redaction").warning("careless %s", CLIENT_SECRET)
        assert logs.active_log_file() == file == log_dir / log_files.LOG_FILE_NAME
    finally:
        logs.stop_logging()
        logging.getLogger().removeHandler(recorder)

    assert file is not None
    text = file.read_text()
    assert "an info line with [redacted]" in text
    assert "a debug line" not in text
    assert "careless [redacted]" in text
    assert err.getvalue() == "WARNING tests.redaction: careless [redacted]\n"
    # The check that fails a test on an undeclared warning still sees it, through our handlers.
    assert [r.getMessage() for r, _ in recorder.records] == ["careless [redacted]"]
    assert REFRESH not in text + err.getvalue()
    assert logs.active_log_file() is None


def test_verbose_logs_debug_to_both_and_stop_undoes_everything(log_dir: Path) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers), logging.getLogger("urllib3").level)
    err = io.StringIO()
    logs.start_logging(True, stderr=err)
    logs.start_logging(True, stderr=err)  # again: no second set of handlers
    try:
        assert len(root.handlers) == len(before[1]) + 2
        logging.getLogger("tests.redaction").debug("detail %s", ACCESS)
        logging.getLogger("urllib3.connectionpool").debug("Starting new HTTPS connection")
    finally:
        logs.stop_logging()

    assert (root.level, list(root.handlers), logging.getLogger("urllib3").level) == before
    text = (log_dir / log_files.LOG_FILE_NAME).read_text()
    assert "DEBUG" in text
    assert "detail [redacted]" in text
    assert "DEBUG tests.redaction: detail [redacted]" in err.getvalue()
    assert "Starting new HTTPS connection" not in text + err.getvalue()
    assert ACCESS not in text + err.getvalue()


def test_the_demo_logs_to_its_own_file(log_dir: Path) -> None:
    file = logs.start_logging(demo=True, stderr=io.StringIO())
    try:
        logs.log_start("plan (demo)", "1.2.3")
        assert logs.log_file() == file
    finally:
        logs.stop_logging()

    assert file == log_dir / logs.DEMO_LOG_FILE_NAME
    assert "SP Connect 1.2.3 started: plan (demo); Python" in file.read_text()
    assert not (log_dir / log_files.LOG_FILE_NAME).exists()
    assert logs.recent_lines(10) == []  # the bundle reads the real inventory's log


def test_an_unwritable_log_folder_costs_the_file_not_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("tests.redaction", "still said")
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(tmp_path / "a-file" / "logs"))
    err = io.StringIO()
    try:
        assert logs.start_logging(stderr=err) is None
        logging.getLogger("tests.redaction").warning("still said %s", REFRESH)
        assert logs.active_log_file() is None
    finally:
        logs.stop_logging()

    said = err.getvalue().splitlines()
    assert said[0].startswith("SP Connect cannot write its log file in ")
    assert "carries on without one" in said[0]
    assert said[1:] == ["WARNING tests.redaction: still said [redacted]"]


def test_an_unexpected_error_goes_to_the_log_with_its_traceback(
    log_dir: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.services.logs", "unexpected error in plan")
    err = io.StringIO()
    file = logs.start_logging(stderr=err)
    try:
        try:
            raise OSError(5, f"cannot write {REFRESH}")
        except OSError:
            line = logs.unexpected_error("plan")
    finally:
        logs.stop_logging()

    assert file is not None
    assert line.startswith("error: something went wrong inside SP Connect and plan stopped")
    assert str(file) in line
    text = file.read_text()
    assert "Traceback (most recent call last)" in text
    assert "OSError: [Errno 5] cannot write [redacted]" in text
    # The terminal gets the line, not the traceback: that is in the file.
    assert err.getvalue() == "ERROR core.services.logs: unexpected error in plan\n"


def test_the_log_folder_is_created_private(log_dir: Path) -> None:
    assert logs.created_log_folder() == log_dir
    assert log_dir.is_dir()
    if os.name == "posix":
        assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700


def test_a_deferred_file_gets_the_first_moments_first_and_in_order(log_dir: Path) -> None:
    first = logging.getLogger("tests.redaction.first")
    logs.start_logging(stderr=io.StringIO(), defer_file=True)
    try:
        first.info("before the paint %s", REFRESH)
        assert not log_dir.exists()  # nothing touched the disk yet
        file = logs.open_log_file()
        first.info("after the paint")
    finally:
        logs.stop_logging()

    assert file == log_dir / log_files.LOG_FILE_NAME
    lines = [line.split(": ", 1)[1] for line in file.read_text().splitlines()]
    assert lines[0] == "before the paint [redacted]"
    assert lines[-1] == "after the paint"


def test_stopping_before_the_file_opened_still_writes_what_was_logged(log_dir: Path) -> None:
    logs.start_logging(stderr=io.StringIO(), defer_file=True)
    logging.getLogger("tests.redaction").info("logged, then the window closed at once")
    logs.stop_logging()

    text = (log_dir / log_files.LOG_FILE_NAME).read_text()
    assert "logged, then the window closed at once" in text


def test_an_error_that_ends_a_thread_goes_to_the_log_redacted(
    log_dir: Path, expected_warnings: ExpectedWarnings
) -> None:
    expected_warnings.allow("core.services.logs", "unexpected error in worker-for-test")
    before = threading.excepthook
    err = io.StringIO()
    file = logs.start_logging(stderr=err)

    def work() -> None:
        raise RuntimeError(f"the worker was given {REFRESH}")

    try:
        worker = threading.Thread(target=work, name="worker-for-test")
        worker.start()
        worker.join(5)
    finally:
        logs.stop_logging()

    assert threading.excepthook is before
    assert file is not None
    text = file.read_text()
    assert "RuntimeError: the worker was given [redacted]" in text
    assert err.getvalue() == "ERROR core.services.logs: unexpected error in worker-for-test\n"
