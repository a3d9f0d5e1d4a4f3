"""Which channels a new grant covers, and the pending changes that give it to them.

The last step of a consent (ARCHITECTURE.md, "Consent"). Amazon's answer is checked in
:mod:`core.amazon.consent`; what it means for this inventory (which channels, which Undo step) is
the workspace's business, so it lives here, above both (core/amazon never imports the services).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.amazon.attempts import ConsentTarget
from core.amazon.consent import Authorized
from core.domain.changes import Change, set_authorization, set_mws_records
from core.domain.errors import UserFacingError
from core.domain.inventory import CheckResult, Health, Inventory
from core.domain.plan import consent_seller_id
from core.domain.recovery import checklist_change, checklists_for
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref, new_refresh_token_ref
from core.domain.validation import check_mws_auth_token, normalize_seller_id
from core.services.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Channels a new grant applies to, and same-seller channels it leaves as they are."""

    channel_ids: tuple[str, ...]
    not_covered: tuple[tuple[str, str], ...] = ()  # (channel id, reason in plain words)


def coverage(inventory: Inventory, target: ConsentTarget, authorized: Authorized) -> Coverage:
    """Which channels the new authorization applies to.

    Candidates: the target's channels, every channel of the same seller and region (by
    :func:`core.domain.plan.consent_seller_id`), and the channels of those companies' unified
    children in the region that have no other Seller ID. A candidate is covered when Amazon's
    participations list its marketplace; otherwise it is named in ``not_covered`` and keeps its
    old state (Japan, Australia and Singapore are often separate accounts, as developers report
    in https://github.com/amzn/selling-partner-api-models/issues/546).
    """
    auth = authorized.authorization
    seller = normalize_seller_id(auth.seller_id)
    region = auth.region
    channels = inventory.channels
    candidates: list[str] = [c for c in target.channel_ids if c in channels]
    for channel in channels.values():
        if channel.region is region and consent_seller_id(channel, inventory) == seller:
            candidates.append(channel.id)
    companies = {channels[c].company_id for c in candidates}
    children = {c.id for c in inventory.companies.values() if c.parent_id in companies}
    for channel in channels.values():
        if channel.company_id in children and channel.region is region:
            owner = consent_seller_id(channel, inventory)
            if owner is None or owner == seller:
                candidates.append(channel.id)
    listed = auth.marketplace_ids
    covered: list[str] = []
    missing: list[tuple[str, str]] = []
    for channel_id in _unique(candidates):
        channel = channels[channel_id]
        if channel.region is not region:
            missing.append((channel_id, "It is in another region: it needs its own consent."))
        elif channel.marketplace_id in listed:
            covered.append(channel_id)
        else:
            country = channel.marketplace.country
            missing.append(
                (
                    channel_id,
                    f"Amazon did not list {country} for this account: it may be a separate "
                    "account. Reauthorize it on its own.",
                )
            )
    return Coverage(tuple(covered), tuple(missing))


def authorization_change(
    workspace: Workspace, authorized: Authorized, covered: Coverage, now: datetime
) -> list[Change]:
    """The pending changes that give the covered channels the new grant; apply them in order.

    The refresh token gets a fresh keychain entry name (written only on Save) and the channels
    a health of OK as of ``now``; a channel failing for 36 hours or more also gets its
    after-reconnection checklist (:mod:`core.domain.recovery`). An MWS Authorization Token
    Amazon returned (hybrid apps) is recorded on each covered channel under its own entry.

    Raises:
        UserFacingError: The grant covers none of the channels.
    """
    if not covered.channel_ids:
        raise UserFacingError(
            "This authorization does not cover any of the channels: Amazon listed none of their "
            "marketplaces for this account. Nothing was changed.",
            "Check which account was selected in Seller Central, then start again.",
        )
    auth = authorized.authorization
    ref = new_refresh_token_ref(workspace.namespace, auth.id)
    auth = replace(auth, refresh_token_ref=ref)
    health = Health().after(CheckResult.OK, now)
    changes = [set_authorization(auth, authorized.refresh_token, covered.channel_ids, health)]
    # A channel that had been failing 36 hours or more gets its after-reconnection checklist.
    if checklists := checklists_for(workspace.current, covered.channel_ids, now):
        changes.append(checklist_change(checklists))
    mws = authorized.mws_auth_token
    if mws is not None:
        if check_mws_auth_token(mws.reveal()):
            log.warning("Amazon returned an MWS token in an unexpected format: not recorded")
        else:
            changes.extend(_mws_changes(workspace, auth.seller_id, mws, covered.channel_ids))
    return changes


def _mws_changes(
    workspace: Workspace, seller: str, token: Secret, channel_ids: Sequence[str]
) -> list[Change]:
    current = workspace.current.channels
    return [
        set_mws_records(
            channel_id,
            seller,
            token,
            current[channel_id].app_status,
            new_ref=new_mws_auth_token_ref(workspace.namespace, channel_id),
        )
        for channel_id in channel_ids
    ]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
