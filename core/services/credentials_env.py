"""One channel's credentials as environment variables, for the seller's own tools.

``main.py exec --channel CHANNEL -- COMMAND`` (:mod:`core.services.exec_command`) runs a command
with these variables in its environment only. The names are the ones python-amazon-sp-api reads
(https://github.com/saleweaver/python-amazon-sp-api/blob/master/docs/env_variables.rst):
``LWA_APP_ID`` (despite its name, the LWA *client ID*), ``LWA_CLIENT_SECRET`` and
``SP_API_REFRESH_TOKEN``; it also reads ``SP_API_DEFAULT_MARKETPLACE`` (a marketplace code such
as ``UK``, looked up when the library is imported) and ``AWS_ENV`` (``SANDBOX`` switches it to
Amazon's sandbox hosts). The others are SP Connect's own, for any client:

* ``SP_API_ENDPOINT``: the SP-API host of the channel's region (or the simulator's address);
* ``LWA_TOKEN_URL``: where to exchange the refresh token for an access token;
* ``SP_API_REGION``: ``NA``, ``EU`` or ``FE``;
* ``SP_API_SELLER_ID``: the Seller ID the authorization belongs to;
* ``SP_API_MARKETPLACE_ID``: the channel's marketplace id;
* ``SP_API_MARKETPLACE_IDS``: that id first, then the other marketplaces of the same
  authorization, comma-separated.

python-amazon-sp-api takes its hosts from its own table, not from ``SP_API_ENDPOINT`` or
``LWA_TOKEN_URL``; against the demo's simulator it needs pointing at them (the README shows how,
tried with its version 2.1.35). That version knows every marketplace code of
:mod:`core.domain.marketplaces` (``UK`` as an alias of ``GB``); the older copy of its
``sp_api/base/marketplaces.py`` we read has no IE, BE or ZA, and a version that does not know
``SP_API_DEFAULT_MARKETPLACE``'s value fails on import. Which versions those are is UNVERIFIED,
so the variable can be left out: ``exec ... -- env -u SP_API_DEFAULT_MARKETPLACE COMMAND``.

Every inherited variable whose name starts with ``SP_API_`` or ``LWA_``, and ``AWS_ENV``, is
removed from the child's environment first: python-amazon-sp-api prefers
``SP_API_REFRESH_TOKEN_<account>`` over ``SP_API_REFRESH_TOKEN``, so a stale one left in the
shell would quietly win over the channel's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from core.domain import marketplaces
from core.domain.endpoints import endpoints_for
from core.domain.errors import UserFacingError
from core.domain.inventory import Channel, Inventory
from core.domain.marketplaces import EndpointProfile
from core.domain.secret import Secret
from core.domain.status import ApiBadge, HealthKind, channel_status

LWA_APP_ID = "LWA_APP_ID"
LWA_CLIENT_SECRET = "LWA_CLIENT_SECRET"  # noqa: S105 - a variable's name, not a secret
SP_API_REFRESH_TOKEN = "SP_API_REFRESH_TOKEN"  # noqa: S105 - a variable's name
LWA_TOKEN_URL = "LWA_TOKEN_URL"  # noqa: S105 - a variable's name
SP_API_ENDPOINT = "SP_API_ENDPOINT"
SP_API_REGION = "SP_API_REGION"
SP_API_SELLER_ID = "SP_API_SELLER_ID"
SP_API_MARKETPLACE_ID = "SP_API_MARKETPLACE_ID"
SP_API_MARKETPLACE_IDS = "SP_API_MARKETPLACE_IDS"
SP_API_DEFAULT_MARKETPLACE = "SP_API_DEFAULT_MARKETPLACE"
AWS_ENV = "AWS_ENV"

#: Every variable a child may be given (AWS_ENV only for Amazon and its sandbox).
VARIABLES = (
    LWA_APP_ID,
    LWA_CLIENT_SECRET,
    SP_API_REFRESH_TOKEN,
    LWA_TOKEN_URL,
    SP_API_ENDPOINT,
    SP_API_REGION,
    SP_API_SELLER_ID,
    SP_API_MARKETPLACE_ID,
    SP_API_MARKETPLACE_IDS,
    SP_API_DEFAULT_MARKETPLACE,
    AWS_ENV,
)
#: The variables holding secrets (the others are printed nowhere either, but are not secret).
SECRET_VARIABLES = frozenset({LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN})
#: Inherited variables with these prefixes (or named :data:`AWS_ENV`) never reach the child.
_OURS = ("SP_API_", "LWA_")
#: Only a new consent by the seller clears these (see :mod:`core.domain.status`).
_CONSENT_KINDS = frozenset(
    {HealthKind.EXPIRED, HealthKind.NEEDS_REAUTHORIZATION, HealthKind.WRONG_ACCOUNT}
)
_AWS_ENV = {EndpointProfile.AMAZON: "PRODUCTION", EndpointProfile.SANDBOX: "SANDBOX"}
#: At most this many channels are listed when ``--channel`` matches none or several.
MAX_LISTED = 20
_REAUTHORIZE = (
    "Reauthorize it in SP Connect (select it, then Amazon > Reauthorize…), Save, then run the "
    "command again."
)
_HOW_TO_NAME = (
    "Give a channel id, or a Seller ID and a marketplace code such as A1B2C3D4E5F6G7/UK "
    "(both are in the channel's details in SP Connect)."
)


def find_channel(inventory: Inventory, text: str) -> Channel:
    """The channel ``text`` names: its id, ``SELLER_ID/MARKETPLACE`` or a Seller ID alone.

    The marketplace may be a code (``UK`` or ``GB``), a marketplace id or a country name. A
    channel without a Seller ID of its own counts as its authorization's seller's.

    Raises:
        UserFacingError: No channel, or more than one, matches; the message lists the
            candidates (names and ids, never a secret).
    """
    key = text.strip()
    if key in inventory.channels:
        return inventory.channels[key]
    seller, slash, where = key.partition("/")
    seller = seller.strip().upper()
    of_seller = [c for c in inventory.channels.values() if _seller_of(inventory, c) == seller]
    found = of_seller
    if slash:
        market = marketplaces.find(where)
        if market is None:
            raise UserFacingError(
                f"There is no Amazon marketplace called {_printable(where.strip())!r}.",
                "Use a marketplace code such as UK, DE or US.",
            )
        found = [c for c in of_seller if c.marketplace_id == market.id]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UserFacingError(
            f"{len(found)} channels match {_printable(key)!r}:\n{_listing(inventory, found)}",
            "Give the id of the one you mean (the first column) or add its marketplace code.",
        )
    if of_seller:
        raise UserFacingError(
            f"Seller ID {seller} has no channel in that marketplace. Its channels:\n"
            f"{_listing(inventory, of_seller)}",
            _HOW_TO_NAME,
        )
    everything = list(inventory.channels.values())
    listed = f" The inventory's channels:\n{_listing(inventory, everything)}" if everything else ""
    raise UserFacingError(f"No channel matches {_printable(key)!r}.{listed}", _HOW_TO_NAME)


def refusal(channel: Channel, inventory: Inventory, now: datetime) -> UserFacingError | None:
    """Why ``channel``'s credentials cannot be handed to a command, or ``None`` when they can.

    Refused exactly when :attr:`core.domain.status.ChannelStatus.needs_reauthorization` says
    only a new consent will make the channel work (expired, refused by Amazon, wrong account,
    no authorization, MWS only): handing such credentials over would only fail later, less
    clearly. A failed last check or refused app credentials are not refused here: they may
    have been fixed since, and the command will find out.
    """
    status = channel_status(channel, inventory, now)
    auth = inventory.authorization_of(channel)
    name = _label(inventory, channel)
    if status.api is ApiBadge.MWS:
        return UserFacingError(
            f"The channel {name} has only the old MWS credentials, which no longer reach "
            "Amazon: there is no Selling Partner API authorization to hand over.",
            _REAUTHORIZE,
        )
    if status.api is ApiBadge.NOT_CONNECTED or auth is None:
        return UserFacingError(
            f"The channel {name} is not connected to Amazon yet: it has no authorization.",
            _REAUTHORIZE,
        )
    if status.needs_reauthorization:
        badges = [b for b in status.health if b.kind in _CONSENT_KINDS]
        shown = ", ".join(b.text for b in badges if b.kind is not HealthKind.NEEDS_REAUTHORIZATION)
        head = f"The channel {name} needs reauthorization" + (f" ({shown})" if shown else "")
        return UserFacingError(f"{head}. {badges[0].detail}", _REAUTHORIZE)
    if auth.refresh_token_ref is None:
        return UserFacingError(
            f"The channel {name} has no refresh token on record, so there is nothing to hand over.",
            _REAUTHORIZE,
        )
    return None


def credential_variables(
    inventory: Inventory, channel: Channel, read: Callable[[str], Secret | None]
) -> dict[str, str]:
    """The variables of :data:`VARIABLES` for ``channel``, its secrets read through ``read``.

    ``read`` may block on the keychain (:meth:`core.services.workspace.Workspace.secret`). Call
    :func:`refusal` first: this assumes the channel has a usable authorization.

    Raises:
        UserFacingError: The app credentials are incomplete, a secret is missing from the
            keychain, or the app's simulator address is not usable.
        SecretStoreError: The keychain could not be read.
    """
    auth = inventory.authorization_of(channel)
    if auth is None or auth.refresh_token_ref is None:  # refusal() says so in more words
        raise UserFacingError("This channel has no authorization to hand over.", _REAUTHORIZE)
    app = inventory.app
    if not app.lwa_client_id.strip() or not app.client_secret_ref:
        raise UserFacingError(
            "The app credentials are incomplete (no LWA client ID or client secret), so there "
            "are no credentials to hand over.",
            "Open App credentials in SP Connect, complete them, Save, then run the command again.",
        )
    endpoints = endpoints_for(app)
    client_secret = read(app.client_secret_ref)
    if not client_secret:
        raise UserFacingError(
            "The app's client secret is missing from the keychain.",
            "Open App credentials in SP Connect, enter the client secret, Save, then run the "
            "command again.",
        )
    refresh_token = read(auth.refresh_token_ref)
    if not refresh_token:
        raise UserFacingError(
            f"The refresh token of the channel {_label(inventory, channel)} is missing from "
            "the keychain.",
            _REAUTHORIZE,
        )
    region = auth.region
    variables = {
        LWA_APP_ID: app.lwa_client_id.strip(),
        LWA_CLIENT_SECRET: client_secret.reveal(),
        SP_API_REFRESH_TOKEN: refresh_token.reveal(),
        LWA_TOKEN_URL: endpoints.lwa_token_url(region),
        SP_API_ENDPOINT: endpoints.sp_api_host(region),
        SP_API_REGION: region.value,
        SP_API_SELLER_ID: auth.seller_id,
        SP_API_MARKETPLACE_ID: channel.marketplace_id,
        SP_API_MARKETPLACE_IDS: ",".join(_marketplace_ids(inventory, channel)),
        SP_API_DEFAULT_MARKETPLACE: channel.marketplace.code,
    }
    if endpoints.profile in _AWS_ENV:
        variables[AWS_ENV] = _AWS_ENV[endpoints.profile]
    return variables


def child_environment(inherited: Mapping[str, str], variables: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: ``inherited`` (ours) without any credential variable of its own,
    plus ``variables``. A new dict: our own ``os.environ`` is never changed."""
    kept = {k: v for k, v in inherited.items() if not is_credential_variable(k)}
    kept.update(variables)
    return kept


def is_credential_variable(name: str) -> bool:
    """A name SP Connect sets, or one a client could take over it (``SP_API_…``, ``LWA_…``)."""
    upper = name.upper()  # Windows' environment ignores case
    return upper.startswith(_OURS) or upper == AWS_ENV


# --- helpers ---------------------------------------------------------------------------------


def _seller_of(inventory: Inventory, channel: Channel) -> str:
    if channel.seller_id:
        return channel.seller_id.strip().upper()
    auth = inventory.authorization_of(channel)
    return auth.seller_id.strip().upper() if auth is not None else ""


def _marketplace_ids(inventory: Inventory, channel: Channel) -> list[str]:
    """The channel's marketplace first, then the others its authorization covers (those Amazon
    listed at consent, and the inventory's channels on it), in Amazon's table order."""
    auth = inventory.authorization_of(channel)
    covered = set(auth.marketplace_ids) if auth is not None else set()
    covered.update(
        c.marketplace_id
        for c in inventory.channels.values()
        if auth is not None and c.authorization_id == auth.id
    )
    others = [m.id for m in marketplaces.MARKETPLACES if m.id in covered]
    return [channel.marketplace_id, *(i for i in others if i != channel.marketplace_id)]


def _label(inventory: Inventory, channel: Channel) -> str:
    company = inventory.companies.get(channel.company_id)
    name = _printable(channel.name or channel.marketplace.label)
    owner = f" ({_printable(company.name)})" if company is not None else ""
    return f"{name}{owner}"


def _listing(inventory: Inventory, channels: list[Channel]) -> str:
    def order(c: Channel) -> tuple[str, str]:
        company = inventory.companies.get(c.company_id)
        return (company.name.casefold() if company else "", c.name.casefold())

    ordered = sorted(channels, key=order)
    lines = []
    for channel in ordered[:MAX_LISTED]:
        company = inventory.companies.get(channel.company_id)
        seller = _seller_of(inventory, channel) or "(no Seller ID)"
        owner = f" ({_printable(company.name)})" if company is not None else ""
        name = _printable(channel.name or channel.marketplace.label)
        lines.append(f"  {channel.id}  {seller}/{channel.marketplace.code}  {name}{owner}")
    if len(ordered) > MAX_LISTED:
        lines.append(f"  … and {len(ordered) - MAX_LISTED} more")
    return "\n".join(lines)


def _printable(text: str) -> str:
    """Names people typed, safe for a terminal: no control characters (escape sequences)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
