"""The reauthorization plan with support staff's progress: what the window and ``plan`` show.

Why a note is written at once, not at Save: a state is a support person's progress through a
call ("link sent", "failed: wrong account"), not an edit of the inventory. Like a connection
test's result (:meth:`Workspace.record_health`) and a ticked checklist
(:mod:`core.services.recovery`), it must survive a restart without a Save that would also
write every unrelated pending edit, and a Revert of those edits must not undo it. One row per
consent, keyed by the plan item's key (seller and region), with the generation that makes a
later consent end it (see :mod:`core.domain.plan_progress`).

States move by themselves where the app knows: Copy link marks *link sent*, a consent that
fails in a Reauthorize dialog opened from the plan marks *failed* with its plain reason, and a
consent saved for the seller and region makes the item *done* (derived from the saved grants,
so it holds after a restart and in ``main.py plan`` too). The person can set any state by hand.

The plan is made from the saved inventory: a consent counts once it is saved, and an unsaved
edit does not move items under the person's eyes.

Threads: :meth:`PlanProgress.load` and :meth:`PlanProgress.set_state` read and write SQLite:
run them on the database lane. :meth:`PlanProgress.entries` only computes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from core.domain.errors import ReadOnlyError, UserFacingError
from core.domain.inventory import utcnow
from core.domain.plan import build_plan
from core.domain.plan_progress import PlanEntry, PlanState, Progress, checklist
from core.services.events import Event
from core.services.plan_notes import workspace_notes
from core.services.workspace import Workspace
from core.storage.plan_progress import write_progress

Clock = Callable[[], datetime]


class PlanProgress:
    """The plan of one workspace with its stored notes. Thread-safe."""

    def __init__(self, workspace: Workspace, *, clock: Clock = utcnow) -> None:
        self.workspace = workspace
        self.clock = clock
        self._notes: dict[str, Progress] = {}
        self._lock = threading.Lock()
        #: A note was written (emitted on the thread that wrote it).
        self.changed: Event[str] = Event("plan progress changed")

    def load(self) -> None:
        """Read the stored notes. Blocking: run it on the database lane."""
        notes = workspace_notes(self.workspace)  # a review's come from its file
        with self._lock:
            self._notes = notes

    def entries(self, now: datetime | None = None) -> list[PlanEntry]:
        """The checklist: the plan of the saved inventory with states, then today's done."""
        when = now or self.clock()
        saved = self.workspace.saved
        with self._lock:
            notes = dict(self._notes)
        return checklist(build_plan(saved, when), saved, notes, when)

    def entry(self, key: str, now: datetime | None = None) -> PlanEntry | None:
        return next((e for e in self.entries(now) if e.key == key), None)

    def why_not(self) -> UserFacingError | None:
        """Why no state can be noted here (a read-only copy, a file opened for review)."""
        reason = self.workspace.read_only_reason
        if reason is not None:
            return ReadOnlyError(reason, "Note the plan's progress in the window that can save.")
        if self.workspace.store is None:
            return ReadOnlyError(
                "This inventory has no file to note the plan's progress in.",
                "Note it in the SP Connect window that has the inventory open.",
            )
        return None

    def set_state(self, key: str, state: PlanState, reason: str = "") -> PlanEntry:
        """Note ``state`` for the item ``key``, written at once. Blocking: database lane.

        Raises:
            UserFacingError: The copy is read-only, the item is no longer in the plan, or the
                disk refused the write.
        """
        refusal = self.why_not()
        if refusal is not None:
            raise refusal
        now = self.clock()
        entry = self.entry(key, now)
        if entry is None:
            raise UserFacingError(
                "This consent is no longer in the reauthorization plan.",
                "Look at the plan again: it shows what is left to do.",
            )
        note = Progress(key, entry.generation, state, now, reason, dict(entry.fields))
        store = self.workspace.store
        assert store is not None  # why_not
        write_progress(store, note)
        with self._lock:
            self._notes[key] = note
        self.changed.emit(key)
        updated = self.entry(key, now)
        return updated if updated is not None else entry
