"""The one format of keychain entry names, written out apart from the code that builds them."""

from __future__ import annotations

import re

#: ``<namespace>/<kind>/<owner>/<version>``, each part non-empty and without a slash.
SECRET_REF = re.compile(
    r"(?P<namespace>[^/]+)/(?P<kind>refresh-token|mws-auth-token|client-secret)"
    r"/(?P<owner>[^/]+)/(?P<version>[^/]+)"
)


def ref_parts(ref: str | None) -> tuple[str, str, str]:
    """The namespace, kind and owner of a well-formed entry name; fails the test otherwise."""
    assert ref is not None, "no keychain entry name"
    match = SECRET_REF.fullmatch(ref)
    assert match is not None, f"not <namespace>/<kind>/<owner>/<version>: {ref}"
    return match["namespace"], match["kind"], match["owner"]
