"""The :class:`Secret` wrapper: a secret value in memory that cannot print, pickle or hash.

Secrets (refresh tokens, the LWA client secret, MWS Authorization Tokens) live in three places
only: the OS keychain, memory (as :class:`Secret`), and the wire to Amazon.
"""

from __future__ import annotations

import hmac
from typing import NoReturn

from core.domain.redaction import KNOWN

MASK = "••••••••"


class Secret:
    """A secret value that never shows itself in ``repr``, ``str``, f-strings or logs.

    Read the value with :meth:`reveal`, only where it goes to Amazon or the keychain.
    """

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret holds text")
        self.__value = value
        KNOWN.remember(value)  # so the log and a support bundle can take it out if it leaks

    def reveal(self) -> str:
        return self.__value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self.__value.encode(), other.__value.encode())

    def __hash__(self) -> int:
        raise TypeError("Secret is not hashable")

    def __bool__(self) -> bool:
        return bool(self.__value)

    def __len__(self) -> int:
        return len(self.__value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret cannot be pickled or copied to disk")

    def masked(self, visible: int = 4) -> str:
        """A hint for the screen: the last few characters of a long value, never the rest."""
        if len(self.__value) < 16:
            return MASK
        return MASK + self.__value[-visible:]
