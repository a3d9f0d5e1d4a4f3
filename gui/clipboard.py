"""The clipboard: what SP Connect put there or read from it does not stay once it is used.

A consent link is for the person who confirms, and a pasted refresh token, client secret or
Amazon answer (it carries the one-time code) is a secret; any program can read the clipboard,
and clipboard managers keep a history. So once such a text has been used, or its dialog
closes, the clipboard is cleared, but only when it still holds exactly that text: anything
the person copied meanwhile is theirs and stays. On X11 the selection (middle-click paste) is
checked the same way, since selecting a field's text puts it there.
"""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication


def _modes(board: QClipboard) -> list[QClipboard.Mode]:
    modes = [QClipboard.Mode.Clipboard]
    if board.supportsSelection():
        modes.append(QClipboard.Mode.Selection)
    return modes


def copy(text: str) -> None:
    """Put ``text`` on the clipboard (the caller clears it with :func:`clear_if_holds`)."""
    QGuiApplication.clipboard().setText(text)


def clear_if_holds(*texts: str | None) -> None:
    """Clear the clipboard if it holds one of ``texts``; leave anything else alone.

    Compared without surrounding white space: a field keeps what was pasted with or without
    its trailing line break, and the app uses the text stripped.
    """
    wanted = {text.strip() for text in texts if text and text.strip()}
    if not wanted:
        return
    board = QGuiApplication.clipboard()
    for mode in _modes(board):
        held = board.text(mode).strip()
        if held and held in wanted:
            board.clear(mode)
