"""The consent session: getting a new Amazon authorization, as a person does it.

* :mod:`core.services.consent.session`: :class:`~core.services.consent.session.ConsentSession`
  (listener, link, finishing, coverage, applying) and the result types a GUI needs;
* :mod:`core.services.consent.identity`: whether a grant is the expected seller's, or the
  person must confirm it first (Amazon's answer names the account only as a claim);
* :mod:`core.services.consent.coverage`: which channels a grant covers, and the pending change;
* :mod:`core.services.consent.texts`: what the reauthorize dialog says, in plain words.

ARCHITECTURE.md, "Consent", describes the flow and the order of its checks.

This top level names only the attempt types, and stays light on purpose: the main window
imports it for its registry of attempts before its first paint, and the session's modules bring
the HTTP clients with them.
"""

from core.amazon.attempts import ATTEMPT_LIFETIME, ConsentAttempts, ConsentTarget

__all__ = ["ATTEMPT_LIFETIME", "ConsentAttempts", "ConsentTarget"]
