"""The steps of an approaching end date, shared by authorizations and the app's client secret.

Both end on a known day: a seller's authorization 365 days after it was granted, or on the date
Seller Central's Manage Your Apps page shows (https://developer-docs.amazon.com/sp-api/docs/renew-authorizations),
and the LWA client secret 180 days after it was created
(https://developer-docs.amazon.com/sp-api/docs/rotating-your-apps-lwa-credentials). Both go
through the same steps, so the tree, the banner and App credentials never disagree:

* more than :data:`WARN_DAYS` days left: nothing to say;
* :data:`WARN_DAYS` down to :data:`URGENT_DAYS` + 1: *soon* ("Expires in 12 days");
* :data:`URGENT_DAYS` down to 0: *urgent* (other words and a higher severity, not only a colour);
  0 is the end day itself, before the moment it ends ("expires today");
* once the moment has passed (0 or fewer days left): *expired*.

Days are local calendar days (:func:`core.domain.dates.days_left`), so counts change at local
midnight; the one change inside a day is "expires today" becoming "expired" at the very moment,
because saying *expired* while Amazon still accepts the grant or the secret would be false (a
date confirmed from Seller Central is stored as the start of its day, so it has no such hours).

Thirty days matches the month of notices Amazon gave for MWS renewals; that SP-API uses the same
cadence is UNVERIFIED, hence the ``warn_days`` parameters wherever a step is computed. Seven
days is one working week: the least time to reach a seller and have them sign in to Seller
Central.
"""

from __future__ import annotations

from enum import IntEnum

#: Start warning this many days ahead.
WARN_DAYS = 30
#: From this many days ahead the warning is urgent.
URGENT_DAYS = 7


class ExpiryStep(IntEnum):
    """How close an end date is, least pressing first."""

    LATER = 0
    SOON = 1
    URGENT = 2
    EXPIRED = 3


def expiry_step(
    days_left: int, *, ended: bool, warn_days: int = WARN_DAYS, urgent_days: int = URGENT_DAYS
) -> ExpiryStep:
    """The step for ``days_left`` local calendar days; ``ended``: the end moment has passed."""
    if ended or days_left < 0:
        return ExpiryStep.EXPIRED
    if days_left <= min(urgent_days, warn_days):
        return ExpiryStep.URGENT
    if days_left <= warn_days:
        return ExpiryStep.SOON
    return ExpiryStep.LATER


def when(days_left: int) -> str:
    """``today``, ``in 1 day``, ``in 12 days``: the words after "expires"."""
    if days_left <= 0:
        return "today"
    return "in 1 day" if days_left == 1 else f"in {days_left} days"
