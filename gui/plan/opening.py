"""Opening the plan from the window: one plan per window, its Reauthorize on the window's lanes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from core.domain.changes import Apply
from core.services.consent import ConsentAttempts, ConsentTarget
from core.services.plan_view import PlanProgress
from core.services.workspace import Workspace
from gui.plan.dialog import PlanDialog, Reauthorize
from gui.tasks import TaskRunner


def open_plan_of(
    parent: QWidget | None,
    workspace: Workspace,
    *,
    runner: TaskRunner,
    attempts: ConsentAttempts,
    apply: Apply,
) -> PlanDialog:
    """Show the window's plan: the open one brought forward, or a new one."""
    if parent is not None:
        for existing in parent.findChildren(PlanDialog):
            if existing.isVisible() and existing.workspace is workspace:
                existing.raise_()
                existing.activateWindow()
                return existing

    def reauthorize(target: ConsentTarget, owner: QWidget) -> QDialog:
        from gui.reauthorize.dialog import open_reauthorize

        return open_reauthorize(
            owner,
            workspace,
            target,
            runner=runner,
            apply=apply,
            attempts=attempts,
        )

    return open_plan(parent, workspace, runner=runner, reauthorize=reauthorize)


def open_plan(
    parent: QWidget | None,
    workspace: Workspace,
    *,
    runner: TaskRunner,
    reauthorize: Reauthorize,
    progress: PlanProgress | None = None,
) -> PlanDialog:
    """Open the plan (not modal); its states load on the database lane."""
    dialog = PlanDialog(
        workspace,
        progress or PlanProgress(workspace),
        runner=runner,
        reauthorize=reauthorize,
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.load()
    return dialog
