"""The reauthorization plan as support staff's checklist: each consent with its state.

A state is a support person's progress note (to do, link sent, done, failed), not an edit of
the inventory. It belongs to one *generation* of a consent: the newest saved grant of that
seller and region when the note was written (for a channel whose seller is unknown, the grant
that channel uses). A consent saved later starts a new generation, so an old note never
describes a new need:

* an item in the plan shows its note only if the note is of the current generation; otherwise
  it is *to do* (a consent was saved since, and these channels still need one);
* an item that left the plan (its channels are healthy) is shown as *done* for the rest of
  the local day on which it was done, so the person on a call sees what they finished, and is
  gone the next day, as the plan was before notes existed. It counts as done when a newer
  grant was saved since its note (the consent completed and was saved), or when it was marked
  done by hand.

Pure: no I/O. The notes are stored by :mod:`core.storage.plan_progress` and read and written
through :mod:`core.services.plan_view`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain import dates, marketplaces
from core.domain.inventory import Inventory
from core.domain.marketplaces import Region
from core.domain.plan import PlanItem


class PlanState(StrEnum):
    TO_DO = "to_do"
    LINK_SENT = "link_sent"
    DONE = "done"
    FAILED = "failed"

    @property
    def words(self) -> str:
        return _WORDS[self]


_WORDS = {
    PlanState.TO_DO: "To do",
    PlanState.LINK_SENT: "Link sent",
    PlanState.DONE: "Done",
    PlanState.FAILED: "Failed",
}


@dataclass(frozen=True, slots=True)
class Progress:
    """One stored note: ``item`` is the item as shown then (see :func:`item_fields`)."""

    key: str
    generation: str
    state: PlanState
    changed_at: datetime
    reason: str = ""
    item: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One line of the checklist.

    ``plan_item`` is ``None`` for an item that left the plan today (shown as done, from the
    note's copy of it). ``fields`` is what every surface shows (:func:`item_fields`).
    """

    key: str
    fields: Mapping[str, Any]
    state: PlanState
    state_changed_at: datetime | None
    reason: str
    generation: str
    plan_item: PlanItem | None

    @property
    def in_plan(self) -> bool:
        return self.plan_item is not None

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))

    def as_json(self) -> dict[str, Any]:
        """The item for ``main.py plan --json``.

        Each channel also says ``channel_id``, the export's name for its ``id`` (kept: readers
        of ``plan --json`` version 1 use it).
        """
        channels = [
            {**c, "channel_id": c.get("id")} if isinstance(c, Mapping) else c
            for c in self.fields.get("channels", ())
        ]
        return {**self.fields, "channels": channels, **self.state_json(), "in_plan": self.in_plan}

    def state_json(self, stamp: Callable[[datetime], str] = datetime.isoformat) -> dict[str, Any]:
        """The state's keys, named alike in ``plan --json`` and the JSON export's ``plan``.

        ``stamp`` writes the time (the export writes every date as ``...Z``).
        ``state_authorization_id`` is the note's generation (the grant it was written against,
        ``""`` when there is none): a later consent ends the state, and an import keeps it.
        """
        when = self.state_changed_at
        return {
            "state": self.state.value,
            "state_changed_at": stamp(when) if when is not None else None,
            "state_reason": self.reason,
            "state_authorization_id": self.generation,
        }


class Grants:
    """The newest saved grant per seller and region, indexed once per inventory."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory
        newest: dict[tuple[Region, str], tuple[datetime, str]] = {}
        stores: dict[tuple[Region, str], str] = {}
        for auth in sorted(inventory.authorizations.values(), key=lambda a: a.granted_at):
            key = auth.region, auth.seller_id.strip().upper()
            newest[key] = auth.granted_at, auth.id
            if auth.store_name:
                stores[key] = auth.store_name
        self._newest = newest
        self._stores = stores

    def generation(self, region: Region, seller_id: str | None, channel_ids: Iterable[str]) -> str:
        """The id of the grant a new consent would replace (``""`` when there is none)."""
        if seller_id:
            found = self._newest.get((region, seller_id.upper()))
            return found[1] if found is not None else ""
        for channel_id in channel_ids:
            channel = self._inventory.channels.get(channel_id)
            if channel is not None:
                return channel.authorization_id or ""
        return ""

    def granted_at(self, authorization_id: str) -> datetime | None:
        auth = self._inventory.authorizations.get(authorization_id)
        return auth.granted_at if auth is not None else None

    def store_name(self, region: Region, seller_id: str | None) -> str:
        return self._stores.get((region, seller_id.upper()), "") if seller_id else ""


def item_fields(item: PlanItem, inventory: Inventory, grants: Grants) -> dict[str, Any]:
    """What every surface shows of an item (also kept with its note, to list it once done)."""
    channels = []
    for channel_id, reason in zip(item.channel_ids, item.reasons, strict=True):
        channel = inventory.channels[channel_id]
        company = inventory.companies.get(channel.company_id)
        channels.append(
            {
                "id": channel_id,
                "name": channel.name or channel.marketplace.label,
                "company": company.name if company is not None else "",
                "marketplace": channel.marketplace_id,
                "reason": reason,
            }
        )
    markets = list(dict.fromkeys(c["marketplace"] for c in channels))
    return {
        "key": item.key,
        "title": item.title,
        "seller_id": item.seller_id,
        "store_name": grants.store_name(item.region, item.seller_id),
        "region": item.region.value,
        "seller_central_url": item.seller_central_url,
        "account_hint": item.account_hint,
        "marketplaces": markets,
        "channels": channels,
    }


def marketplace_words(fields: Mapping[str, Any]) -> str:
    """``United States (US), Canada (CA)``: the marketplaces an item covers."""
    names = []
    for mid in fields.get("marketplaces", ()):
        try:
            names.append(marketplaces.get(str(mid)).label)
        except KeyError:
            names.append(str(mid))
    return ", ".join(names)


def checklist(
    items: Iterable[PlanItem],
    inventory: Inventory,
    notes: Mapping[str, Progress],
    now: datetime,
) -> list[PlanEntry]:
    """The plan's items with their states, then the items done today that left the plan.

    Args:
        items: The plan (:func:`core.domain.plan.build_plan`) of ``inventory``.
        inventory: The saved inventory: a consent counts as done once it is saved.
        notes: The stored notes by item key.
        now: The current time (the local day decides which done items are still listed).
    """
    grants = Grants(inventory)
    entries: list[PlanEntry] = []
    keys: set[str] = set()
    for item in items:
        keys.add(item.key)
        generation = grants.generation(item.region, item.seller_id, item.channel_ids)
        note = notes.get(item.key)
        fields = item_fields(item, inventory, grants)
        if note is not None and note.generation == generation:
            entries.append(
                PlanEntry(
                    item.key, fields, note.state, note.changed_at, note.reason, generation, item
                )
            )
        else:
            entries.append(PlanEntry(item.key, fields, PlanState.TO_DO, None, "", generation, item))
    today = dates.local_day(now)
    done: list[PlanEntry] = []
    for key, note in notes.items():
        if key in keys or not note.item:
            continue
        kept = note.item
        try:
            region = Region(str(kept.get("region")))
        except ValueError:
            continue
        seller = kept.get("seller_id")
        ids = [str(c.get("id")) for c in kept.get("channels", ()) if isinstance(c, Mapping)]
        generation = grants.generation(region, seller if isinstance(seller, str) else None, ids)
        done_at: datetime | None = None
        if generation and generation != note.generation:
            done_at = grants.granted_at(generation)  # the consent completed and was saved
        elif note.state is PlanState.DONE:
            done_at = note.changed_at
        if done_at is not None and dates.local_day(done_at) == today:
            done.append(PlanEntry(key, kept, PlanState.DONE, done_at, "", generation, None))
    done.sort(key=lambda e: (e.state_changed_at or now, e.key))
    return entries + done
