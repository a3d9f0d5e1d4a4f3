"""The simulator's view of HTTP: a parsed request in, a response (or a dropped connection) out.

Kept apart from :mod:`http.server` so that the Amazon behaviour (:mod:`.consent`,
:mod:`.token_endpoint`, :mod:`.sellers_api`) reads as plain functions.

Amazon's error shape and its page headers follow its archived SP-API developer guide ("the
developer guide" below),
https://github.com/amzn/selling-partner-api-docs/blob/c2888de06b0ad6961a7c95560cfddebd36ac530f/guides/en-US/developer-guide/SellingPartnerApiDeveloperGuide.md
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from core.domain.marketplaces import Region


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request. ``headers`` has lower-case names; ``query`` keeps the first values.

    ``region`` is the region whose endpoint the request came to, when the simulator serves
    regional hosts (``None``: the main address, which answers for every region).
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    region: Region | None = None

    def form(self) -> dict[str, str]:
        """The body as form fields (``application/x-www-form-urlencoded``) or a JSON object."""
        content_type = self.headers.get("content-type", "").split(";")[0].strip().lower()
        text = self.body.decode("utf-8", errors="replace")
        if content_type == "application/json":
            try:
                data = json.loads(text)
            except ValueError:
                return {}
            if not isinstance(data, dict):
                return {}
            return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}
        fields: dict[str, str] = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            fields.setdefault(name, value)
        return fields


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer; ``drop`` closes the connection without answering at all.

    Fault answers only: ``padding`` bytes of spaces follow ``body``, made as they are sent;
    ``trickle_s`` sends the body (with ``trickle_head``, the status line and headers too) one
    byte at a time with that wait before each; without
    ``declare_length`` there is no ``Content-Length`` and the body ends when the connection
    closes.
    """

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    padding: int = 0
    trickle_s: float = 0.0
    declare_length: bool = True
    trickle_head: bool = False


DROP = Response(0, drop=True)


def request_id() -> str:
    return str(uuid.uuid4())


def json_response(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    base = (("Content-Type", "application/json;charset=UTF-8"),)
    return Response(status, body, base + headers)


def sp_api_error(
    status: int,
    code: str,
    message: str,
    details: str = "",
    error_type: str = "",
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """The SP-API error shape, with ``x-amzn-RequestId`` and ``ErrorType``.

    As in the developer guide, "Response format" (see the module docstring).
    """
    extra = (("x-amzn-RequestId", request_id()), ("x-amzn-ErrorType", error_type or code))
    payload = {"errors": [{"code": code, "message": message, "details": details}]}
    return json_response(status, payload, extra + headers)


_PAGE_HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    # OAuth values travel in query strings: Amazon asks for no-referrer (the developer guide,
    # "Website authorization workflow", Step 1).
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)


def html_response(status: int, page: str) -> Response:
    return Response(status, page.encode("utf-8"), _PAGE_HEADERS)


def redirect(location: str) -> Response:
    return Response(
        302,
        b"",
        (("Location", location), ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store")),
    )


def text_response(status: int, text: str) -> Response:
    return Response(status, text.encode(), (("Content-Type", "text/plain; charset=utf-8"),))
