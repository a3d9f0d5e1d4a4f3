"""What an import file says, before it is checked against an inventory.

Both readers (:mod:`.read_json`, :mod:`.read_csv`) produce these: a company or a channel with
where it came from (``location``: ``line 4`` of a CSV, ``channels[3]`` of a JSON file), so
every problem found later can say where to look. A :class:`Problem`'s ``message`` says what is
wrong and how to fix it, in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.inventory import AppCredentials, AppStatus, Authorization, Health
from core.domain.plan_progress import Progress

#: A field longer than this is refused: no name, id or note needs it, and a huge one is a
#: broken file (or a file that is not an inventory at all).
MAX_FIELD = 1000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file: where (``line 4, marketplace``) and what to do."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class CompanySpec:
    """A company named by the file: by ``id`` (JSON, or a CSV with ids) or by its name."""

    location: str
    name: str
    id: str | None = None
    parent_id: str | None = None
    parent_name: str | None = None  # a CSV names the parent company instead of its id
    notes: str | None = None  # None: a CSV says nothing about notes


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel named by the file; ``company`` is the id (``by_id``) or name of its company."""

    location: str
    company: str
    company_by_id: bool
    marketplace_id: str
    seller_id: str | None
    name: str
    id: str | None = None
    app_status: AppStatus | None = None
    app_status_checked_at: datetime | None = None
    mws_merchant_token: str | None = None
    authorization_id: str | None = None
    health: Health | None = None  # JSON only: what the last check found


@dataclass(slots=True)
class ParsedImport:
    """A file read and checked on its own; :func:`.importing.import_changes` checks the rest.

    ``kind`` is ``json`` or ``csv``. From a JSON export also: its ``authorizations`` (no token:
    exports never hold one), the ``app`` (no client secret), when it was exported and its label,
    and which records had a secret at the source (for review mode to show).
    """

    kind: str
    problems: list[Problem] = field(default_factory=list)
    companies: list[CompanySpec] = field(default_factory=list)
    channels: list[ChannelSpec] = field(default_factory=list)
    authorizations: list[tuple[str, Authorization]] = field(default_factory=list)
    app: AppCredentials | None = None
    exported_at: datetime | None = None
    label: str = ""
    had_refresh_token: frozenset[str] = frozenset()
    had_mws_auth_token: frozenset[str] = frozenset()
    had_client_secret: bool = False
    #: Authorizations the reader refused (reported once; channels using them say no more).
    refused_authorizations: set[str] = field(default_factory=set)
    #: Support staff's plan states from a JSON export, by item key (:mod:`.read_json`).
    plan_notes: dict[str, Progress] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems
