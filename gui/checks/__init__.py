"""Test connection in the window: a progress window with Cancel, and the function that starts a
run (:func:`start_connection_test`). The run itself is :mod:`core.services.checks`."""

from gui.checks.progress import ProgressWindow
from gui.checks.start import start_connection_test

__all__ = ["ProgressWindow", "start_connection_test"]
