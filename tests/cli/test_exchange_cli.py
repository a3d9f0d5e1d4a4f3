"""``main.py export`` and ``main.py import``: exit codes, dry run, --save, and no secret leaks."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

import main
from core.domain.samples import demo_inventory
from core.services.exchange.commands import import_command
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.exchange_support import saved_workspace
from tests.core.factories import NOW


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_json_and_csv_from_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.json"
    code, text, _ = _run(["--demo", "export", "--format", "json", "--out", str(out)], capsys)
    assert code == 0
    assert str(out) in text
    assert json.loads(out.read_text())["format"] == "spconnect-inventory"
    csv_out = tmp_path / "demo.csv"
    code, _, _ = _run(["export", "--demo", "--format", "csv", "--bom", "--out", str(csv_out)],
                      capsys)  # fmt: skip
    assert code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfchannel_id,")


def test_export_that_cannot_be_written_exits_2_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no such folder" / "x.json"
    code, _, err = _run(["--demo", "export", "--format", "json", "--out", str(out)], capsys)
    assert code == 2
    assert "could not be written" in err
    assert "Choose a folder" in err


def test_import_dry_run_then_save_into_an_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "demo.json"
    assert _run(["--demo", "export", "--format", "json", "--out", str(export)], capsys)[0] == 0
    folder = tmp_path / "new"
    code, out, _ = _run(["--data-dir", str(folder), "import", str(export)], capsys)
    assert code == 0
    assert "Would import: 10 companies added, 25 channels added" in out
    assert not folder.exists()  # a dry run creates nothing

    stdout, stderr = io.StringIO(), io.StringIO()
    code = import_command(data_dir=str(folder), demo=False, file=str(export), save=True,
                          stdout=stdout, stderr=stderr, secrets=MemorySecretStore())  # fmt: skip
    assert code == 0, stderr.getvalue()
    assert stdout.getvalue().startswith("Imported and saved: 10 companies added")
    reopened = Workspace.open(folder, MemorySecretStore(), read_only=True)
    try:
        assert len(reopened.current.channels) == 25
    finally:
        reopened.close()
    code, out, _ = _run(["--data-dir", str(folder), "import", str(export)], capsys)
    assert (code, out.splitlines()[0]) == (0, "Nothing new: the inventory already has everything "
                                              "in this file.")  # fmt: skip


def test_import_with_problems_exits_1_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("company,marketplace\nAcme,US\nAcme,Narnia\n,DE\n", encoding="utf-8")
    code, out, _ = _run(["--data-dir", str(tmp_path / "d"), "import", str(bad)], capsys)
    assert code == 1
    assert "line 3, marketplace: 'Narnia' is not an Amazon marketplace" in out
    assert "line 4, company: Enter the company's name." in out
    assert "nothing was imported" in out


def test_import_of_a_missing_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["import", str(tmp_path / "nope.csv")], capsys)
    assert code == 2
    assert "could not be read" in err


def test_save_is_refused_plainly_while_a_window_holds_the_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "held"
    held = saved_workspace(folder, demo_inventory, NOW)
    good = tmp_path / "one.csv"
    good.write_text("company,marketplace\nBrand New Co,US\n", encoding="utf-8")
    try:
        stdout, stderr = io.StringIO(), io.StringIO()
        code = import_command(
            data_dir=str(folder),
            demo=False,
            file=str(good),
            save=True,
            stdout=stdout,
            stderr=stderr,
            secrets=MemorySecretStore(),
        )
        assert code == 2
        assert "open on this inventory in a window" in stderr.getvalue()
        assert len(held.current.channels) == 25
    finally:
        held.close()


def test_save_without_a_keychain_exits_2_and_keeps_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "one.csv"
    good.write_text("company,marketplace\nBrand New Co,US\n", encoding="utf-8")
    folder = tmp_path / "inv"
    code, _, err = _run(["--data-dir", str(folder), "import", str(good), "--save"], capsys)
    assert code == 2
    assert "Nothing was saved" in err
    code, out, _ = _run(["--data-dir", str(folder), "import", str(good)], capsys)
    assert (code, out.splitlines()[0]) == (0, "Would import: 1 company added, 1 channel added.")


def test_no_secret_or_entry_name_in_exports_dry_run_or_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = MemorySecretStore()
    folder = tmp_path / "inv"
    workspace = saved_workspace(folder, demo_inventory, NOW, store)
    inventory = workspace.saved
    refs = sorted(inventory.secret_refs())
    values = [s.reveal() for ref in refs if (s := store.get(ref)) is not None]
    namespace = workspace.namespace
    workspace.close()
    # The flow stored a refresh token, an MWS token and the client secret.
    kinds = {ref.split("/")[1] for ref in refs}
    assert kinds == {"refresh-token", "mws-auth-token", "client-secret"}
    assert len(values) == len(refs)

    texts = []
    for fmt in ("json", "csv"):
        out = tmp_path / f"export.{fmt}"
        code, printed, err = _run(["--data-dir", str(folder), "export", "--format", fmt,
                                   "--out", str(out)], capsys)  # fmt: skip
        assert code == 0, err
        texts += [out.read_text(encoding="utf-8"), printed, err]
        code, printed, err = _run(["--data-dir", str(tmp_path / "other"), "import", str(out)],
                                  capsys)  # fmt: skip
        assert code == 0, printed
        texts += [printed, err]
    texts.append(caplog.text)
    everything = "\n".join(texts)
    for needle in [*values, *refs, namespace]:
        assert needle not in everything


@pytest.mark.keychain
def test_import_save_through_main_with_the_real_keychain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "demo.json"
    assert _run(["--demo", "export", "--format", "json", "--out", str(export)], capsys)[0] == 0
    folder = tmp_path / "inv"
    code, out, err = _run(["--data-dir", str(folder), "import", str(export), "--save"], capsys)
    assert code == 0, err
    assert out.startswith("Imported and saved: 10 companies added, 25 channels added")
    code, out, _ = _run(["--data-dir", str(folder), "import", str(export)], capsys)
    assert (code, out.splitlines()[0]) == (0, "Nothing new: the inventory already has everything "
                                              "in this file.")  # fmt: skip
