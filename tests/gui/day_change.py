"""What the midnight tests share: a hand-moved clock, the evening before a day change, and an
inventory whose grant starts to show "Expires in 30 days" at that midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.domain import changes as ch
from core.domain.inventory import GRANT_LIFETIME
from core.domain.secret import Secret
from core.domain.secret_refs import new_refresh_token_ref
from core.services.workspace import Workspace
from core.storage.keychain import MemorySecretStore
from tests.core.factories import authorization, channel, company

#: Two seconds before midnight (local time is UTC in these tests).
EVENING = datetime(2026, 6, 9, 23, 59, 58, tzinfo=UTC)
#: ch1's grant ends 31 days after EVENING's date, 30 after the next: it starts to show at midnight.
ENDS = datetime(2026, 7, 10, 15, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand; the window's timers stay real QTimers."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def open_with_acme_us(where: Path, secrets: MemorySecretStore) -> Workspace:
    """A workspace in ``where`` with company c1 and channel ch1 (Acme US) on grant a1, which
    ends at :data:`ENDS`; unsaved, for the caller to add to and Save."""
    ws = Workspace.open(where, secrets)
    ws.apply(ch.add_company(company()))
    ws.apply(ch.add_channel(channel("ch1", name="Acme US")))
    grant = authorization(
        "a1", ref=new_refresh_token_ref(ws.namespace, "a1"), granted=ENDS - GRANT_LIFETIME
    )
    ws.apply(ch.set_authorization(grant, Secret("Atzr|a1"), ["ch1"]))
    return ws
