"""The Reauthorize dialog: a Qt face for :mod:`core.services.consent` (ARCHITECTURE.md, "Consent").

``dialog`` is what it does, ``frame`` how it is laid out, ``pages`` the widgets of each page.
"""
