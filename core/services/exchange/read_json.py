"""Reading our JSON export (``spconnect-inventory``) into :class:`ParsedImport`.

Every field is type-checked and every problem located by its JSON path
(``channels[3].marketplace_id``). Authorizations come without a refresh token and the app
without its client secret: exports never hold one (see :mod:`.importing` for what that means).
Derived fields (``badge``, ``plan``, ``country_code``, ``region`` of a channel) are read by
review mode, not imported: the importer derives them again from the records. Of the ``plan``
only support staff's states are read (``parsed.plan_notes``, by item key): review mode shows
them and an import carries them (:mod:`.importing`). An item without a noted state (an older
export, or ``state_changed_at`` null) is *to do*, as before.
"""

from __future__ import annotations

import json
from typing import Any

from core.domain import marketplaces
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    AppStatus,
    Authorization,
    AuthSource,
    CheckResult,
    Health,
)
from core.domain.marketplaces import EndpointProfile, Region
from core.domain.plan_progress import PlanState, Progress
from core.services.exchange.export_json import FORMAT, VERSION
from core.services.exchange.fields import Fields, short
from core.services.exchange.specs import ChannelSpec, CompanySpec, ParsedImport, Problem

_AGAIN = "Export the file again from SP Connect."


def parse_json(text: str) -> ParsedImport:
    """Read an export; the result's ``problems`` say what is wrong, each with its JSON path."""
    parsed = ParsedImport("json")
    problems = parsed.problems
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                f"line {exc.lineno}, column {exc.colno}",
                f"This is not valid JSON ({exc.msg}). {_AGAIN}",
            )
        )
        return parsed
    except RecursionError:
        problems.append(Problem("file", f"The file is nested too deeply to be an export. {_AGAIN}"))
        return parsed
    top = Fields(document, "file", problems)
    if not top.valid:
        return parsed
    if top.obj.get("format") != FORMAT:
        top.problem("format", f'This is not an SP Connect export (format "{FORMAT}"). {_AGAIN}')
        return parsed
    version = top.obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        top.problem("version", f"The version must be a whole number. {_AGAIN}")
        return parsed
    if version > VERSION:
        top.problem(
            "version",
            f"This file was written by a newer SP Connect (format version {version}). "
            "Update SP Connect, then import it.",
        )
        return parsed
    parsed.exported_at = top.date("exported_at")
    label = Fields(top.obj.get("inventory", {}), "inventory", problems)
    parsed.label = label.text("title", optional=True) or ""
    _companies(parsed, _list(top, "companies"))
    _channels(parsed, _list(top, "channels"))
    _authorizations(parsed, _list(top, "authorizations"))
    if top.obj.get("app") is not None:
        _app(parsed, Fields(top.obj["app"], "app", problems))
    _plan_states(parsed, _list(top, "plan"))
    return parsed


def _list(top: Fields, key: str) -> list[Any]:
    value = top.obj.get(key, [])
    if not isinstance(value, list):
        top.problem(key, f"This must be a list ([...]). {_AGAIN}")
        return []
    return value


def _unique(parsed: ParsedImport, f: Fields, seen: dict[str, str]) -> str | None:
    record_id = f.text("id")
    if record_id is None:
        return None
    if not record_id.strip():
        f.problem("id", f"The id is empty. {_AGAIN}")
        return None
    if record_id in seen:
        f.problem("id", f"The same id is already used at {seen[record_id]}: remove one of them.")
        return None
    seen[record_id] = f.path
    return record_id


def _companies(parsed: ParsedImport, items: list[Any]) -> None:
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        f = Fields(item, f"companies[{index}]", parsed.problems)
        if not f.valid:
            continue
        before = len(parsed.problems)
        company_id = _unique(parsed, f, seen)
        name = f.text("name")
        parent = f.text("parent_id", optional=True)
        notes = f.text("notes", optional=True, default="")
        if len(parsed.problems) == before and company_id is not None and name is not None:
            parsed.companies.append(
                CompanySpec(f.path, name, company_id, parent_id=parent, notes=notes or "")
            )


def _channels(parsed: ParsedImport, items: list[Any]) -> None:
    seen: dict[str, str] = {}
    had_mws: set[str] = set()
    for index, item in enumerate(items):
        f = Fields(item, f"channels[{index}]", parsed.problems)
        if not f.valid:
            continue
        before = len(parsed.problems)
        channel_id = _unique(parsed, f, seen)
        company_id = f.text("company_id")
        market = f.text("marketplace_id")
        if market is not None and market not in marketplaces.BY_ID:
            f.problem(
                "marketplace_id",
                f"'{short(market)}' is not an Amazon marketplace id SP Connect knows "
                "(for example ATVPDKIKX0DER for the United States). Correct it.",
            )
        seller = f.text("seller_id", optional=True)
        name = f.text("name", optional=True, default="") or ""
        status = f.choice("app_status", AppStatus) or AppStatus.UNKNOWN
        status_at = f.date("app_status_checked_at")
        merchant = f.text("mws_merchant_token", optional=True)
        auth_id = f.text("authorization_id", optional=True)
        health = _health(Fields(f.obj.get("health", {}), f.where("health"), parsed.problems))
        if f.boolean("has_mws_auth_token") and channel_id is not None:
            had_mws.add(channel_id)
        if len(parsed.problems) > before or channel_id is None or company_id is None:
            continue
        parsed.channels.append(
            ChannelSpec(
                f.path,
                company_id,
                True,
                market or "",
                seller,
                name,
                id=channel_id,
                app_status=status,
                app_status_checked_at=status_at,
                mws_merchant_token=merchant,
                authorization_id=auth_id,
                health=health,
            )
        )
    parsed.had_mws_auth_token = frozenset(had_mws)


def _health(f: Fields) -> Health:
    if not f.valid:
        return NO_HEALTH
    return Health(
        checked_at=f.date("last_check_at"),
        result=f.choice("result", CheckResult),
        failing_since=f.date("failing_since"),
        message=f.text("message", optional=True, default="") or "",
        last_ok_at=f.date("last_ok_at"),
    )


def _authorizations(parsed: ParsedImport, items: list[Any]) -> None:
    seen: dict[str, str] = {}
    had: set[str] = set()
    for index, item in enumerate(items):
        f = Fields(item, f"authorizations[{index}]", parsed.problems)
        if not f.valid:
            continue
        before = len(parsed.problems)
        auth_id = _unique(parsed, f, seen)
        seller = f.text("seller_id")
        region = f.choice("region", Region, optional=False)
        granted = f.date("granted_at", optional=False)
        expires = f.date("expires_at", optional=False)
        source = f.choice("source", AuthSource) or AuthSource.IMPORT
        markets = f.strings("marketplace_ids")
        unknown = [m for m in markets if m not in marketplaces.BY_ID]
        if unknown:
            f.problem(
                "marketplace_ids",
                f"'{short(unknown[0])}' is not an Amazon marketplace id. Correct it.",
            )
        confirmed = f.boolean("expiry_confirmed")
        store = f.text("store_name", optional=True, default="") or ""
        previous = f.text("previous_id", optional=True)
        if f.boolean("has_refresh_token") and auth_id is not None:
            had.add(auth_id)
        if len(parsed.problems) > before:
            if auth_id is not None:
                parsed.refused_authorizations.add(auth_id)
            continue
        if auth_id is None or seller is None or region is None:
            continue
        if granted is None or expires is None:
            continue
        parsed.authorizations.append(
            (
                f.path,
                Authorization(
                    id=auth_id,
                    seller_id=seller,
                    region=region,
                    granted_at=granted,
                    expires_at=expires,
                    source=source,
                    refresh_token_ref=None,
                    marketplace_ids=frozenset(markets),
                    expiry_confirmed=confirmed,
                    store_name=store,
                    previous_id=previous,
                ),
            )
        )
    parsed.had_refresh_token = frozenset(had)


def _app(parsed: ParsedImport, f: Fields) -> None:
    if not f.valid:
        return
    before = len(parsed.problems)
    app = AppCredentials(
        application_id=f.text("application_id", optional=True, default="") or "",
        lwa_client_id=f.text("lwa_client_id", optional=True, default="") or "",
        client_secret_ref=None,
        redirect_uri=f.text("redirect_uri", optional=True, default="") or "",
        draft=f.boolean("draft"),
        secret_issued_at=f.date("secret_issued_at"),
        endpoint_profile=f.choice("endpoint_profile", EndpointProfile) or EndpointProfile.AMAZON,
        endpoint_url=f.text("endpoint_url", optional=True, default="") or "",
    )
    parsed.had_client_secret = f.boolean("has_client_secret")
    if len(parsed.problems) == before:
        parsed.app = app


def _plan_states(parsed: ParsedImport, items: list[Any]) -> None:
    """Each plan item's noted state as a note (its generation is the file's grant id)."""
    for index, item in enumerate(items):
        f = Fields(item, f"plan[{index}]", parsed.problems)
        if not f.valid:
            continue
        before = len(parsed.problems)
        key = f.text("key", optional=True)
        state = f.choice("state", PlanState)
        changed = f.date("state_changed_at")
        reason = f.text("state_reason", optional=True, default="") or ""
        generation = f.text("state_authorization_id", optional=True, default="") or ""
        if len(parsed.problems) > before or not key or state is None or changed is None:
            continue
        parsed.plan_notes[key] = Progress(key, generation, state, changed, reason)
