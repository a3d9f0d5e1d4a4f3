"""The support bundle names the real keychain (GNOME Keyring on a private D-Bus session)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from core.domain.inventory import utcnow
from core.services.opening import open_workspace
from core.services.support_bundle.archive import write_bundle
from core.services.support_bundle.request import BundleRequest

pytestmark = pytest.mark.keychain


def test_about_names_the_keychain_in_use_and_its_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(tmp_path / "log"))
    workspace = open_workspace(tmp_path / "data")  # the OS keychain, as the window opens it
    try:
        path = write_bundle(BundleRequest(workspace, utcnow()), tmp_path / "support.zip")
    finally:
        workspace.close()

    with zipfile.ZipFile(path) as archive:
        about = json.loads(archive.read("about.json"))
    assert about["keychain"] == {
        "in_use": "GNOME Keyring",
        "backend": "keyring.backends.SecretService.Keyring",
        "problem": None,
    }
    assert about["inventory"]["kind"] == "own"
