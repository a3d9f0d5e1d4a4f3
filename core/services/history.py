"""Reading history: what was saved about a channel, a company or an authorization.

Blocking (SQLite): run these on the database lane, never on the GUI thread; the History view
does (gui/history). They read the saved inventory and the history table only, never the
keychain, so they work in a read-only copy and without any keychain.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.history import AuthorizationVersion, HistoryEntry
from core.domain.inventory import AuthSource, Inventory
from core.services.workspace import Workspace

#: How each source of an authorization reads in the History view.
SOURCE_WORDS = {
    AuthSource.CONSENT: "Consent in the browser",
    AuthSource.SELF_AUTHORIZATION: "Self-authorization in Seller Central",
    AuthSource.IMPORT: "Imported",
    AuthSource.DEMO: "Demo",
}


@dataclass(frozen=True, slots=True)
class History:
    """What the History view shows: entries newest first and, for a channel, its
    authorization versions (newest first, the one in use marked ``current``)."""

    title: str
    entries: tuple[HistoryEntry, ...]
    versions: tuple[AuthorizationVersion, ...] = ()


def channel_history(workspace: Workspace, channel_id: str) -> History:
    """A channel's saved history and the chain of its authorization's versions."""
    inv = workspace.saved
    channel = inv.channels.get(channel_id)
    title = channel.name or channel.marketplace.label if channel is not None else "Channel"
    versions = authorization_versions(inv, channel.authorization_id) if channel else ()
    return History(title, _read(workspace, "channel", channel_id), versions)


def company_history(workspace: Workspace, company_id: str) -> History:
    """A company's saved history, its channels' included."""
    company = workspace.saved.companies.get(company_id)
    title = company.name if company is not None else "Company"
    return History(title, _read(workspace, "company", company_id))


def authorization_history(workspace: Workspace, authorization_id: str) -> History:
    """One authorization's history (consents, roll backs, edits of its dates) and its chain."""
    inv = workspace.saved
    versions = authorization_versions(inv, authorization_id)
    title = f"Seller {versions[0].seller_id}" if versions else "Authorization"
    return History(title, _read(workspace, "authorization", authorization_id), versions)


def authorization_versions(
    inventory: Inventory, current_id: str | None
) -> tuple[AuthorizationVersion, ...]:
    """The authorization ``current_id`` and every one it replaced (``previous_id``), newest
    first. ``kept`` says its refresh token is still kept, so Roll back can return to it."""
    versions: list[AuthorizationVersion] = []
    seen: set[str] = set()
    auth = inventory.authorizations.get(current_id) if current_id else None
    while auth is not None and auth.id not in seen:  # a loop in the chain would never end
        seen.add(auth.id)
        versions.append(
            AuthorizationVersion(
                id=auth.id,
                seller_id=auth.seller_id,
                region=auth.region.display_name,
                store_name=auth.store_name,
                source=SOURCE_WORDS.get(auth.source, auth.source.value),
                granted_at=auth.granted_at,
                expires_at=auth.expires_at,
                expiry_confirmed=auth.expiry_confirmed,
                current=auth.id == current_id,
                kept=auth.refresh_token_ref is not None,
            )
        )
        auth = inventory.authorizations.get(auth.previous_id) if auth.previous_id else None
    return tuple(versions)


def _read(workspace: Workspace, subject: str, subject_id: str) -> tuple[HistoryEntry, ...]:
    store = workspace.store
    if store is None:  # an inventory with no file (a test's) has no saved history
        return ()
    return tuple(store.history(subject, subject_id))
