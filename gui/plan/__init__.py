"""The Reauthorization plan as support staff's checklist: :mod:`gui.plan.dialog`."""

from gui.plan.dialog import PlanDialog
from gui.plan.opening import open_plan

__all__ = ["PlanDialog", "open_plan"]
