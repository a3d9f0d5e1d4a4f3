"""A child process that saves in a loop until it is killed (SIGKILL) at a random moment.

Used by ``test_save_atomicity``. Generation ``k`` of the inventory is a pure function of ``k``
(:func:`expected`), so after the kill the parent can tell whether the file holds generation
``k - 1`` or ``k`` and nothing in between.

Run: ``python -m tests.integration.crash_child DATA_DIR SECRETS_DIR LOG SEED``.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from core.domain import changes as ch
from core.domain.inventory import Authorization, AuthSource, Channel, Company, Inventory
from core.domain.marketplaces import Region
from core.domain.secret import Secret
from core.domain.secret_refs import (
    new_client_secret_ref,
    new_mws_auth_token_ref,
    new_refresh_token_ref,
)
from core.services.workspace import Workspace
from core.storage.keychain import SecretStore
from tests.file_secret_store import FileSecretStore

SELLER = "A2EXAMPLEUS7QZ"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
GRANTED = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Generation:
    """What generation ``k`` looks like, secrets included."""

    k: int
    company_name: str
    client_secret: str
    refresh_token: str
    extra_channel_token: str | None  # the channel that comes and goes, with its MWS token


def expected(k: int) -> Generation:
    return Generation(
        k, f"gen {k}", f"cs-{k}", f"Atzr|rt-{k}", f"amzn.mws.{k:08x}-0000-0000-0000-000000000000"
        if k % 2 else None,
    )  # fmt: skip


def observe(inv: Inventory, secrets: SecretStore) -> Generation:
    """Read the generation an inventory is at, fetching its secrets from ``secrets``."""

    def value(ref: str | None) -> str:
        assert ref is not None, "a row lost its keychain reference"
        secret = secrets.get(ref)
        assert secret is not None, f"dangling keychain reference {ref}"
        return secret.reveal()

    company = inv.companies["gen"]
    k = int(company.name.split()[1])
    auth = inv.authorizations[inv.channels["ch1"].authorization_id or ""]
    extra = inv.channels.get("chx")
    return Generation(
        k,
        company.name,
        value(inv.app.client_secret_ref),
        value(auth.refresh_token_ref),
        value(extra.mws_auth_token_ref) if extra else None,
    )


def seed_inventory(ws: Workspace) -> None:
    """Generation 0."""
    ws.apply(ch.add_company(Company("gen", "gen 0")))
    ws.apply(ch.add_channel(Channel("ch1", "gen", US, "Gen US", SELLER)))
    advance(ws, 0)
    ws.save()


def advance(ws: Workspace, k: int) -> None:
    """Apply the pending changes that turn generation ``k - 1`` into ``k``."""
    gen = expected(k)
    ws.apply(ch.edit_company(replace(ws.current.companies["gen"], name=gen.company_name)))
    ref = new_client_secret_ref(ws.namespace)
    ws.apply(ch.set_app_credentials(ws.current.app, Secret(gen.client_secret), new_ref=ref))
    auth_id = f"a{k}"
    auth = Authorization.new(
        SELLER, Region.NA, AuthSource.CONSENT, new_refresh_token_ref(ws.namespace, auth_id),
        granted_at=GRANTED, auth_id=auth_id,
    )  # fmt: skip
    ws.apply(ch.set_authorization(auth, Secret(gen.refresh_token), ["ch1"]))
    if gen.extra_channel_token is not None:
        mws_ref = new_mws_auth_token_ref(ws.namespace, "chx")
        extra = Channel("chx", "gen", CA, "Gen CA", SELLER, mws_auth_token_ref=mws_ref)
        ws.apply(ch.add_channel(extra, Secret(gen.extra_channel_token)))
    elif "chx" in ws.current.channels:
        ws.apply(ch.remove_channel("chx"))


def main(argv: list[str]) -> int:
    data_dir, secrets_dir, log_path, seed = Path(argv[0]), Path(argv[1]), Path(argv[2]), argv[3]
    secrets = FileSecretStore(secrets_dir)
    ws = Workspace.open(data_dir, secrets)
    k = observe(ws.current, secrets).k
    delay = random.Random(seed).uniform(0.0, 0.15)
    threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
    with log_path.open("a", encoding="utf-8") as log:
        while True:
            k += 1
            log.write(f"begin {k}\n")
            log.flush()
            os.fsync(log.fileno())
            advance(ws, k)
            ws.save()
            log.write(f"done {k}\n")
            log.flush()
            os.fsync(log.fileno())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
