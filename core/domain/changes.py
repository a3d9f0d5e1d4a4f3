"""The pending edits a person can make, as :class:`Change` objects for the workspace.

Each constructor validates its input against the inventory it is applied to and raises
:class:`~core.domain.errors.ValidationError` with plain-words messages; a change that raises leaves
nothing behind. Secrets a change brings (a refresh token, an MWS token, a client secret) ride
along in memory until Save writes them to the keychain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.domain import versions
from core.domain.endpoints import check_profile_switch
from core.domain.errors import FieldError, UserFacingError, ValidationError
from core.domain.history import HistoryKind
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    Channel,
    Company,
    Health,
    Inventory,
)
from core.domain.plan_progress import Progress
from core.domain.secret import Secret
from core.domain.validation import (
    check_channel,
    check_company,
    check_mws_auth_token,
    raise_if_errors,
)


@dataclass(slots=True)
class Touched:
    """The ids a change affects."""

    companies: set[str] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    authorizations: set[str] = field(default_factory=set)
    app: bool = False
    structure: bool = False  # rows were added, removed or moved to another parent

    def update(self, other: Touched) -> None:
        self.companies |= other.companies
        self.channels |= other.channels
        self.authorizations |= other.authorizations
        self.app |= other.app
        self.structure |= other.structure


@dataclass(frozen=True, slots=True)
class Change:
    """One pending edit. ``description`` is shown in the Undo menu entry; ``kind`` says why
    in the history Save records (core.domain.history)."""

    description: str
    apply: Callable[[Inventory], Touched]
    secrets: tuple[tuple[str, Secret], ...] = ()
    kind: HistoryKind = HistoryKind.EDIT
    progress: tuple[Progress, ...] = ()  # an import's plan states, written with its Save


def add_company(company: Company) -> Change:
    def apply(inv: Inventory) -> Touched:
        if company.id in inv.companies:
            raise ValueError("company id already in use")
        raise_if_errors(check_company(company, inv), "The company")
        inv.companies[company.id] = company
        return Touched(companies={company.id}, structure=True)

    return Change(f"Add company {company.name}", apply)


def edit_company(company: Company) -> Change:
    def apply(inv: Inventory) -> Touched:
        before = inv.companies.get(company.id)
        if before is None:
            raise ValidationError([FieldError("id", "This company no longer exists.")])
        raise_if_errors(check_company(company, inv), "The company")
        inv.companies[company.id] = company
        # Unified children are authorized through their parent: a new parent brings its grants.
        return Touched(companies={company.id}, structure=before.parent_id != company.parent_id)

    return Change(f"Edit company {company.name}", apply)


def remove_company(company_id: str) -> Change:
    """Remove a company with its channels. A unified parent must lose its children first."""

    def apply(inv: Inventory) -> Touched:
        company = inv.companies.get(company_id)
        if company is None:
            raise ValidationError([FieldError("id", "This company no longer exists.")])
        children = [c.name for c in inv.children_of(company_id)]
        if children:
            raise ValidationError(
                [
                    FieldError(
                        "parent_id",
                        f"{company.name} is the unified parent of {', '.join(children)}: "
                        "remove them or make them independent first.",
                    )
                ],
                "Removing the company",
            )
        touched = Touched(companies={company_id}, structure=True)
        for channel in list(inv.channels_of(company_id)):
            touched.update(_remove_channel(inv, channel.id))
        del inv.companies[company_id]
        return touched

    return Change("Remove company", apply)


def add_channel(channel: Channel, mws_auth_token: Secret | None = None) -> Change:
    secrets: tuple[tuple[str, Secret], ...] = ()
    if mws_auth_token is not None:
        if channel.mws_auth_token_ref is None:
            raise ValueError("an MWS token needs channel.mws_auth_token_ref")
        secrets = ((channel.mws_auth_token_ref, mws_auth_token),)

    def apply(inv: Inventory) -> Touched:
        if channel.id in inv.channels:
            raise ValueError("channel id already in use")
        errors = check_channel(channel, inv)
        if mws_auth_token is not None:
            errors += check_mws_auth_token(mws_auth_token.reveal())
        raise_if_errors(errors, "The channel")
        inv.channels[channel.id] = channel
        return Touched(channels={channel.id}, structure=True)

    return Change("Add channel", apply, secrets)


def edit_channel(channel: Channel) -> Change:
    """Change a channel's own fields (name, marketplace, expected Seller ID, app status)."""

    def apply(inv: Inventory) -> Touched:
        before = inv.channels.get(channel.id)
        if before is None:
            raise ValidationError([FieldError("id", "This channel no longer exists.")])
        raise_if_errors(check_channel(channel, inv), "The channel")
        inv.channels[channel.id] = channel
        return Touched(channels={channel.id}, structure=before.company_id != channel.company_id)

    return Change("Edit channel", apply)


def remove_channel(channel_id: str) -> Change:
    return Change("Remove channel", lambda inv: _remove_channel(inv, channel_id))


def _remove_channel(inv: Inventory, channel_id: str) -> Touched:
    channel = inv.channels.pop(channel_id, None)
    if channel is None:
        raise ValidationError([FieldError("id", "This channel no longer exists.")])
    touched = Touched(channels={channel_id}, structure=True)
    # A grant no channel uses any more goes too, with its history (and its keychain entries).
    auth_id = channel.authorization_id
    if auth_id and not any(c.authorization_id == auth_id for c in inv.channels.values()):
        touched.authorizations |= versions.drop_unused(inv, [auth_id])
    return touched


def set_mws_records(
    channel_id: str,
    merchant_token: str | None,
    mws_auth_token: Secret | None,
    app_status: AppStatus,
    *,
    new_ref: str | None,
    clear_token: bool = False,
) -> Change:
    """Record what Seller Central shows for a legacy channel (app status, MWS credentials).

    ``mws_auth_token`` replaces the stored token (under ``new_ref``); ``None`` keeps it, unless
    ``clear_token`` removes it.
    """
    secrets: tuple[tuple[str, Secret], ...] = ()
    if mws_auth_token is not None:
        if new_ref is None:
            raise ValueError("a new MWS token needs new_ref")
        secrets = ((new_ref, mws_auth_token),)

    def apply(inv: Inventory) -> Touched:
        channel = inv.channels.get(channel_id)
        if channel is None:
            raise ValidationError([FieldError("id", "This channel no longer exists.")])
        ref = channel.mws_auth_token_ref
        if mws_auth_token is not None:
            raise_if_errors(check_mws_auth_token(mws_auth_token.reveal()), "The MWS token")
            ref = new_ref
        elif clear_token:
            ref = None
        updated = replace(
            channel,
            mws_merchant_token=merchant_token,
            mws_auth_token_ref=ref,
            app_status=app_status,
            # The date belongs to the status seen: a different status set here has no date.
            app_status_checked_at=(
                channel.app_status_checked_at if app_status is channel.app_status else None
            ),
        )
        raise_if_errors(check_channel(updated, inv), "The MWS records")
        inv.channels[channel_id] = updated
        return Touched(channels={channel_id})

    return Change("Record Seller Central details", apply, secrets)


def set_authorization(
    authorization: Authorization,
    refresh_token: Secret | None,
    channel_ids: Iterable[str],
    health: Health | None = None,
) -> Change:
    """Give channels a new authorization; each one's previous grant is kept as history.

    ``health`` is what verifying the new grant found (for example a successful participations
    call); without it the channels' earlier check results are cleared.
    """
    ids = tuple(channel_ids)
    secrets: tuple[tuple[str, Secret], ...] = ()
    if refresh_token is not None:
        if authorization.refresh_token_ref is None:
            raise ValueError("a refresh token needs authorization.refresh_token_ref")
        secrets = ((authorization.refresh_token_ref, refresh_token),)

    def apply(inv: Inventory) -> Touched:
        touched = Touched(authorizations={authorization.id})
        auth = authorization
        replaced: set[str] = set()
        for channel_id in ids:
            channel = inv.channels.get(channel_id)
            if channel is None:
                raise ValidationError([FieldError("id", "A channel no longer exists.")])
            if channel.region is not auth.region:
                raise ValidationError(
                    [FieldError("authorization", "An authorization covers one region only.")]
                )
            if channel.authorization_id and channel.authorization_id != authorization.id:
                replaced.add(channel.authorization_id)
            if (
                channel.authorization_id
                and channel.authorization_id != auth.id
                and (auth.previous_id is None)
            ):
                auth = replace(auth, previous_id=channel.authorization_id)
            # The old grant's check results say nothing about the new one.
            inv.channels[channel_id] = replace(
                channel, authorization_id=auth.id, health=health or NO_HEALTH
            )
            touched.channels.add(channel_id)
        inv.authorizations[auth.id] = auth
        # Bounded history, and no grant left behind that nothing uses (core.domain.versions).
        touched.authorizations |= versions.prune(inv, auth.id)
        touched.authorizations |= versions.drop_unused(inv, replaced)
        return touched

    imported = authorization.source is AuthSource.IMPORT
    kind = HistoryKind.IMPORT if imported else HistoryKind.CONSENT
    return Change("New authorization", apply, secrets, kind)


def roll_back_authorization(channel_ids: Iterable[str]) -> Change:
    """Point channels, and every channel sharing their grant, back at the grant it replaced.

    Each authorization remembers the one it replaced (``previous_id``), so a mistaken
    reauthorization can be rolled back; the grant rolled back from is dropped with its keychain
    entry (:func:`core.domain.versions.roll_back` says why). Pending until Save, like every change.
    """
    ids = tuple(channel_ids)

    def apply(inv: Inventory) -> Touched:
        moved, dropped = versions.roll_back(inv, ids)
        return Touched(channels=moved, authorizations=dropped)

    return Change("Roll back authorization", apply, kind=HistoryKind.ROLLBACK)


def set_app_credentials(
    app: AppCredentials, client_secret: Secret | None = None, *, new_ref: str | None = None
) -> Change:
    """Change the app credentials; a new ``client_secret`` is stored under ``new_ref``.

    Without a new secret the app keeps the entry it names, and no entry name is needed.
    """
    secrets: tuple[tuple[str, Secret], ...] = ()
    if client_secret is not None:
        if new_ref is None:
            raise ValueError("a new client secret needs new_ref")
        secrets = ((new_ref, client_secret),)
        app = replace(app, client_secret_ref=new_ref)

    def apply(inv: Inventory) -> Touched:
        grants = any(a.refresh_token_ref for a in inv.authorizations.values())
        errors = check_profile_switch(
            inv.app, app, new_secret=client_secret is not None, stored_grants=grants
        )
        if errors:
            raise ValidationError(errors, "The change of endpoints")
        inv.app = app
        return Touched(app=True)

    return Change("Edit app credentials", apply, secrets)


def replace_all(inventory: Inventory, secrets: dict[str, Secret], at: datetime) -> Change:
    """Load a whole inventory into an empty workspace (the demo, or a first import)."""
    del at  # kept in the signature so imports can stamp when they happened later

    def apply(inv: Inventory) -> Touched:
        if inv.companies or inv.channels:
            raise ValidationError(
                [FieldError("inventory", "This inventory is not empty.")], "Loading the sample"
            )
        inv.companies.update(inventory.companies)
        inv.authorizations.update(inventory.authorizations)
        inv.channels.update(inventory.channels)
        inv.app = inventory.app
        return Touched(
            companies=set(inventory.companies),
            channels=set(inventory.channels),
            authorizations=set(inventory.authorizations),
            app=True,
            structure=True,
        )

    return Change("Load inventory", apply, tuple(secrets.items()), HistoryKind.IMPORT)


#: How a dialog applies a change: the refusal comes back (to show) instead of being raised.
Apply = Callable[[Change], UserFacingError | None]


def combined(changes: Sequence[Change], description: str) -> Change:
    """Several changes as one pending edit: applied together, undone together.

    The workspace applies a change to a trial copy, so if one part is refused none is kept.
    """

    def apply(inventory: Inventory) -> Touched:
        touched = Touched()
        for change in changes:
            touched.update(change.apply(inventory))
        return touched

    # The first reason that is not a plain edit names the whole (a consent with its edits).
    kind = next((c.kind for c in changes if c.kind is not HistoryKind.EDIT), HistoryKind.EDIT)
    return Change(description, apply, tuple(s for c in changes for s in c.secrets), kind)
