"""Taking secret values out of text that leaves memory: log lines, support bundles, crash reports.

Two nets, because either alone misses something:

- **Shapes.** Whatever looks like an LWA token (``Atza|`` access, ``Atzr|`` refresh, also
  URL-encoded as ``Atzr%7C``), an LWA client secret (``amzn1.oa2-cs.v1.``), an MWS
  Authorization Token (``amzn.mws.<uuid>``) or the value of a secret-named field
  (``refresh_token=``, ``"client_secret": "…"``, ``spapi_oauth_code=``) or an HTTP
  ``Authorization: Bearer …`` header is replaced, even a value
  this process never held (pasted into a message, echoed by a server). The prefixes are Amazon's:
  https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api (tokens) and
  https://developer-docs.amazon.com/sp-api/docs/rotate-your-apps-client-secret (client secrets).
- **Known values.** Every :class:`~core.domain.secret.Secret` made in this process is remembered
  here, so a secret of no known shape (a client secret in an older format, a token in a test) is
  replaced too. Only a salted hash of each value's first characters and a digest of the whole
  value are kept: the register itself holds no secret text, and a core dump of it shows none.

Values shorter than :data:`MIN_KNOWN_LENGTH` are not remembered: a real credential is far longer,
and a two-letter "secret" would blank out every word that contains it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading

#: What a removed value becomes (never the value's length or any of its characters).
REDACTED = "[redacted]"

#: Shorter values are not remembered (see the module's docstring).
MIN_KNOWN_LENGTH = 12

# One pattern per shape; the value part is greedy over the characters such values are made of.
_TOKEN = r"Atz[ar](?:\||%7[Cc])[A-Za-z0-9\-_+/=.%]+"  # noqa: S105 - a pattern
_CLIENT_SECRET = r"amzn1\.oa2-cs\.v\d+\.[A-Za-z0-9\-_.]+"  # noqa: S105 - a pattern
_MWS_TOKEN = r"amzn\.mws\.[0-9A-Za-z\-]+"  # noqa: S105 - a pattern
_SHAPES = re.compile(f"{_TOKEN}|{_CLIENT_SECRET}|{_MWS_TOKEN}")

# A secret-named field in a query string, a form, a header-like line or JSON. The name is kept so
# the line still says what was there.
_SECRET_FIELDS = "|".join(
    [
        "refresh_token",
        "access_token",
        "client_secret",
        "spapi_oauth_code",
        "mws_auth_token",
        "x-amz-access-token",
        "password",
    ]
)
_FIELD = re.compile(
    rf"""(?ix)
    (?P<name>["']?\b(?:{_SECRET_FIELDS})\b["']?)   # the field's name, maybe quoted
    (?P<sep>\s*[=:]\s*)                            # = in a query, : in JSON or a header
    (?P<quote>["']?)
    (?P<value>(?:bearer\s+)?[^\s"'&,;}}]+)
    """
)


# An HTTP Authorization header's credentials. Only with its scheme: "authorization: expired" in
# a message is about a seller's authorization, not a header.
_AUTH_HEADER = re.compile(
    r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic)\s+)[^\s\"'&,;}]+"
)

# The authorization code of a form or query (``grant_type=authorization_code&code=…``). Only after
# ``?`` or ``&``: a bare "code:" in a message is an exit or status code, not a secret.
_QUERY_CODE = re.compile(r"(?<=[?&])code=[^&\s\"']+")


def redact_shapes(text: str) -> str:
    """``text`` with every secret-shaped value and secret-named field's value replaced."""
    text = _SHAPES.sub(REDACTED, text)
    text = _QUERY_CODE.sub(f"code={REDACTED}", text)
    text = _AUTH_HEADER.sub(rf"\g<1>{REDACTED}", text)
    return _FIELD.sub(_field_replacement, text)


def _field_replacement(match: re.Match[str]) -> str:
    if match.group("value") == REDACTED:
        return match.group(0)
    return f"{match.group('name')}{match.group('sep')}{match.group('quote')}{REDACTED}"


class KnownValues:
    """Secret values this process has held, remembered as hashes only (thread-safe).

    Finding them in a text looks up every window of :data:`MIN_KNOWN_LENGTH` characters by its
    hash; only on such a hit is the whole candidate digested and compared. That keeps a
    log line's check to one dictionary lookup per character, however many secrets are known.
    """

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)
        self._lock = threading.Lock()
        # Python's (per-process salted) hash of the first MIN_KNOWN_LENGTH characters: cheap
        # enough for every window of a line -> ((length, keyed digest of the whole value), ...),
        # longest first. The tuples are replaced, never changed, so a reader needs no copy: it
        # reads the dict without the lock, which a dict lookup racing an insert allows under
        # CPython's GIL (copying the register for every log line cost a millisecond at 50,000).
        self._by_head: dict[int, tuple[tuple[int, bytes], ...]] = {}

    def remember(self, value: str) -> None:
        if len(value) < MIN_KNOWN_LENGTH:
            return
        head = hash(value[:MIN_KNOWN_LENGTH])
        entry = (len(value), self._digest(value))
        with self._lock:
            entries = self._by_head.get(head, ())
            if entry not in entries:
                self._by_head[head] = tuple(sorted((*entries, entry), reverse=True))

    def __len__(self) -> int:
        with self._lock:
            return sum(len(entries) for entries in self._by_head.values())

    def redact(self, text: str) -> str:
        """``text`` with every remembered value replaced (the longest one where two overlap)."""
        by_head = self._by_head
        if not by_head or len(text) < MIN_KNOWN_LENGTH:
            return text
        parts: list[str] = []
        start = i = 0
        last = len(text) - MIN_KNOWN_LENGTH
        while i <= last:
            entries = by_head.get(hash(text[i : i + MIN_KNOWN_LENGTH]))
            length = self._match(text, i, entries) if entries else 0
            if length:
                parts += (text[start:i], REDACTED)
                i = start = i + length
            else:
                i += 1
        if not parts:
            return text
        parts.append(text[start:])
        return "".join(parts)

    def _match(self, text: str, at: int, entries: tuple[tuple[int, bytes], ...]) -> int:
        for length, digest in entries:
            if at + length <= len(text) and self._digest(text[at : at + length]) == digest:
                return length
        return 0

    def _digest(self, value: str) -> bytes:
        return hashlib.blake2b(value.encode(), key=self._salt, digest_size=16).digest()


#: The process's register, filled by :class:`~core.domain.secret.Secret`.
KNOWN = KnownValues()


def redact(text: str) -> str:
    """``text`` with every known secret value and every secret-shaped value replaced."""
    return redact_shapes(KNOWN.redact(text))
