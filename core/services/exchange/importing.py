"""An import file as ONE pending change, checked in full before anything changes.

:func:`import_changes` checks every company, channel and authorization the file brings against
the inventory with the same rules as the forms (:mod:`core.domain.validation`), and either
returns problems (each with its line or JSON path and the fix; nothing changes: all or nothing)
or one :class:`Change` of kind ``import``, which the workspace keeps pending until Save and Undo
takes back. Which records are new, updated or duplicates: :mod:`.matching`.

Authorizations from a JSON export arrive without refresh tokens (an export never holds one).
They are imported as records (seller, region, dates, store name, previous versions), so the
plan, the expiry dates and the channels' links survive, but a channel using one is marked
*Needs reauthorization* with a message that says why: no channel pretends to be connected
without a token. MWS tokens and the client secret likewise stay behind; the app credentials are
imported only into an empty inventory (an inventory with its own app keeps it). An authorization
the inventory already has is left alone: it holds the real token.

The plan's states (support staff's notes) ride with the change and are written by its Save, in
the same transaction (:func:`core.storage.plan_progress.merge_progress`): each keeps the grant
id it was noted against, and ids are kept, so a state holds exactly as long as it did at the
exporter's (a consent saved since, here or there, ends it). A key that has a newer note here
keeps it. States alone are no change: an import that brings nothing else is "Nothing new".

So a round trip export -> import into an empty folder -> export keeps every record, id and
state; what differs is only what the missing secrets imply (``has_refresh_token`` and the like,
the badges, the plan's items); a second round trip from there is identical apart from
``exported_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.domain import marketplaces
from core.domain.changes import Change, Touched
from core.domain.errors import FieldError, ValidationError
from core.domain.history import HistoryKind
from core.domain.inventory import (
    NO_HEALTH,
    AppCredentials,
    AppStatus,
    Authorization,
    Channel,
    CheckResult,
    Company,
    Health,
    Inventory,
    new_id,
)
from core.domain.validation import check_channel, check_company, check_seller_id
from core.services.exchange.matching import CompanyPlan, plan_companies, spec_key
from core.services.exchange.specs import ChannelSpec, ParsedImport, Problem

#: The message of a channel whose imported authorization has no refresh token.
IMPORTED_UNCONNECTED = "Imported from a file without its refresh token: reauthorize to connect"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would do (``change``), or why it cannot (``problems``)."""

    problems: tuple[Problem, ...]
    change: Change | None = None
    warnings: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    companies_added: int = 0
    companies_updated: int = 0
    channels_added: int = 0
    channels_updated: int = 0
    authorizations_added: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One sentence: what would change, or that nothing would."""
        if self.problems:
            n = len(self.problems)
            return f"The file has {n} problem{'s' if n != 1 else ''}: nothing was imported."
        parts = [
            _count(self.companies_added, "company", "companies", "added"),
            _count(self.companies_updated, "company", "companies", "updated"),
            _count(self.channels_added, "channel", "channels", "added"),
            _count(self.channels_updated, "channel", "channels", "updated"),
            _count(self.authorizations_added, "authorization", "authorizations", "added"),
        ]
        done = [p for p in parts if p]
        if not done:
            return "Nothing new: the inventory already has everything in this file."
        return ", ".join(done) + "."


def _count(n: int, one: str, many: str, what: str) -> str:
    return f"{n} {one if n == 1 else many} {what}" if n else ""


def import_changes(parsed: ParsedImport, current: Inventory) -> ImportPlan:
    """Check ``parsed`` against ``current``; one pending change, or every problem."""
    # The records the readers could not take are missing here; checking the rest anyway
    # reports every problem of the file at once, not one round of corrections per kind.
    problems: list[Problem] = list(parsed.problems)
    warnings: list[Problem] = []
    companies = plan_companies(parsed, current, problems)
    _check_companies(companies, parsed.kind, problems)
    auths = _new_authorizations(parsed, current, problems, warnings)
    final_auths = {**current.authorizations, **auths}
    added, updated = _channels(parsed, current, companies, final_auths, set(auths), problems,
                               warnings)  # fmt: skip
    notes: list[str] = []
    app = _app(parsed, current, notes)
    if problems:
        return ImportPlan(_in_file_order(problems), warnings=tuple(warnings))
    plan = ImportPlan(
        (),
        None,
        tuple(warnings),
        tuple(notes),
        len(companies.added),
        len(companies.updated),
        len(added),
        len(updated),
        len(auths),
    )
    if not (companies.added or companies.updated or added or updated or auths or app):
        return plan
    company_changes = {**companies.added, **companies.updated}
    change = _change(companies.added, company_changes, auths, added, {**added, **updated}, app)
    return replace(plan, change=replace(change, progress=tuple(parsed.plan_notes.values())))


def _in_file_order(problems: list[Problem]) -> tuple[Problem, ...]:
    """CSV problems by line (a JSON file's come in the order of its sections already)."""

    def line(problem: Problem) -> int:
        words = problem.location.replace(",", " ").split()
        if len(words) > 1 and words[0] == "line" and words[1].isdigit():
            return int(words[1])
        return 0

    return tuple(sorted(problems, key=line))  # stable: a line's own problems keep their order


#: A rule's field name as the CSV's column is called (see :mod:`.read_csv`).
_CSV_COLUMNS = {"parent_id": "parent_company", "marketplace_id": "marketplace"}


def _where(location: str, kind: str, name: str) -> str:
    if kind == "json":
        return f"{location}.{name}"
    return f"{location}, {_CSV_COLUMNS.get(name, name)}"


def _field_problems(
    errors: list[FieldError],
    location: str,
    kind: str,
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    for error in errors:
        target = warnings if error.warning else problems
        target.append(Problem(_where(location, kind, error.field), error.message))


def _check_companies(plan: CompanyPlan, kind: str, problems: list[Problem]) -> None:
    children: dict[str, list[Company]] = {}
    for company in plan.final.values():
        if company.parent_id is not None:
            children.setdefault(company.parent_id, []).append(company)
    for company_id, company in {**plan.added, **plan.updated}.items():
        # The rules see only what they look at (the parent, the children): the same answers
        # as over the whole inventory, in time proportional to the file.
        view = {company_id: company}
        parent = plan.final.get(company.parent_id or "")
        if parent is not None:
            view[parent.id] = parent
        view.update((c.id, c) for c in children.get(company_id, ()))
        errors = check_company(company, Inventory(companies=view))
        _field_problems(errors, plan.where.get(company_id, "file"), kind, problems, [])


def _new_authorizations(
    parsed: ParsedImport, current: Inventory, problems: list[Problem], warnings: list[Problem]
) -> dict[str, Authorization]:
    new = {
        a.id: (where, a) for where, a in parsed.authorizations if a.id not in current.authorizations
    }
    known = set(current.authorizations) | set(new)
    for where, auth in new.values():
        _field_problems(check_seller_id(auth.seller_id), where, "json", problems, warnings)
        if auth.previous_id is not None and auth.previous_id not in known:
            problems.append(
                Problem(
                    f"{where}.previous_id",
                    "This names an authorization that is neither in the file nor in the "
                    "inventory. Export the file again.",
                )
            )
    return {i: a for i, (_, a) in new.items()}


def _channels(
    parsed: ParsedImport,
    current: Inventory,
    companies: CompanyPlan,
    auths: dict[str, Authorization],
    tokenless: set[str],
    problems: list[Problem],
    warnings: list[Problem],
) -> tuple[dict[str, Channel], dict[str, Channel]]:
    kind = parsed.kind
    moving = {s.id for s in parsed.channels if s.id in current.channels}
    taken: dict[tuple[str, str], str] = {
        (c.company_id, c.marketplace_id): "the inventory"
        for c in current.channels.values()
        if c.id not in moving
    }
    seen_ids: set[str] = set()
    added: dict[str, Channel] = {}
    updated: dict[str, Channel] = {}
    for spec in parsed.channels:
        key_of_company = spec_key(spec.company, spec.company_by_id)
        company_id = companies.by_key.get(key_of_company)
        if company_id is None and spec.company_by_id and spec.company in companies.final:
            company_id = spec.company  # a company the inventory has, not listed in the file
        if company_id is None:
            if kind == "json" and key_of_company not in companies.refused:
                problems.append(
                    Problem(
                        f"{spec.location}.company_id",
                        "This company is neither in the file nor in the inventory. Export the "
                        "file again.",
                    )
                )
            continue  # a CSV company that could not be resolved was reported already
        if spec.id is not None and spec.id in seen_ids:
            problems.append(
                Problem(_where(spec.location, kind, "channel_id"),
                        "This channel appears twice in the file. Remove one of the lines.")
            )  # fmt: skip
            continue
        if spec.id is not None:
            seen_ids.add(spec.id)
        key = (company_id, spec.marketplace_id)
        if key in taken:
            problems.append(_duplicate(spec, taken[key], kind, companies.final[company_id]))
            continue
        taken[key] = spec.location
        before = current.channels.get(spec.id or "")
        channel = _channel(spec, company_id, before, auths, tokenless, parsed, problems)
        if channel is None:
            continue
        view = Inventory(companies={company_id: companies.final[company_id]})
        _field_problems(check_channel(channel, view), spec.location, kind, problems, warnings)
        if before is None:
            added[channel.id] = channel
        elif channel != before:
            updated[channel.id] = channel
    return added, updated


def _duplicate(spec: ChannelSpec, first: str, kind: str, company: Company) -> Problem:
    where = _where(spec.location, kind, "marketplace" if kind == "csv" else "marketplace_id")
    label = marketplaces.get(spec.marketplace_id).label
    if first == "the inventory":
        fix = (
            "Remove this line, or import an export with its channel_id column to update that "
            "channel."
        )
        return Problem(where, f"{company.name} already has a channel in {label}. {fix}")
    return Problem(
        where,
        f"{first} already has a channel of {company.name} in {label}. Keep one of the lines.",
    )


def _channel(
    spec: ChannelSpec,
    company_id: str,
    before: Channel | None,
    auths: dict[str, Authorization],
    tokenless: set[str],
    parsed: ParsedImport,
    problems: list[Problem],
) -> Channel | None:
    kind, refused = parsed.kind, parsed.refused_authorizations
    if before is not None:
        status = spec.app_status if spec.app_status is not None else before.app_status
        status_at = spec.app_status_checked_at if kind == "json" else before.app_status_checked_at
        if kind == "csv" and status is not before.app_status:
            status_at = None  # the date belongs to the status seen (core.domain.changes)
        merchant = spec.mws_merchant_token
        if kind == "csv" and merchant is None:
            merchant = before.mws_merchant_token
        return replace(
            before,
            company_id=company_id,
            marketplace_id=spec.marketplace_id,
            name=spec.name,
            seller_id=spec.seller_id,
            app_status=status,
            app_status_checked_at=status_at,
            mws_merchant_token=merchant,
        )
    auth_id = spec.authorization_id
    health = spec.health or NO_HEALTH
    if auth_id is not None:
        auth = auths.get(auth_id)
        region = marketplaces.get(spec.marketplace_id).region
        if auth is None and auth_id in refused:
            return None  # the authorization's own problem is reported already
        if auth is None or auth.region is not region:
            what = "is not in the file" if auth is None else "is for another region"
            problems.append(
                Problem(
                    f"{spec.location}.authorization_id",
                    f"This channel's authorization {what}. Export the file again.",
                )
            )
            return None
        if auth_id in tokenless:
            result = CheckResult.NEEDS_REAUTHORIZATION
            message = IMPORTED_UNCONNECTED
            health = Health(health.checked_at, result, None, message, health.last_ok_at)
    return Channel(
        id=spec.id or new_id(),
        company_id=company_id,
        marketplace_id=spec.marketplace_id,
        name=spec.name,
        seller_id=spec.seller_id,
        authorization_id=auth_id,
        mws_merchant_token=spec.mws_merchant_token,
        app_status=spec.app_status or AppStatus.UNKNOWN,
        health=health,
        app_status_checked_at=spec.app_status_checked_at,
    )


def _app(parsed: ParsedImport, current: Inventory, notes: list[str]) -> AppCredentials | None:
    if parsed.app is None or parsed.app == current.app:
        return None
    if current.companies or current.channels or current.app != AppCredentials():
        notes.append(
            "The app credentials in the file were not imported: this inventory has its own "
            "(see Amazon > App credentials)."
        )
        return None
    notes.append("The app credentials were imported without the client secret: enter it in "
                 "Amazon > App credentials.")  # fmt: skip
    return parsed.app


def _change(
    new_companies: dict[str, Company],
    companies: dict[str, Company],
    auths: dict[str, Authorization],
    new_channels: dict[str, Channel],
    channels: dict[str, Channel],
    app: AppCredentials | None,
) -> Change:
    def apply(inv: Inventory) -> Touched:
        # Checked against the state it is applied to: an edit made since the preview (or an
        # Undo replaying changes) must not be overwritten by stale records.
        clash = (
            any(i in inv.companies for i in new_companies)
            or any(i in inv.channels for i in new_channels)
            or any(i in inv.authorizations for i in auths)
            or any(i not in inv.channels for i in channels if i not in new_channels)
        )
        if clash:
            raise ValidationError(
                [FieldError("inventory", "The inventory changed since the file was checked.")],
                "The import",
            )
        inv.companies.update(companies)
        inv.authorizations.update(auths)
        inv.channels.update(channels)
        if app is not None:
            inv.app = app
        return Touched(
            companies=set(companies),
            channels=set(channels),
            authorizations=set(auths),
            app=app is not None,
            structure=True,
        )

    return Change("Import", apply, (), HistoryKind.IMPORT)
