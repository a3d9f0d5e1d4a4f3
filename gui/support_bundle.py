"""Help > Create support bundle… in the window: ask where, write it off the GUI thread, say where.

The bundle (:mod:`core.services.support_bundle`) exports the whole inventory and reads the log,
which takes seconds for a large inventory, so it runs on the task runner; the window stays
usable meanwhile. It works whatever the window shows: the person's inventory, the demo, a
review, or nothing at all when the inventory could not be opened (then without
``inventory.json``; that is when support needs the rest most). Qt's versions are passed in
here: the core never imports Qt. The bundle's modules load on first use, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QStatusBar, QWidget

from gui import dialogs
from gui.tasks import TaskRunner

if TYPE_CHECKING:
    from core.services.workspace import Workspace

#: What README.txt says when the window had no inventory open (its log says why).
NOT_OPEN = "the inventory was not open in the window when the bundle was made"


class Window(Protocol):
    """What the bundle uses of the main window (a protocol: the window imports this module)."""

    workspace: Workspace | None
    runner: TaskRunner

    def statusBar(self) -> QStatusBar: ...


def default_folder() -> Path:
    """The person's Documents folder when there is one, else their home folder."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def create(window: Window, version: Callable[[], str]) -> None:
    """Ask where, then write the bundle on the runner; a message says where it went."""
    import PySide6
    from PySide6.QtCore import qVersion

    from core.domain.inventory import utcnow
    from core.services.support_bundle.about import WINDOW, Versions
    from core.services.support_bundle.archive import write_bundle
    from core.services.support_bundle.naming import default_file_name
    from core.services.support_bundle.request import BundleRequest

    parent = window if isinstance(window, QWidget) else None
    status, workspace, now = window.statusBar(), window.workspace, utcnow()
    path = dialogs.choose_support_bundle_file(parent, default_folder() / default_file_name(now))
    if path is None:
        return
    request = BundleRequest(
        workspace,
        now,
        Versions(app=version(), qt=qVersion(), pyside=PySide6.__version__),
        made_by=WINDOW,
        problem=None if workspace is not None else NOT_OPEN,
    )
    status.showMessage(f"Creating the support bundle {path.name}…")

    def written(result: Path) -> None:
        status.showMessage(f"Support bundle written to {result}", 15_000)
        dialogs.show_support_bundle_written(parent, result)

    def failed(exc: BaseException) -> None:
        status.clearMessage()
        dialogs.report_error(parent, exc)  # plain words, or the crash dialog for a bug

    window.runner.run(lambda: write_bundle(request, path), written, failed)
