"""Backups, as a person uses them: put one back.

The store makes them (before a format migration, and before the first Save of each day; see
:mod:`core.storage.backups`). When an inventory cannot be opened because its file is damaged,
the error lists the backups (:class:`core.domain.errors.CorruptStoreError`), and every surface
offers the newest through :func:`restore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.domain.marketplaces import Region
from core.storage import restoring


@dataclass(frozen=True, slots=True)
class Restored:
    """A restore, in plain words: ``message`` and ``next_step`` as errors carry them."""

    aside: Path
    #: One line per grant saved after the backup: whose, and which channels use it.
    reauthorize: tuple[str, ...]
    message: str
    next_step: str


def restore(backup: Path) -> Restored:
    """Put ``backup`` back as its folder's inventory; the replaced file is kept aside.

    Refused (:class:`core.domain.errors.StoreLockedError`) while any copy of SP Connect has
    the inventory open, this one included: close it first. Blocking (file copies): run it on
    the database lane.
    """
    data_dir = backup.absolute().parent.parent  # <data dir>/backups/<file>
    done = restoring.restore(data_dir, backup)
    kept = f"The backup was restored; the file it replaced was kept as {done.aside}."
    if done.newer_grants is None:
        return Restored(
            done.aside,
            (),
            f"{kept} That file could not be read, so SP Connect cannot tell which sellers "
            "were authorized after the backup was made.",
            "Run Test connection on every channel, and reauthorize those that fail.",
        )
    lines = tuple(_grant_line(g) for g in done.newer_grants)
    if not lines:
        return Restored(done.aside, (), kept, "")
    return Restored(
        done.aside,
        lines,
        f"{kept} The authorizations below were saved after the backup was made, so the "
        "restored inventory has an older refresh token for them, or none:\n"
        + "\n".join(f"- {line}" for line in lines),
        "Reauthorize these sellers (Amazon may have revoked the older tokens).",
    )


def _grant_line(grant: restoring.NewerGrant) -> str:
    try:
        region = Region(grant.region).display_name
    except ValueError:
        region = grant.region
    who = f"{grant.store_name} (seller {grant.seller_id})" if grant.store_name else grant.seller_id
    channels = ", ".join(grant.channels)
    return f"{who}, {region}: {channels}"
