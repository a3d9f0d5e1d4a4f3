"""What the plan view says of a consent and of the whole plan, in plain words (plain text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.domain.errors import UserFacingError
from core.domain.plan_progress import PlanEntry, marketplace_words
from core.services.plan_command import state_words


def details_text(entry: PlanEntry, now: datetime) -> str:
    """Everything the person on the phone needs for one consent, as plain text."""
    fields = entry.fields
    seller = fields.get("seller_id")
    store = fields.get("store_name")
    account = f"Seller ID {seller}" if seller else "Seller ID not on record"
    if store:
        account += f", store name {store}"
    lines = [
        str(entry.title),
        f"State: {state_words(entry, now)}",
        f"Sign in at: {fields.get('seller_central_url', '')}",
        f"Account to select: {account}",
        str(fields.get("account_hint", "")),
        f"Marketplaces: {marketplace_words(fields)}",
        "Channels:",
    ]
    for channel in fields.get("channels", ()):
        owner = f" ({channel.get('company')})" if channel.get("company") else ""
        lines.append(f"    • {channel.get('name')}{owner}: {channel.get('reason')}")
    if not entry.in_plan:
        lines.append("Done: its channels no longer need a consent. It leaves this list tomorrow.")
    return "\n".join(lines)


def summary_text(entries: Sequence[PlanEntry], cannot_note: UserFacingError | None) -> str:
    """The line above the rows: how much is left, and whether states can be noted here."""
    todo = [e for e in entries if e.in_plan]
    done = len(entries) - len(todo)
    if not entries:
        text = "Every channel is connected and none expires within 30 days."
    else:
        channels = sum(len(e.fields.get("channels", ())) for e in todo)
        consents = "1 consent" if len(todo) == 1 else f"{len(todo)} consents"
        text = (
            f"{consents} for {channels} channels, one per seller and region, in this order."
            if todo
            else "Nothing left to do."
        )
        if done:
            text += f" Done today: {done}."
        if cannot_note is None:  # a review's states are the exporter's: kept there, not here
            text += " Each consent's state is kept, also after SP Connect restarts."
    if cannot_note is not None:
        text += f" {cannot_note.message}"
    return text
