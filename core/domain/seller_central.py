"""What the person saw in Seller Central, recorded per channel: the app's status, and its date.

Amazon offers no API that tells a developer whether a seller's Manage Your Apps page shows the
app as Active or Disabled, so SP Connect keeps what the person saw there and *when* they looked:
a status without a date cannot be told apart from one read a year ago. The page is where a seller
re-authorizes and where an app can be enabled again
(https://developer-docs.amazon.com/sp-api/docs/renew-authorizations).

The MWS Authorization Token of a legacy channel is a secret: it lives in the keychain, and the
screen shows only its shape (:data:`MWS_TOKEN_MASK`), never a character of the value, so showing a
channel never needs the keychain; reading the value happens only when the person asks for it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.domain.changes import Change, Touched
from core.domain.dates import day
from core.domain.errors import FieldError, ValidationError
from core.domain.inventory import AppStatus, Channel, Inventory

#: The words for each status, as the app status list shows them.
APP_STATUS_WORDS: dict[AppStatus, str] = {
    AppStatus.UNKNOWN: "Not checked",
    AppStatus.ACTIVE: "Active",
    AppStatus.DISABLED: "Disabled",
}

#: Where to look, for a seller who is not technical.
APP_STATUS_HELP = (
    "In Seller Central, open Apps and Services > Manage Your Apps and find this app: it shows "
    "Active or Disabled. If Disabled, enable it there. Picking a status here keeps today's date."
)

#: What a stored MWS Authorization Token looks like on screen: its shape, none of its value.
MWS_TOKEN_MASK = "amzn.mws.••••-…-••••"  # noqa: S105 - a mask


def app_status_text(channel: Channel) -> str:
    """``Active (checked 3 Dec 2026)``; ``Not checked`` has no date."""
    words = APP_STATUS_WORDS[channel.app_status]
    if channel.app_status is AppStatus.UNKNOWN:
        return words
    if channel.app_status_checked_at is None:
        return f"{words} (date not recorded)"
    return f"{words} (checked {day(channel.app_status_checked_at)})"


def record_app_status(channel_id: str, status: AppStatus, at: datetime) -> Change:
    """Record the status the person saw in Manage Your Apps at ``at`` (a pending change).

    Recording the same status again is a change too: it moves the date, since the person looked
    again. ``Not checked`` forgets the date.
    """

    def apply(inv: Inventory) -> Touched:
        channel = inv.channels.get(channel_id)
        if channel is None:
            raise ValidationError([FieldError("id", "This channel no longer exists.")])
        checked = None if status is AppStatus.UNKNOWN else at
        inv.channels[channel_id] = replace(
            channel, app_status=status, app_status_checked_at=checked
        )
        return Touched(channels={channel_id})

    return Change(f"Record app status: {APP_STATUS_WORDS[status]}", apply)
