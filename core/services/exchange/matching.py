"""Which records of an import file are new, which update the inventory, which clash.

The rules, and why:

* A record with an **id the inventory has** (our own JSON export, or our CSV export's
  ``channel_id``/``company_id`` columns) is that record: its name, Seller ID, parent, app status
  and Merchant Token are updated when they differ. So re-importing an export into the inventory
  it came from says "nothing new", or updates what was edited in the file, never duplicates.
  An import never changes a channel's authorization, health or secrets: those come from Amazon.
* A record with an **id the inventory lacks** is added under that id (a first import of an
  export keeps its ids, so its authorizations, history and plan still line up).
* A CSV row **without ids** names its company by name (same name, ignoring case, is the same
  company; two companies with that name in the inventory is a problem: which one?). Its channel
  is new; if the company already has a channel in that marketplace it is a **duplicate**,
  reported, never merged: to update it, import a file with the ``channel_id`` column.
* The same company and marketplace twice in the file is a duplicate too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain.inventory import Company, Inventory, new_id
from core.services.exchange.specs import CompanySpec, ParsedImport, Problem


@dataclass(slots=True)
class CompanyPlan:
    """The companies after the import (``final``), and what changed."""

    final: dict[str, Company]
    added: dict[str, Company] = field(default_factory=dict)
    updated: dict[str, Company] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)  # a spec's key -> company id
    where: dict[str, str] = field(default_factory=dict)  # company id -> first location
    refused: set[str] = field(default_factory=set)  # keys of companies with a problem


def spec_key(spec_company: str, by_id: bool) -> str:
    return f"id:{spec_company}" if by_id else f"name:{spec_company.casefold()}"


def plan_companies(
    parsed: ParsedImport, current: Inventory, problems: list[Problem]
) -> CompanyPlan:
    """Resolve every company the file names to an id; collect adds and updates."""
    plan = CompanyPlan(dict(current.companies))
    names: dict[str, list[str]] = {}
    for company in current.companies.values():
        names.setdefault(company.name.strip().casefold(), []).append(company.id)
    parents: dict[str, CompanySpec] = {}
    for spec in parsed.companies:
        key = spec_key(spec.id, True) if spec.id else spec_key(spec.name.strip(), False)
        if key in plan.by_key:
            _same_parent(spec, parents, problems)
            continue
        company_id = _resolve(spec, parsed.kind, current, names, problems)
        if company_id is None:
            plan.refused.add(key)
            continue
        plan.by_key[key] = company_id
        # A CSV row with an id is also reachable by its name, for parent_company.
        plan.by_key.setdefault(spec_key(spec.name.strip(), False), company_id)
        plan.where.setdefault(company_id, spec.location)
        parents[key] = spec
        before = current.companies.get(company_id)
        notes = spec.notes if spec.notes is not None else (before.notes if before else "")
        if parsed.kind == "json":
            company = Company(company_id, spec.name, spec.parent_id, notes)
        else:  # the parent comes by name, below
            parent = before.parent_id if before else None
            company = Company(company_id, spec.name.strip(), parent, notes)
        if before is None:
            plan.added[company_id] = company
        elif company != before:
            plan.updated[company_id] = company
        plan.final[company_id] = company
    if parsed.kind == "csv":
        _csv_parents(parsed, plan, names, problems)
    return plan


def _resolve(
    spec: CompanySpec,
    kind: str,
    current: Inventory,
    names: dict[str, list[str]],
    problems: list[Problem],
) -> str | None:
    if spec.id is not None and spec.id in current.companies:
        return spec.id
    same = names.get(spec.name.strip().casefold(), [])
    if spec.id is not None and kind == "json":
        if same:
            problems.append(
                Problem(
                    f"{spec.location}.name",
                    f"The inventory already has another company named {spec.name.strip()}. "
                    "Rename one of them (in the file or in SP Connect), then import again.",
                )
            )
            return None
        return spec.id
    if spec.id is not None and not same:
        return spec.id  # a CSV export of another inventory: keep its ids
    if len(same) > 1:
        problems.append(
            Problem(
                f"{spec.location}, company",
                f"The inventory has {len(same)} companies named {spec.name.strip()}: add the "
                "company_id column (from an export) to say which one.",
            )
        )
        return None
    return same[0] if same else new_id()


def _same_parent(spec: CompanySpec, seen: dict[str, CompanySpec], problems: list[Problem]) -> None:
    key = spec_key(spec.id, True) if spec.id else spec_key(spec.name.strip(), False)
    first = seen.get(key)
    if first is None or spec.parent_name is None or first.parent_name is None:
        return
    if first.parent_name.casefold() != spec.parent_name.casefold():
        problems.append(
            Problem(
                f"{spec.location}, parent_company",
                f"{first.location} gives {spec.name} another parent company "
                f"({first.parent_name}). Give every line of a company the same parent.",
            )
        )


def _csv_parents(
    parsed: ParsedImport, plan: CompanyPlan, names: dict[str, list[str]], problems: list[Problem]
) -> None:
    """A CSV names parents by name: the company of another line, or one in the inventory."""
    done: set[str] = set()
    for spec in parsed.companies:
        key = spec_key(spec.id, True) if spec.id else spec_key(spec.name.strip(), False)
        company_id = plan.by_key.get(key)
        if company_id is None or company_id in done or spec.parent_name is None:
            continue
        done.add(company_id)
        parent_id = plan.by_key.get(spec_key(spec.parent_name, False))
        if parent_id is None:
            known = names.get(spec.parent_name.casefold(), [])
            parent_id = known[0] if len(known) == 1 else None
        if parent_id is None:
            problems.append(
                Problem(
                    f"{spec.location}, parent_company",
                    f"There is no company named {spec.parent_name} in the file or the "
                    "inventory. Correct the name, or add a line for that company.",
                )
            )
            continue
        company = plan.final[company_id]
        if company.parent_id == parent_id:
            continue
        company = Company(company.id, company.name, parent_id, company.notes)
        plan.final[company_id] = company
        if company_id in plan.added:
            plan.added[company_id] = company
        else:
            plan.updated[company_id] = company
