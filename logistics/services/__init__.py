"""Door delivery and central collection's writes, split by what they move: ``places`` (the community's
map, workers' homes and home hours, depots, vehicles), ``runs`` (planning a day, a run's start and end),
``handover`` (a stopped courier's run under way to another courier), ``stops`` (a courier's check-off at a
door) and ``notes`` (delivery notes: written, sent, counted by the firm); ``common`` holds the state move
and the actor checks.

Every service runs in ``transaction.atomic`` and moves states by compare-and-swap through the models'
transitions maps. Errors: ``PermissionDenied`` (wrong person; nothing written), ``ValidationError`` (bad
input, in the user's language; nothing written), ``IllegalTransition``.
"""

from .handover import run_hand_over
from .notes import note_prepare, note_receive, note_send
from .places import depot_set, home_hours_set, place_save, residence_set, vehicle_save
from .runs import LATE_FOR_HOURS, DayPlan, run_finish, run_start, runs_plan, runs_plan_due
from .stops import DONE, NOBODY_HOME, OUTCOMES, REFUSED, CheckOff, stop_check

__all__ = [
    "DONE",
    "LATE_FOR_HOURS",
    "NOBODY_HOME",
    "OUTCOMES",
    "REFUSED",
    "CheckOff",
    "DayPlan",
    "depot_set",
    "home_hours_set",
    "note_prepare",
    "note_receive",
    "note_send",
    "place_save",
    "residence_set",
    "run_finish",
    "run_hand_over",
    "run_start",
    "runs_plan",
    "runs_plan_due",
    "stop_check",
    "vehicle_save",
]
