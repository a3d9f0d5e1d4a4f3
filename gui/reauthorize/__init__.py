"""The Reauthorize dialog (DESIGN §3.1): a Qt face for :mod:`core.services.consent`.

``dialog`` is what it does, ``frame`` how it is laid out, ``pages`` the widgets of each page.
"""
