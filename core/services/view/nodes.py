"""The tree's nodes: one row per company and per channel, with what a repaint or a keystroke needs.

A :class:`ChannelRow` caches its channel's derived status, summary category and lower-case search
text; a :class:`CompanyRow` keeps every row it owns (``channels``, ``children``: in sort order
once the rows' ``ordered`` has seen it for sort generation ``order``) and the list the current
filter shows under it (``shown``, listed for filter generation ``gen``). ``key`` is a
unique int per row: the GUI's model index carries it instead of a pointer.
"""

from __future__ import annotations

import functools
import itertools

from core.domain import marketplaces
from core.domain.inventory import Authorization, Channel, Company
from core.domain.status import ApiBadge, ChannelStatus, Severity
from core.domain.summary import Category

_keys = itertools.count(1)

#: The status of a row not computed yet.
PLACEHOLDER = ChannelStatus(ApiBadge.NOT_CONNECTED, (), Severity.OK)


class ChannelRow:
    __slots__ = (
        "auth",
        "category",
        "channel",
        "key",
        "owner",
        "pending",
        "row",
        "search",
        "status",
    )

    def __init__(
        self,
        channel: Channel,
        owner: CompanyRow,
        auth: Authorization | None = None,
        pending: bool = False,
        status: ChannelStatus = PLACEHOLDER,
        category: Category = Category.HEALTHY,
        search: str = "",
    ) -> None:
        self.key = next(_keys)
        self.channel = channel
        self.owner = owner
        self.auth = auth
        self.pending = pending
        self.status = status
        self.category = category
        self.search = search
        self.row = 0

    @property
    def id(self) -> str:
        return self.channel.id


class CompanyRow:
    __slots__ = (
        "channels",
        "children",
        "company",
        "gen",
        "key",
        "order",
        "parent",
        "pending",
        "row",
        "search",
        "shown",
    )

    def __init__(self, company: Company, parent: CompanyRow | None) -> None:
        self.key = next(_keys)
        self.company = company
        self.parent = parent
        self.channels: list[ChannelRow] = []
        self.children: list[CompanyRow] = []
        self.shown: list[Row] = []
        self.pending = False
        self.search = company.name.casefold()
        self.row = 0
        self.gen = -1  # the filter generation ``shown`` was listed for
        self.order = -1  # the sort generation ``channels`` and ``children`` were sorted for

    @property
    def id(self) -> str:
        return self.company.id

    def worst(self) -> Severity:
        return max((r.status.severity for r in self.channels), default=Severity.OK)

    def attention(self) -> int:
        """How many of its own channels are not fine."""
        return sum(1 for r in self.channels if r.category is not Category.HEALTHY)


Row = CompanyRow | ChannelRow


def up(node: Row) -> CompanyRow | None:
    """The company row above ``node``, or None at the top."""
    return node.owner if isinstance(node, ChannelRow) else node.parent


def search_text(channel: Channel, company: Company) -> str:
    """What a filter word is looked for in: names, Seller ID, merchant token, marketplace."""
    seller, token = channel.seller_id or "", channel.mws_merchant_token or ""
    own = f"{company.name} {channel.name} {seller} {token}".casefold()
    return f"{own} {_market_words(channel.marketplace_id)}"


@functools.cache
def _market_words(marketplace_id: str) -> str:
    # A handful of marketplaces for every channel: their words are folded once, not per row.
    market = marketplaces.get(marketplace_id)
    return f"{market.country} {market.code} {market.id}".casefold()
