"""The hand-off page's Content Security Policy allows exactly its own inline script and style.

The hashes are computed here from the page itself, so an edit of the script or the style that
does not update the policy fails this test (and, in a browser, the script would not run: the
real-Chromium tests in tests/integration/test_browser_handoff.py prove the policy lets it run).
"""

from __future__ import annotations

import base64
import hashlib
import re

from core.storage.resources import resource_path


def _page() -> str:
    return resource_path("handoff.html").read_text(encoding="utf-8")


def _policy(page: str) -> dict[str, list[str]]:
    found = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]*)"', page)
    assert found is not None, "the page has no Content-Security-Policy meta tag"
    policy: dict[str, list[str]] = {}
    for directive in found.group(1).split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def _hash(text: str) -> str:
    """The CSP source expression of an inline element's text (exactly its bytes, in UTF-8)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _inline(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)


def test_the_policy_allows_exactly_the_inline_script_by_its_hash() -> None:
    page = _page()
    scripts = _inline(page, "script")
    assert len(scripts) == 1
    assert _policy(page)["script-src"] == [_hash(scripts[0])]


def test_the_policy_allows_exactly_the_inline_style_by_its_hash() -> None:
    page = _page()
    styles = _inline(page, "style")
    assert len(styles) == 1
    assert _policy(page)["style-src"] == [_hash(styles[0])]


def test_nothing_else_is_allowed() -> None:
    page = _page()
    assert "unsafe-inline" not in page
    assert "unsafe-eval" not in page
    policy = _policy(page)
    assert policy["default-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    # A hash does not cover inline event handlers or style attributes: the page has none.
    assert not re.search(r"<[^>]+\s(on[a-z]+|style)=", page)


def test_no_fixed_port_fallback() -> None:
    """The port comes from ``state`` only: SP Connect never listens on a fixed port."""
    page = _page()
    assert "spconnect-port" not in page
    assert "meta[name=" not in page
