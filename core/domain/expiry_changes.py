"""Recording the end date Seller Central shows for an authorization, as a pending change.

An authorization ends 365 days after it was granted
(https://developer-docs.amazon.com/sp-api/docs/renew-authorizations), but the seller's Manage
Your Apps page shows the date Amazon itself holds, which wins when the person records it: the
seller may have renewed in Seller Central, or the grant may be older than our record of it.
Clearing the date goes back to granted + 365 days.

A date is a local calendar day; it is stored as the moment that day begins
(:func:`core.domain.dates.start_of_local_day`), so "ends 12 Mar" shows *Expired* from 12 Mar on.

What is accepted, and why:

* not before the day the authorization was granted: it cannot end before it began;
* not more than :data:`MAX_PAST_DAYS` days before today: Seller Central lists an app whose
  authorization ended recently, so a date a little in the past is real (it is accepted with a
  note that the channel will show as expired), but anything older is almost surely a mistyped
  year;
* not more than :data:`MAX_AHEAD_DAYS` days after today: an authorization lasts 365 days, so no
  real end date lies further ahead (one day more for time zones); a later date is a mistyped year.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from core.domain import dates
from core.domain.changes import Change, Touched
from core.domain.errors import FieldError, ValidationError
from core.domain.inventory import GRANT_LIFETIME, Authorization, Inventory

#: The field the messages are about (the form shows them under the date).
FIELD = "expiry_confirmed"
#: A confirmed end date may lie at most this many days in the past.
MAX_PAST_DAYS = 90
#: ... and at most this many days ahead: the 365 days of an authorization, plus one.
MAX_AHEAD_DAYS = GRANT_LIFETIME.days + 1


def check_confirmed_expiry(auth: Authorization, day: date, now: datetime) -> list[FieldError]:
    """Plain-words problems with ``day`` as ``auth``'s end date (a warning lets it through)."""
    today = dates.local_day(now)
    granted = dates.local_day(auth.granted_at)
    if day < granted:
        return [
            FieldError(
                FIELD,
                f"This authorization was granted on {dates.day(auth.granted_at)}, so it cannot "
                "end before that. Check the date on Manage Your Apps.",
            )
        ]
    if day < today - timedelta(days=MAX_PAST_DAYS):
        return [
            FieldError(
                FIELD,
                f"That date is more than {MAX_PAST_DAYS} days ago. Check the year, or "
                "reauthorize the channel if it has ended.",
            )
        ]
    if day > today + timedelta(days=MAX_AHEAD_DAYS):
        return [
            FieldError(
                FIELD,
                f"An authorization lasts {GRANT_LIFETIME.days} days, so it cannot end after "
                f"{dates.day(dates.start_of_local_day(today + timedelta(days=MAX_AHEAD_DAYS)))}. "
                "Check the year.",
            )
        ]
    if day <= today:
        return [
            FieldError(
                FIELD,
                "That day has come: the channel will show as expired until it is reauthorized.",
                warning=True,
            )
        ]
    return []


def confirm_expiry(authorization_id: str, day: date | None, now: datetime) -> Change:
    """Set the end date seen in Seller Central (``day``), or clear it (``None``).

    Every channel on the authorization changes with it (they share the grant).
    """

    def apply(inv: Inventory) -> Touched:
        auth = inv.authorizations.get(authorization_id)
        if auth is None:
            raise ValidationError([FieldError(FIELD, "This authorization no longer exists.")])
        if day is None:
            updated = replace(
                auth, expires_at=auth.granted_at + GRANT_LIFETIME, expiry_confirmed=False
            )
        else:
            errors = check_confirmed_expiry(auth, day, now)
            if any(not e.warning for e in errors):
                raise ValidationError(errors, "The end date")
            updated = replace(auth, expires_at=dates.start_of_local_day(day), expiry_confirmed=True)
        inv.authorizations[authorization_id] = updated
        users = {c.id for c in inv.channels.values() if c.authorization_id == authorization_id}
        return Touched(channels=users, authorizations={authorization_id})

    what = "Clear the end date from Seller Central" if day is None else "Record the end date"
    return Change(what, apply)
