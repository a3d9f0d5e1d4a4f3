"""``README.txt``: what the bundle holds and how it was made, for the person and for support."""

from __future__ import annotations

from core.domain import dates
from core.domain.redaction import REDACTED
from core.services.exchange.isodates import iso
from core.services.review import review_source
from core.services.support_bundle.about import inventory_kind
from core.services.support_bundle.request import BundleRequest


def readme(request: BundleRequest, *, pending: int, log_lines: int) -> str:
    """The page, plain text, one idea per paragraph."""
    version = request.versions.app or "(version unknown)"
    made = dates.day_time(request.now)
    utc = iso(request.now.replace(microsecond=0))
    parts = [
        "SP Connect support bundle\n=========================",
        f"Made on {made} (your local time; {utc} in UTC) by SP Connect {version}, from "
        f"{request.made_by}.",
        "What is inside:\n" + "\n".join(_contents(request, log_lines)),
        _inventory_words(request, pending),
        "Secrets: every secret value was taken out before anything was written. Refresh and "
        "access tokens, the client secret, MWS Authorization Tokens, authorization codes, "
        f"and anything shaped like one, show as {REDACTED}. The export never holds a secret "
        "in the first place (only whether one is on record), and every file here was checked "
        "once more: SP Connect refuses to write a bundle in which it still finds one.",
        "What to do with it: Attach this file to your support ticket. It names your "
        "companies, Seller IDs and marketplaces, so send it only to your support contact.",
    ]
    return "\n\n".join(parts) + "\n"


def _contents(request: BundleRequest, log_lines: int) -> list[str]:
    rows = ["  README.txt       this page"]
    if request.workspace is not None:
        rows.append(
            "  inventory.json   your companies, channels and authorizations: the same JSON "
            "File > Export writes"
        )
    log = f"the last {log_lines:,} lines of SP Connect's log" if log_lines else "no log yet"
    rows.append(f"  log.txt          {log}")
    rows.append(
        "  about.json       versions, operating system, which keychain is used (its name "
        "only), how many companies and channels, the data and log folders"
    )
    return rows


def _inventory_words(request: BundleRequest, pending: int) -> str:
    workspace = request.workspace
    if workspace is None:
        reason = request.problem or "no inventory was open"
        return f"No inventory.json: {reason}. The log and about.json may show why."
    kind = inventory_kind(workspace)
    if kind == "review":
        source = review_source(workspace)
        name = source.path.name if source is not None else "a file"
        return (
            f"inventory.json is the file opened for review ({name}, read-only), as the window "
            "showed it. It has no unsaved changes: a review cannot change anything."
        )
    whose = "the demo's sample inventory" if kind == "demo" else "your inventory"
    if pending == 0:
        return f"inventory.json is {whose} as saved: there were no unsaved changes."
    changes = "1 unsaved change" if pending == 1 else f"{pending} unsaved changes"
    return (
        f"inventory.json is {whose} as the window showed it, including {changes} not saved "
        "yet: the channels they touch say Unsaved in their badge. Support sees what you saw."
    )
