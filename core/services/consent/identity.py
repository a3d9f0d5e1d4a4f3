"""Is a new grant the expected seller's? Amazon's answer names the account only as a claim.

``selling_partner_id`` comes back as a plain query parameter of the redirect ("Website
authorization workflow", Step 3, in Amazon's archived SP-API developer guide,
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md):
nothing signs it, so whoever forwards or pastes the address can edit it. What Amazon says about
the grant itself is ``getMarketplaceParticipations``, which names no Seller ID: its store name
and its marketplaces are the only identity hints
(https://developer-docs.amazon.com/sp-api/docs/sellers-api). So after the code exchange they are
compared with what the inventory knows of the expected seller (:func:`known_account`):

* the store name Amazon reported when this seller's grant in this region was saved
  (:attr:`core.domain.inventory.Authorization.store_name`), and
* the marketplaces of the consent target's channels.

A grant that agrees with both stays :class:`~core.amazon.consent.Authorized`. Otherwise (another
store name, a channel's marketplace Amazon does not list as participating, no Seller ID or no
store name on record to compare with) it becomes :class:`NeedsConfirmation`: nothing is applied
until the person, shown what Amazon reports, confirms it is the account they meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.amazon.attempts import ConsentTarget
from core.amazon.consent import Authorized, WrongAccount
from core.domain.inventory import Inventory
from core.domain.validation import normalize_seller_id

__all__ = [
    "Doubt",
    "KnownAccount",
    "NeedsConfirmation",
    "Outcome",
    "judge",
    "known_account",
    "same_store",
]


@dataclass(frozen=True, slots=True)
class KnownAccount:
    """What the inventory knows of the account a consent should come from."""

    seller_id: str | None
    store_name: str = ""
    marketplace_ids: frozenset[str] = frozenset()


def known_account(inventory: Inventory, target: ConsentTarget) -> KnownAccount:
    """The expected Seller ID, the store name last reported for it in the target's region (the
    newest saved or pending grant that has one), and the target channels' marketplaces."""
    seller = normalize_seller_id(target.expected_seller_id or "") or None
    store = ""
    if seller is not None:
        known = sorted(
            (
                a
                for a in inventory.authorizations.values()
                if a.region is target.region
                and normalize_seller_id(a.seller_id) == seller
                and a.store_name.strip()
            ),
            key=lambda a: a.granted_at,
        )
        store = known[-1].store_name.strip() if known else ""
    channels = inventory.channels
    ids = frozenset(
        channels[c].marketplace_id
        for c in target.channel_ids
        if c in channels and channels[c].region is target.region
    )
    return KnownAccount(seller, store, ids or frozenset({target.marketplace_id}))


def same_store(a: str, b: str) -> bool:
    """Store names are compared as a person reads them: case and spacing do not count."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class Doubt(StrEnum):
    """Why a grant needs the person's confirmation."""

    NO_SELLER_ID = "no_seller_id"  # nobody knew which account to expect
    NO_STORE_NAME = "no_store_name"  # nothing on record to compare the store name with
    OTHER_STORE_NAME = "other_store_name"  # Amazon reports another store than on record
    MARKETPLACES_MISSING = "marketplaces_missing"  # a target channel's marketplace is not listed


@dataclass(frozen=True, slots=True)
class NeedsConfirmation:
    """A working grant whose account is not known to be the expected one. Nothing is applied.

    It carries what Amazon reports (store name, marketplaces) next to what was claimed (the
    Seller ID of the answer) and what was expected. Only when the person confirms does the
    caller apply :attr:`authorized`.
    """

    authorized: Authorized = field(repr=False)
    known: KnownAccount
    doubts: tuple[Doubt, ...]

    @property
    def target(self) -> ConsentTarget | None:
        return self.authorized.target

    @property
    def claimed_seller_id(self) -> str:
        """The Seller ID in the answer: a claim, not something Amazon confirmed."""
        return self.authorized.seller_id

    @property
    def store_name(self) -> str:
        """The store name Amazon reports for the new grant."""
        return self.authorized.authorization.store_name

    @property
    def marketplace_ids(self) -> frozenset[str]:
        """The marketplaces of the target's region Amazon lists as participating."""
        return self.authorized.authorization.marketplace_ids

    @property
    def expected_store_name(self) -> str:
        return self.known.store_name

    @property
    def looks_like_another_account(self) -> bool:
        """Amazon reports something that differs from what is known (not merely nothing known)."""
        return bool({Doubt.OTHER_STORE_NAME, Doubt.MARKETPLACES_MISSING} & set(self.doubts))

    @property
    def missing_marketplace_ids(self) -> frozenset[str]:
        """Marketplaces of the target's channels that Amazon does not list for this grant."""
        return self.known.marketplace_ids - self.marketplace_ids


Outcome = Authorized | WrongAccount | NeedsConfirmation


def judge(result: Authorized, known: KnownAccount) -> Authorized | NeedsConfirmation:
    """``result`` as is when what Amazon reports agrees with ``known``; otherwise ask."""
    doubts: list[Doubt] = []
    if known.seller_id is None:
        doubts.append(Doubt.NO_SELLER_ID)
    reported = result.authorization.store_name
    if not known.store_name:
        doubts.append(Doubt.NO_STORE_NAME)
    elif not same_store(reported, known.store_name):
        doubts.append(Doubt.OTHER_STORE_NAME)
    if known.marketplace_ids - result.authorization.marketplace_ids:
        doubts.append(Doubt.MARKETPLACES_MISSING)
    if not doubts:
        return result
    return NeedsConfirmation(result, known, tuple(doubts))
