"""The History view of a channel or company: :mod:`gui.history.dialog`."""

from gui.history.dialog import HistoryDialog, open_history

__all__ = ["HistoryDialog", "open_history"]
