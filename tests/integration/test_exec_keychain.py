"""``main.py exec`` against a real Secret Service (GNOME Keyring on the private D-Bus session of
scripts/test): a real command gets exactly the channel's variables, with the values the keychain
holds, and none of them reaches the data folder, the log or the terminal.

The command reports each variable's SHA-256, never its value, and the test compares digests: a
failing assertion prints nothing that could be a secret.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.domain import changes
from core.domain.inventory import Channel, Inventory, utcnow
from core.domain.samples import demo_inventory
from core.domain.secret import Secret
from core.services.exec_command import REFUSED
from core.services.workspace import Workspace
from core.storage.keychain import KeyringSecretStore

pytestmark = pytest.mark.keychain

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = ("A2ALPINEUSA9KX", "US")

#: The seller's tool: names and digests of every credential-like variable it sees, then the exit
#: code it is given.
REPORT = r"""
import hashlib, os, sys
for name in sorted(os.environ):
    if name.upper().startswith(("SP_API_", "LWA_")) or name.upper() == "AWS_ENV":
        print(name, hashlib.sha256(os.environ[name].encode()).hexdigest())
sys.exit(int(sys.argv[1]))
"""


@dataclass
class Saved:
    folder: Path
    inventory: Inventory
    values: dict[str, Secret]

    def channel(self, seller: str, code: str) -> Channel:
        (found,) = [
            c
            for c in self.inventory.channels.values()
            if c.seller_id == seller and c.marketplace.code == code
        ]
        return found


@pytest.fixture
def saved(tmp_path: Path) -> Iterator[Saved]:
    """The demo inventory saved in a data folder, its secrets in the real keychain."""
    keychain = KeyringSecretStore(timeout_s=10.0)
    folder = tmp_path / "data"
    workspace = Workspace.open(folder, keychain)
    now = utcnow()
    inventory, values = demo_inventory(now, workspace.namespace)
    try:
        workspace.apply(changes.replace_all(inventory, values, now))
        workspace.save()
        saved = workspace.current
    finally:
        workspace.close()
    try:
        yield Saved(folder, saved, values)
    finally:
        for name in values:
            keychain.delete(name)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def run_exec(
    saved: Saved, tmp_path: Path, channel: str, code: int
) -> subprocess.CompletedProcess[str]:
    # Stale credentials in our own environment, which the command must not see: the library
    # would prefer SP_API_REFRESH_TOKEN_default over the channel's SP_API_REFRESH_TOKEN.
    env = {
        **os.environ,
        "SP_API_REFRESH_TOKEN_default": "stale-token",
        "LWA_CLIENT_SECRET": "stale-secret",
    }
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--data-dir",
            str(saved.folder),
            "exec",
            "--channel",
            channel,
            "--",
            sys.executable,
            "-c",
            REPORT,
            str(code),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def assert_nowhere(saved: Saved, *shown: str) -> None:
    """No secret of the inventory in ``shown`` (the terminal, our log) or the data folder."""
    files = [p.read_bytes() for p in saved.folder.rglob("*") if p.is_file()]
    assert files, "the data folder is empty: nothing was scanned"
    for name, value in saved.values.items():
        raw = value.reveal()
        if any(raw in text for text in shown):
            pytest.fail(f"the value of keychain entry {name} was printed or logged")
        if any(raw.encode() in data for data in files):
            pytest.fail(f"the value of keychain entry {name} was written to the data folder")


def test_the_command_gets_exactly_the_channels_variables_from_the_keychain(
    saved: Saved, tmp_path: Path
) -> None:
    channel = saved.channel(*HEALTHY)
    auth = saved.inventory.authorization_of(channel)
    app = saved.inventory.app
    assert auth is not None
    assert auth.refresh_token_ref is not None
    assert app.client_secret_ref is not None

    done = run_exec(saved, tmp_path, "/".join(HEALTHY), 0)

    assert done.returncode == 0, done.stderr
    seen = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert seen == {
        "LWA_APP_ID": digest(app.lwa_client_id),
        "LWA_CLIENT_SECRET": digest(saved.values[app.client_secret_ref].reveal()),
        "SP_API_REFRESH_TOKEN": digest(saved.values[auth.refresh_token_ref].reveal()),
        "LWA_TOKEN_URL": digest("https://api.amazon.com/auth/o2/token"),
        "SP_API_ENDPOINT": digest("https://sellingpartnerapi-na.amazon.com"),
        "SP_API_REGION": digest("NA"),
        "SP_API_SELLER_ID": digest("A2ALPINEUSA9KX"),
        "SP_API_MARKETPLACE_ID": digest("ATVPDKIKX0DER"),
        "SP_API_MARKETPLACE_IDS": digest("ATVPDKIKX0DER"),
        "SP_API_DEFAULT_MARKETPLACE": digest("US"),
        "AWS_ENV": digest("PRODUCTION"),
    }
    assert done.stderr == ""
    assert_nowhere(saved, done.stdout, done.stderr)


def test_the_commands_exit_code_is_passed_on(saved: Saved, tmp_path: Path) -> None:
    done = run_exec(saved, tmp_path, "/".join(HEALTHY), 9)
    assert done.returncode == 9
    assert_nowhere(saved, done.stdout, done.stderr)


def test_a_channel_that_needs_reauthorization_is_refused(saved: Saved, tmp_path: Path) -> None:
    done = run_exec(saved, tmp_path, "A1NORTHWINDHG4Z/UK", 0)
    assert done.returncode == REFUSED
    assert done.stdout == ""  # the command never ran
    assert "needs reauthorization (Expired)" in done.stderr
    assert "Amazon > Reauthorize" in done.stderr
    assert_nowhere(saved, done.stdout, done.stderr)
