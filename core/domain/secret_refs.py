"""Keychain entry names: one constructor per kind of secret, all in one format.

A record never holds a secret, only the name of the keychain entry that does (its *reference*).
Every name is ``<namespace>/<kind>/<owner>/<version>``:

* ``namespace``: the inventory's own random id, so two inventories never share an entry;
* ``kind``: one of :class:`SecretKind`;
* ``owner``: the authorization (refresh token), the channel (MWS token) or ``app`` (the client
  secret: an inventory has one app);
* ``version``: fresh for every new value, so a Save can write the new entry before the database
  points at it and the old value stays readable until the commit (see
  :mod:`core.storage.store`).

One secret per entry: Windows Credential Locker caps an entry at about 2.5 KB.
"""

from __future__ import annotations

from enum import StrEnum

from core.domain.inventory import new_id

#: The owner part of the client secret's name.
APP_OWNER = "app"


class SecretKind(StrEnum):
    """What a keychain entry holds. The value is the name's ``kind`` part."""

    REFRESH_TOKEN = "refresh-token"  # noqa: S105 - a kind of secret, not one
    MWS_AUTH_TOKEN = "mws-auth-token"  # noqa: S105
    CLIENT_SECRET = "client-secret"  # noqa: S105


def new_refresh_token_ref(
    namespace: str, authorization_id: str, *, version: str | None = None
) -> str:
    """A fresh entry name for an authorization's refresh token."""
    return _ref(namespace, SecretKind.REFRESH_TOKEN, authorization_id, version)


def new_mws_auth_token_ref(namespace: str, channel_id: str, *, version: str | None = None) -> str:
    """A fresh entry name for a channel's MWS Authorization Token."""
    return _ref(namespace, SecretKind.MWS_AUTH_TOKEN, channel_id, version)


def new_client_secret_ref(namespace: str, *, version: str | None = None) -> str:
    """A fresh entry name for the app's LWA client secret."""
    return _ref(namespace, SecretKind.CLIENT_SECRET, APP_OWNER, version)


def _ref(namespace: str, kind: SecretKind, owner: str, version: str | None) -> str:
    """``version`` defaults to 48 random bits; samples pass their own to stay reproducible."""
    version = new_id()[:12] if version is None else version
    for part in (namespace, owner, version):
        if not part or "/" in part:
            raise ValueError(f"a keychain name part must be non-empty without '/': {part!r}")
    return f"{namespace}/{kind}/{owner}/{version}"
