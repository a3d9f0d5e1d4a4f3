"""Reading typed fields out of untrusted data, collecting a located problem for each misfit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from core.services.exchange.isodates import parse_iso
from core.services.exchange.specs import MAX_FIELD, Problem

E = TypeVar("E", bound=StrEnum)


class Fields:
    """The fields of one JSON object at ``path`` (``channels[3]``); problems go to ``problems``.

    Each getter returns ``None`` (or a default) after recording a problem, so a reader can go on
    and report every problem of the file at once.
    """

    def __init__(self, obj: object, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.valid = isinstance(obj, dict)
        self.obj: dict[str, Any] = obj if isinstance(obj, dict) else {}
        if not self.valid:
            self.problem("", "This must be an object ({...}). Export the file again.")

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if key else self.path

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.where(key), message))

    def text(self, key: str, *, optional: bool = False, default: str | None = None) -> str | None:
        value = self.obj.get(key)
        if value is None:
            if key not in self.obj and default is not None:
                return default
            if not optional:
                self.problem(key, "This field is missing. Add it, or export the file again.")
            return None
        if not isinstance(value, str):
            self.problem(key, "This must be text in quotes. Correct it, or export again.")
            return None
        if len(value) > MAX_FIELD:
            self.problem(key, f"This is longer than {MAX_FIELD} characters. Shorten it.")
            return None
        return value

    def date(self, key: str, *, optional: bool = True) -> datetime | None:
        text = self.text(key, optional=optional)
        if text is None:
            return None
        try:
            return parse_iso(text)
        except ValueError:
            self.problem(
                key,
                "This is not a date and time with a time zone (for example "
                "2026-12-03T09:30:00Z). Correct it.",
            )
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.obj.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, "This must be true or false. Correct it.")
            return default
        return value

    def choice(self, key: str, kind: type[E], *, optional: bool = True) -> E | None:
        text = self.text(key, optional=optional)
        if text is None:
            return None
        try:
            return kind(text)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            self.problem(key, f"'{_short(text)}' is not one of: {allowed}. Choose one of these.")
            return None

    def strings(self, key: str) -> list[str]:
        value = self.obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "This must be a list of texts. Correct it, or export again.")
            return []
        if any(len(v) > MAX_FIELD for v in value):
            self.problem(key, f"An entry is longer than {MAX_FIELD} characters. Shorten it.")
            return []
        return list(value)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short(text: str, limit: int = 40) -> str:
    """``text`` cut for quoting in a message (a file's values can be long)."""
    return _short(text, limit)
