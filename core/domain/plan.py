"""The reauthorization plan: the fewest consents that fix every channel needing one.

An SP-API authorization covers one seller in one region, so channels are grouped by (region, Seller
ID) and each group is one consent (ARCHITECTURE.md, "Consent"). Unified children are authorized
through their parent: their channels join the parent's group, and a child's channel with no Seller
ID of its own takes the Seller ID of the parent's channel in the same region.

Which Seller ID a channel belongs to, first match wins: its expected Seller ID, its legacy MWS
Merchant Token (the same value), the seller of its current authorization, and for a unified
child the parent's channel in the same region. A channel left without one is its own consent:
nobody can tell which account it belongs to until the consent returns one.

Channels that only show *Check failed* or *App credentials* are left out: a consent does not fix
a network problem or the app's own credentials.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.domain import marketplaces
from core.domain.inventory import Channel, Company, Inventory
from core.domain.marketplaces import Region
from core.domain.status import (
    DEFAULT_WARN_DAYS,
    ApiBadge,
    ChannelStatus,
    HealthKind,
    channel_status,
)

_MARKETPLACE_ORDER = {m.id: index for index, m in enumerate(marketplaces.MARKETPLACES)}
_REGION_ORDER = {region: index for index, region in enumerate(Region)}


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One consent: log into one Seller Central site, pick one account, cover these channels.

    ``reasons`` lines up with ``channel_ids``: why each channel needs the consent. ``company_ids``
    names the parent company first. ``seller_central_url`` is Amazon's real site for the lead
    marketplace; the consent URL itself comes from :class:`core.domain.marketplaces.Endpoints`.
    """

    key: str
    region: Region
    seller_id: str | None
    seller_central_url: str
    lead_marketplace_id: str
    account_hint: str
    channel_ids: tuple[str, ...]
    company_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    title: str

    def reason_of(self, channel_id: str) -> str:
        """Why this item covers ``channel_id``; ``KeyError`` if it does not."""
        try:
            return self.reasons[self.channel_ids.index(channel_id)]
        except ValueError:
            raise KeyError(channel_id) from None


def plan_reason(status: ChannelStatus) -> str | None:
    """The short reason a channel needs a consent, or ``None`` if a consent would not help.

    Only the most urgent reason is given: one consent fixes them all.
    """
    for kind in (HealthKind.WRONG_ACCOUNT, HealthKind.EXPIRED, HealthKind.NEEDS_REAUTHORIZATION):
        badge = status.badge(kind)
        if badge is not None:
            return badge.text
    if status.api is ApiBadge.MWS:
        return "MWS only"
    if status.api is ApiBadge.NOT_CONNECTED:
        return "Not connected"
    badge = status.badge(HealthKind.EXPIRES_URGENT) or status.badge(HealthKind.EXPIRES_SOON)
    return None if badge is None else badge.text


def consent_seller_id(channel: Channel, inventory: Inventory) -> str | None:
    """The Seller ID whose consent covers ``channel`` (see the module docstring), or ``None``."""
    return _Sellers(inventory).of(channel)


def build_plan(
    inventory: Inventory,
    now: datetime,
    *,
    pending_channel_ids: frozenset[str] = frozenset(),
    selected: Iterable[str] | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> list[PlanItem]:
    """Group the channels that need a consent into the fewest consents.

    Args:
        inventory: The inventory (the working copy, when there are pending changes).
        now: The current time (timezone-aware).
        pending_channel_ids: Channels with unsaved changes. They are planned like any other
            channel, from the state the working copy shows.
        selected: Only plan for these channel ids; ``None`` plans for every channel. A selected
            unified child's channel goes into its parent's consent.
        warn_days: Channels whose authorization ends within this many days are included.

    Returns:
        One item per consent, ordered by region (NA, EU, FE), Seller ID, then title.
    """
    chosen = None if selected is None else frozenset(selected)
    sellers = _Sellers(inventory)
    groups: dict[tuple[Region, str | None, str], list[tuple[Channel, str]]] = defaultdict(list)
    for channel in inventory.channels.values():
        if chosen is not None and channel.id not in chosen:
            continue
        pending = channel.id in pending_channel_ids
        status = channel_status(channel, inventory, now, pending=pending, warn_days=warn_days)
        reason = plan_reason(status)
        if reason is None:
            continue
        seller = sellers.of(channel)
        # Without a Seller ID nothing says two channels share an account: one consent each.
        alone = channel.id if seller is None else ""
        groups[channel.region, seller, alone].append((channel, reason))
    items = [
        _item(region, seller, members, inventory, sellers)
        for (region, seller, _), members in groups.items()
    ]
    # Known sellers first within a region; the key breaks ties between same-titled items.
    items.sort(
        key=lambda i: (
            _REGION_ORDER[i.region],
            i.seller_id is None,
            i.seller_id or "",
            i.title,
            i.key,
        )
    )
    return items


class _Sellers:
    """Resolves channels to Seller IDs, indexing the inventory's channels by company once."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory
        self._by_company: dict[str, list[Channel]] | None = None
        self._store_names: dict[tuple[Region, str], str] | None = None

    def own(self, channel: Channel) -> str | None:
        for value in (channel.seller_id, channel.mws_merchant_token):
            if value and value.strip():
                return value.strip().upper()
        auth = self._inventory.authorization_of(channel)
        return auth.seller_id.strip().upper() if auth is not None and auth.seller_id else None

    def of(self, channel: Channel) -> str | None:
        seller = self.own(channel)
        if seller is not None:
            return seller
        parent = self._parent(channel)
        if parent is None:
            return None
        siblings = sorted(
            (c for c in self.channels_of(parent.id) if c.region is channel.region),
            key=_channel_order,
        )
        return next((s for c in siblings if (s := self.own(c)) is not None), None)

    def channels_of(self, company_id: str) -> list[Channel]:
        if self._by_company is None:
            self._by_company = defaultdict(list)
            for c in self._inventory.channels.values():
                self._by_company[c.company_id].append(c)
        return self._by_company.get(company_id, [])

    def store_name(self, region: Region, seller: str) -> str:
        """The store name recorded with the seller's newest authorization in the region."""
        if self._store_names is None:
            self._store_names = {}
            for auth in sorted(self._inventory.authorizations.values(), key=lambda a: a.granted_at):
                if auth.store_name:
                    self._store_names[auth.region, auth.seller_id.upper()] = auth.store_name
        return self._store_names.get((region, seller), "")

    def _parent(self, channel: Channel) -> Company | None:
        company = self._inventory.companies.get(channel.company_id)
        if company is None or company.parent_id is None:
            return None
        return self._inventory.companies.get(company.parent_id)


def _channel_order(channel: Channel) -> tuple[int, str]:
    return _MARKETPLACE_ORDER.get(channel.marketplace_id, len(_MARKETPLACE_ORDER)), channel.id


def _item(
    region: Region,
    seller: str | None,
    members: list[tuple[Channel, str]],
    inventory: Inventory,
    sellers: _Sellers,
) -> PlanItem:
    companies = inventory.companies

    def company_order(company_id: str) -> tuple[str, str, bool, str, str]:
        company = companies.get(company_id) or Company(company_id, "")
        root = inventory.root_of(company)
        is_child = root.id != company.id
        return root.name.casefold(), root.id, is_child, company.name.casefold(), company.id

    members.sort(key=lambda m: (company_order(m[0].company_id), _channel_order(m[0])))
    company_ids: list[str] = []
    for channel, _ in members:
        company = companies.get(channel.company_id)
        root = inventory.root_of(company) if company is not None else None
        for cid in (root.id if root is not None else None, channel.company_id):
            if cid is not None and cid not in company_ids:
                company_ids.append(cid)
    company_ids.sort(key=company_order)
    lead = _lead_channel(seller, members, inventory, sellers, company_ids)
    market = lead.marketplace
    lead_company = companies.get(company_ids[0]) if company_ids else None
    company_name = lead_company.name if lead_company is not None else "this company"
    count = len(members)
    channels_text = "1 channel" if count == 1 else f"{count} channels"
    if seller is not None:
        key = f"{region.value}/seller/{seller}"
        title = f"{region.display_name}: Seller {seller}, {channels_text}"
        store = sellers.store_name(region, seller)
        store_text = f" (store name {store})" if store else ""
        hint = (
            f"In Seller Central's account switcher, select the account of {company_name} with "
            f"Seller ID {seller}{store_text}. The account selected there is the one that gets "
            "authorized."
        )
    else:
        key = f"{region.value}/channel/{members[0][0].id}"
        title = (
            f"{region.display_name}: Seller ID unknown ({company_name}, {market.country}), "
            f"{channels_text}"
        )
        hint = (
            f"The Seller ID of {company_name} for Amazon {market.label} is not on record. In "
            f"Seller Central's account switcher, select the account {company_name} sells with "
            "there, and note which one you chose: after the consent, SP Connect shows the "
            "Seller ID Amazon returns, for you to confirm."
        )
    return PlanItem(
        key=key,
        region=region,
        seller_id=seller,
        seller_central_url=market.seller_central,
        lead_marketplace_id=market.id,
        account_hint=hint,
        channel_ids=tuple(c.id for c, _ in members),
        company_ids=tuple(company_ids),
        reasons=tuple(reason for _, reason in members),
        title=title,
    )


def _lead_channel(
    seller: str | None,
    members: list[tuple[Channel, str]],
    inventory: Inventory,
    sellers: _Sellers,
    company_ids: list[str],
) -> Channel:
    """The channel whose Seller Central site the consent opens.

    A channel of the parent company first, because the person signs in to the parent's
    account; among those, the first in the marketplace table. When only children's channels
    need the consent, the parent's own channel of the same seller still decides the site.
    """
    channels = [c for c, _ in members]

    def is_root(channel: Channel) -> bool:
        company = inventory.companies.get(channel.company_id)
        return company is None or company.parent_id is None

    roots = [c for c in channels if is_root(c)]
    if not roots and seller is not None and company_ids:
        region = channels[0].region
        roots = [
            c
            for c in sellers.channels_of(company_ids[0])
            if c.region is region and sellers.own(c) == seller
        ]
    return min(roots or channels, key=_channel_order)
