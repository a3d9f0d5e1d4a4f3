"""The support bundle (issue 10, item 5): members, no log yet, atomic writing, the last check."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import changes, redaction
from core.domain.secret import Secret
from core.services import logs
from core.services.demo import DEMO_SECRETS, open_demo
from core.services.exchange.writing import write_export
from core.services.opening import open_workspace
from core.services.review import open_review
from core.services.support_bundle.about import COMMAND, REVIEW_KEYCHAIN, Versions
from core.services.support_bundle.archive import BundleError, write_bundle
from core.services.support_bundle.contents import MEMBERS, SecretLeftError, check
from core.services.support_bundle.naming import default_file_name
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace
from core.storage import log_files, schema
from tests.core.read_only import MakeReadOnly, make_read_only

__all__ = ["make_read_only"]  # the fixture, used by name

NOW = datetime(2026, 12, 3, 7, 12, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "log"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    return folder


@pytest.fixture
def demo() -> Iterator[Workspace]:
    workspace = open_demo(amazon=False, now=NOW)
    yield workspace
    workspace.close()


def write_log(folder: Path, *lines: str) -> None:
    """Log ``lines`` through the real file handler (redacting filter included)."""
    handler = log_files.file_handler(folder, logging.INFO)
    logger = logging.getLogger("tests.support_bundle")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for line in lines:
            logger.info("%s", line)
    finally:
        logger.removeHandler(handler)
        handler.close()


def members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_bundle_holds_the_export_the_log_and_about(
    demo: Workspace, log_dir: Path, tmp_path: Path
) -> None:
    write_log(log_dir, "opened the inventory", "saved 3 changes")
    company = next(iter(demo.current.companies.values()))
    demo.apply(changes.edit_company(replace(company, name="Renamed, not saved")))
    request = BundleRequest(demo, NOW, Versions(app="9.8.7", qt="6.11.3", pyside="6.11.3"))

    path = write_bundle(request, tmp_path / "bundle.zip")

    content = members(path)
    assert list(content) == list(MEMBERS)
    # The same JSON File > Export writes of what the window shows, apart from exported_at.
    exported = write_export(
        demo, "json", tmp_path / "export.json", now=NOW + timedelta(seconds=1), app_version="9.8.7"
    )
    bundled, by_export = json.loads(content["inventory.json"]), json.loads(exported.read_text())
    assert bundled.pop("exported_at") != by_export.pop("exported_at")
    assert bundled == by_export
    assert "Renamed, not saved" in content["inventory.json"]
    assert "including 1 unsaved change" in content["README.txt"]
    log = content["log.txt"].splitlines()
    assert "opened the inventory" in log[-2]
    assert "saved 3 changes" in log[-1]
    about = json.loads(content["about.json"])
    assert about["sp_connect"] == "9.8.7"
    assert (about["qt"], about["pyside6"]) == ("6.11.3", "6.11.3")
    assert about["python"].endswith(sys.version.split()[0])
    assert about["platform"]
    assert about["machine"]
    assert about["keychain"] == {"in_use": DEMO_SECRETS, "backend": None, "problem": None}
    assert about["schema_version"] == schema.LATEST
    inventory = demo.current
    assert about["inventory"] == {
        "kind": "demo",
        "companies": len(inventory.companies),
        "channels": len(inventory.channels),
        "authorizations": len(inventory.authorizations),
        "unsaved_changes": 1,
        "read_only": None,
        "review_file": None,
    }
    assert about["data_folder"] == str(demo.data_dir)
    assert about["log_folder"] == str(log_dir)
    assert about["created_at"] == "2026-12-03T07:12:30Z"
    assert "every secret value was taken out" in content["README.txt"]
    assert "Attach this file to your support ticket" in content["README.txt"].replace("\n", " ")
    assert path.stat().st_mode & 0o777 == 0o600


def test_no_log_yet_still_makes_a_bundle_that_says_so(
    demo: Workspace, log_dir: Path, tmp_path: Path
) -> None:
    path = write_bundle(BundleRequest(demo, NOW), tmp_path / "bundle.zip")

    content = members(path)
    assert content["log.txt"].startswith("There is no log yet")
    assert str(logs.log_file()) in content["log.txt"]
    assert "log.txt          no log yet" in content["README.txt"]
    assert not log_dir.exists()  # reading the log created nothing


def test_without_an_inventory_the_bundle_says_why_and_keeps_the_rest(
    log_dir: Path, tmp_path: Path
) -> None:
    write_log(log_dir, "the inventory could not be opened: damaged")
    request = BundleRequest(
        None, NOW, made_by=COMMAND, problem="there is no inventory in /x yet", data_folder=tmp_path
    )

    content = members(write_bundle(request, tmp_path / "bundle.zip"))

    assert list(content) == ["README.txt", "log.txt", "about.json"]
    assert "No inventory.json: there is no inventory in /x yet." in content["README.txt"]
    about = json.loads(content["about.json"])
    assert about["inventory"]["kind"] == "none"
    assert about["inventory"]["channels"] is None
    assert about["data_folder"] == str(tmp_path)
    assert about["created_by"] == COMMAND
    assert "damaged" in content["log.txt"]


def test_a_review_names_no_keychain(demo: Workspace, log_dir: Path, tmp_path: Path) -> None:
    exported = write_export(demo, "json", tmp_path / "export.json", now=NOW)
    review = open_review(exported)
    try:
        content = members(write_bundle(BundleRequest(review, NOW), tmp_path / "bundle.zip"))
    finally:
        review.close()

    about = json.loads(content["about.json"])
    assert about["keychain"]["in_use"] == REVIEW_KEYCHAIN == "none (review)"
    assert about["inventory"]["kind"] == "review"
    assert about["inventory"]["review_file"] == str(exported)
    assert "opened for review (export.json, read-only)" in content["README.txt"]


def test_the_person_s_inventory_names_the_configured_keychain_backend(
    log_dir: Path, tmp_path: Path
) -> None:
    # Tests get keyring's "fail" backend (tests/conftest.py): named, and why it is refused.
    workspace = open_workspace(tmp_path / "data", keychain=False)
    try:
        request = BundleRequest(workspace, NOW, keychain_opened=False)
        about = json.loads(members(write_bundle(request, tmp_path / "b.zip"))["about.json"])
    finally:
        workspace.close()

    assert about["keychain"] == {
        "in_use": "unavailable",
        "backend": "keyring.backends.fail.Keyring",
        "problem": "No keychain was found on this computer.",
    }
    assert about["inventory"]["kind"] == "own"
    assert "there were no unsaved changes" in members(tmp_path / "b.zip")["README.txt"]


def test_the_last_check_refuses_a_secret_shape_or_a_known_value() -> None:
    known = Secret("a-value-of-no-known-shape-42")
    with pytest.raises(SecretLeftError) as shaped:
        check("log.txt", "refresh with Atzr|IwEBIA-slipped-through-0123456789")
    assert "log.txt" in shaped.value.message
    assert shaped.value.next_step
    with pytest.raises(SecretLeftError):
        check("about.json", f"something: {known.reveal()}")
    with pytest.raises(SecretLeftError):
        check("log.txt", "GET /?client_secret=abc123def456")
    check("log.txt", "refresh with [redacted], client_secret=[redacted]")  # no exception


def test_a_secret_that_slips_past_redaction_stops_the_bundle_and_writes_nothing(
    demo: Workspace, log_dir: Path, tmp_path: Path
) -> None:
    # A person pasted a refresh token into a company's notes: the export writes notes as typed.
    company = next(iter(demo.current.companies.values()))
    pasted = "Atzr|IwEBIA-pasted-into-the-notes-0123456789"
    demo.apply(changes.edit_company(replace(company, notes=f"token {pasted}")))
    out = tmp_path / "out"
    out.mkdir()
    (out / "bundle.zip").write_bytes(b"the earlier bundle")

    with pytest.raises(SecretLeftError) as caught:
        write_bundle(BundleRequest(demo, NOW), out / "bundle.zip", redact=lambda text: text)

    assert "inventory.json still held something that looks secret" in caught.value.message
    assert files_in(out) == ["bundle.zip"]  # no temporary file left beside it
    assert (out / "bundle.zip").read_bytes() == b"the earlier bundle"
    # With the real redaction the same inventory is bundled, the token taken out.
    content = members(write_bundle(BundleRequest(demo, NOW), out / "bundle.zip"))
    assert "token [redacted]" in content["inventory.json"]
    assert pasted not in content["inventory.json"]


def test_an_existing_file_is_replaced_only_when_the_new_one_is_complete(
    demo: Workspace, log_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"the earlier bundle")

    write_bundle(BundleRequest(demo, NOW), target)

    assert zipfile.is_zipfile(target)
    assert files_in(tmp_path) == ["bundle.zip"]


_FULL_DISK_CHILD = """
import resource, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from core.domain.synthetic import generate_inventory
from core.services.support_bundle.archive import BundleError, write_bundle
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore

now = datetime(2026, 12, 3, tzinfo=UTC)
inventory, _ = generate_inventory(300, now, "ns")
request = BundleRequest(Workspace(inventory, MemorySecretStore()), now)
# Files may grow to 4 KiB only: the bundle fails mid-way through its write, as on a full disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    write_bundle(request, Path(sys.argv[1]))
except BundleError as exc:
    print(exc.message)
    print(exc.next_step)
"""


def test_a_failure_mid_write_leaves_the_earlier_file_and_no_half_file(
    log_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "bundle.zip"
    target.parent.mkdir()
    target.write_bytes(b"the earlier bundle")

    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_CHILD, str(target)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert f"The support bundle could not be written to {target} (File too large)." in done.stdout
    assert "Choose a folder you can write to" in done.stdout
    assert files_in(target.parent) == ["bundle.zip"]
    assert target.read_bytes() == b"the earlier bundle"


def test_a_folder_that_refuses_the_file_is_explained_and_gets_nothing(
    demo: Workspace, log_dir: Path, tmp_path: Path, make_read_only: MakeReadOnly
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    make_read_only(folder)

    with pytest.raises(BundleError) as caught:
        write_bundle(BundleRequest(demo, NOW), folder / "bundle.zip")

    assert caught.value.message.startswith(f"The support bundle could not be written to {folder}")
    assert "Choose a folder you can write to" in caught.value.next_step
    assert files_in(folder) == []


@pytest.mark.parametrize(
    ("where", "words"),
    [("missing/bundle.zip", "does not exist"), (".", "is a folder")],
)
def test_a_place_that_cannot_hold_the_file_is_explained(
    demo: Workspace, log_dir: Path, tmp_path: Path, where: str, words: str
) -> None:
    before = files_in(tmp_path)
    with pytest.raises(BundleError) as caught:
        write_bundle(BundleRequest(demo, NOW), tmp_path / where)
    assert words in caught.value.message
    assert caught.value.next_step
    assert files_in(tmp_path) == before


def test_the_default_name_says_what_it_is_and_when_in_local_time() -> None:
    local = NOW.astimezone()
    assert default_file_name(NOW) == f"SP Connect support {local:%Y-%m-%d %H%M}.zip"


_FRAGMENTS = st.sampled_from(
    [
        "Atzr|", "Atza%7C", "amzn1.oa2-cs.v1.", "amzn.mws.", "refresh_token", "client_secret",
        "password", "spapi_oauth_code", "code", "Bearer ", "=", ": ", '"', "'", "&", "?", ",",
        ";", "}", " ", "\n", "[redacted]", "abcDEF123-_.", "%7C", "|",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS | st.text(max_size=8), max_size=30).map("".join))
def test_the_last_check_never_refuses_what_redaction_made(text: str) -> None:
    # A false alarm would stop every bundle: redacted text must pass the check as it is.
    check("log.txt", redaction.redact(text))
