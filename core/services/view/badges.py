"""What badges a row shows: text, tone and the sentence its tooltip says. No Qt here.

A badge always carries its text; the tone only picks a colour (and is never the only cue). The
channel badges come straight from :mod:`core.domain.status`; company rows summarise their channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.domain.status import ApiBadge, ChannelStatus, Severity
from core.services.view.nodes import CompanyRow


class Tone(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class Badge:
    text: str
    tone: Tone
    detail: str = ""


_SEVERITY_TONE = {
    Severity.ERROR: Tone.ERROR,
    Severity.WARNING: Tone.WARNING,
    Severity.INFO: Tone.INFO,
    Severity.OK: Tone.OK,
}

_API: dict[ApiBadge, tuple[Tone, str]] = {
    ApiBadge.MWS: (
        Tone.ERROR,
        "Only old MWS credentials are on record, and Amazon has retired MWS. Reauthorize this "
        "channel so it uses the Selling Partner API.",
    ),
    ApiBadge.HYBRID: (
        Tone.OK,
        "Connected through Amazon's Selling Partner API. The old MWS credentials are also on "
        "record.",
    ),
    ApiBadge.SP_API: (Tone.OK, "Connected through Amazon's Selling Partner API."),
    ApiBadge.NOT_CONNECTED: (
        Tone.WARNING,
        "This channel has no authorization yet. Reauthorize it to connect it to Amazon.",
    ),
}


def channel_badges(status: ChannelStatus) -> tuple[Badge, ...]:
    """The API badge, then the health overlays, most urgent first."""
    tone, detail = _API[status.api]
    badges = [Badge(status.api.value, tone, detail)]
    for health in status.health:
        badges.append(Badge(health.text, _SEVERITY_TONE[health.severity], health.detail))
    return tuple(badges)


def company_badges(row: CompanyRow) -> tuple[Badge, ...]:
    """A company's own state (unified, unsaved) and a summary of its channels."""
    badges: list[Badge] = []
    name = row.company.name
    parent_name = row.parent.company.name if row.parent is not None else None
    if parent_name is not None:
        badges.append(
            Badge(
                "Unified",
                Tone.NEUTRAL,
                f"{name} is a unified child of {parent_name}: its Amazon connections are "
                f"authorized through {parent_name}. Reauthorize {parent_name}, not this company.",
            )
        )
    if row.pending:
        badges.append(
            Badge(
                "Unsaved",
                Tone.INFO,
                "This company has a change that is not saved yet. Click Save to keep it, or "
                "Revert to drop it.",
            )
        )
    total = len(row.channels)
    attention = row.attention()
    if total == 0:
        badges.append(Badge("No channels", Tone.NEUTRAL, f"{name} has no Amazon channels yet."))
    elif attention:
        tone = _SEVERITY_TONE[row.worst()]
        verb = "needs" if attention == 1 else "need"
        badges.append(
            Badge(
                f"{attention} {verb} attention",
                tone,
                f"{attention} of {name}'s {total} channels {verb} attention: open the company "
                "to see which and why.",
            )
        )
    else:
        badges.append(Badge("All fine", Tone.OK, f"All of {name}'s channels are fine."))
    return tuple(badges)
