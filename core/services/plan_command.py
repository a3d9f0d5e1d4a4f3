"""``main.py plan [--json]``: the reauthorization plan with support staff's states.

The same checklist as the window's Reauthorization plan (:mod:`core.services.plan_view`). The
plan reads no secret and talks to no Amazon: it never wakes the keychain, never takes the
inventory's lock (it works while the window is open) and starts no simulator.

Exit codes: 0 the plan was printed (whatever it says), 1 it could not be read (the error and
its next step on stderr; with ``--json`` also as one JSON object on stdout).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO

from core.domain import dates
from core.domain.errors import UserFacingError
from core.domain.plan_progress import PlanEntry, PlanState, marketplace_words
from core.services.plan_view import PlanProgress
from core.services.workspace import Workspace

#: ``format`` of the JSON; ``version`` is bumped when a field changes meaning or goes away.
JSON_FORMAT = "spconnect-plan"
JSON_VERSION = 1

PRINTED, FAILED = 0, 1


def run_plan(
    *,
    data_dir: str | None,
    demo: bool,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    now: datetime | None = None,
) -> int:
    """Open the inventory read-only, print its plan; the exit code (see the module)."""
    from core.services.demo import open_demo
    from core.services.opening import open_workspace

    try:
        workspace = (
            open_demo(amazon=False)
            if demo
            else open_workspace(data_dir, read_only=True, keychain=False)
        )
    except UserFacingError as exc:
        return _failed(exc, as_json=as_json, out=out, err=err)
    try:
        progress = PlanProgress(workspace)
        progress.load()
        when = now or progress.clock()
        entries = progress.entries(when)
        if as_json:
            json.dump(plan_json(workspace, entries, when), out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            print_plan(workspace, entries, when, out)
    except UserFacingError as exc:
        return _failed(exc, as_json=as_json, out=out, err=err)
    finally:
        workspace.close()
    return PRINTED


def _where(workspace: Workspace) -> str:
    return "the demo inventory" if workspace.demo else str(workspace.data_file)


def plan_json(workspace: Workspace, entries: list[PlanEntry], now: datetime) -> dict[str, Any]:
    """One object: the inventory, when, and the items (in the plan first, then done today)."""
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "generated_at": now.isoformat(),
        "inventory": _where(workspace),
        "items": [e.as_json() for e in entries],
    }


def print_plan(workspace: Workspace, entries: list[PlanEntry], now: datetime, out: TextIO) -> None:
    """The plan in words: each consent, where to sign in, which account, its channels, state."""
    where = _where(workspace)
    todo = [e for e in entries if e.in_plan]
    done = [e for e in entries if not e.in_plan]
    if not todo:
        print(f"Nothing to reauthorize in {where}: every channel is connected and none", file=out)
        print("expires within 30 days.", file=out)
    else:
        count = sum(len(e.fields["channels"]) for e in todo)
        consents = "1 consent" if len(todo) == 1 else f"{len(todo)} consents"
        print(f"Reauthorization plan for {where}: {consents} for {count} channels.", file=out)
        for number, entry in enumerate(todo, 1):
            _print_entry(f"{number}. ", entry, now, out)
    if done:
        print("\nDone today:", file=out)
        for entry in done:
            _print_entry("- ", entry, now, out)


def state_short(entry: PlanEntry, now: datetime) -> str:
    """``Link sent, 10 minutes ago``, ``To do``: the state and how long it has been."""
    text = entry.state.words
    if entry.state_changed_at is not None and entry.state is not PlanState.TO_DO:
        ago = dates.ago(entry.state_changed_at, now)
        text += f", {ago[:1].lower()}{ago[1:]}"
    return text


def state_words(entry: PlanEntry, now: datetime) -> str:
    """:func:`state_short` and the reason: ``Failed, just now: Wrong account ...``."""
    text = state_short(entry, now)
    return f"{text}: {entry.reason}" if entry.reason else text


def _print_entry(prefix: str, entry: PlanEntry, now: datetime, out: TextIO) -> None:
    fields = entry.fields
    print(f"\n{prefix}{entry.title}", file=out)
    print(f"   State: {state_words(entry, now)}", file=out)
    print(f"   Sign in at: {fields['seller_central_url']}", file=out)
    print(f"   {fields['account_hint']}", file=out)
    if entry.in_plan:
        print(f"   Marketplaces: {marketplace_words(fields)}", file=out)
    print("   Channels:", file=out)
    for channel in fields["channels"]:
        owner = f" ({channel['company']})" if channel["company"] else ""
        print(f"     - {channel['name']}{owner}: {channel['reason']}", file=out)


def _failed(exc: UserFacingError, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    if as_json:
        json.dump({"error": exc.message, "next_step": exc.next_step}, out, ensure_ascii=False)
        out.write("\n")
    print(f"error: {exc.message}", file=err)
    if exc.next_step:
        print(exc.next_step, file=err)
    return FAILED
