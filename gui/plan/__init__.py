"""The Reauthorization plan as support staff's checklist: :mod:`gui.plan.dialog`."""

from gui.plan.dialog import PlanDialog, open_plan

__all__ = ["PlanDialog", "open_plan"]
