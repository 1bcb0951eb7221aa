"""The firm's side of the season (``lab.season``): the head takes each finished lot to its firm, the firm's
clerk counts it in and inspects it, and booking pays the passed pieces and settles the job.
"""

from __future__ import annotations

import datetime as dt
import math

from django.utils.translation import gettext_noop

from dispatch.models import AssignmentState, Inspection, InspectionResult, JobState
from logistics.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteMaterial, NoteState
from materials.models import MovementKind
from pay import money
from pay.models import LineKind, PayLine

from .seasonbook import PlayedJob, SeasonBook
from .workload import defect_reason

NEXT_MORNING_INSPECTION = 0.3  # lots inspected the next working morning, not the afternoon they came
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class FirmRounds(SeasonBook):
    """The season's steps at the firm's gate: ``hand_over``, ``receive``, ``inspect``."""

    def hand_over(self, day: dt.date) -> None:
        """Jobs completed on an earlier day go to their firm: the head writes the lot's delivery note with
        the store's leftovers (``note_prepare``) and takes it (``note_send``: the job handed over)."""
        for j in self.rows.jobs:
            if j.row.state != JobState.COMPLETED or j.completed_on is None or j.completed_on >= day:
                continue
            at = self._at(day, "08:00", "08:20")
            shares = [s for s in j.shares if s.row.pieces_reported > s.row.pieces_handed_over]
            sent = sum(s.row.pieces_reported - s.row.pieces_handed_over for s in shares)
            note = DeliveryNote(
                job=j.row,
                lot=1,
                token="".join(self.rng.choice(TOKEN_CHARS) for _ in range(22)),
                state=NoteState.SENT,
                pieces_sent=sent,
                pieces_expected=sent,
                prepared_by=self.head,
                prepared_at=at,
                sent_by=self.head,
                sent_at=at + dt.timedelta(minutes=10),
            )
            self.rows.notes.append(note)
            bundles = 0
            for s in shares:
                n = s.row.pieces_reported - s.row.pieces_handed_over
                b = math.ceil(n / j.row.bundle_size)
                bundles += b
                self.rows.note_lines.append(
                    DeliveryNoteLine(note=note, assignment=s.row, pieces=n, bundles=b)
                )
                s.row.pieces_handed_over = s.row.pieces_reported
            note.bundles_sent = bundles
            for b in j.bom:
                left = self._held(b, "store")
                if left > 0:
                    self._move(
                        b,
                        MovementKind.RETURN_TO_FIRM,
                        left,
                        at + dt.timedelta(minutes=1),
                        actor=self.head,
                        reason=gettext_noop("随送货单退回"),
                        key=("note", note, b),
                    )
                    self.rows.note_materials.append(DeliveryNoteMaterial(note=note, line=b, quantity=left))
            j.note = note
            self._event(j.row, j.row, JobState.HANDED_OVER, self.head, note.sent_at, gettext_noop("坊长送货"))
            j.row.updated_at = note.sent_at

    def receive(self, day: dt.date) -> None:
        """The firm's clerk counts in the lots sent this morning (``note_receive``): the job goes to
        inspection, that afternoon or the next working morning."""
        for j in self.rows.jobs:
            if j.row.state != JobState.HANDED_OVER or j.note is None or j.note.state != NoteState.SENT:
                continue
            clerk = self.clerks[j.row.line.firm_id]
            at = self._at(day, "10:30", "10:59")
            note = j.note
            note.state, note.pieces_counted, note.bundles_counted = NoteState.RECEIVED, note.pieces_sent, None
            note.received_by, note.received_at = clerk, at
            self._event(j.row, j.row, JobState.INSPECTING, clerk, at)
            j.row.updated_at = at
            if self.rng.random() >= NEXT_MORNING_INSPECTION:
                j.inspect_on, j.inspect_afternoon = day, True
            else:
                j.inspect_on = day + dt.timedelta(days=2 if day.weekday() == 5 else 1)

    def inspect(self, day: dt.date) -> None:
        """The firm inspects each counted lot (``job_inspect``: every worker's pieces with her own defect
        rate), and booking (``inspection_book``) writes a pay line per passed result at the job's worker
        rate, in the month it is booked, and settles the job."""
        for j in self.rows.jobs:
            if j.row.state != JobState.INSPECTING or j.inspect_on != day:
                continue
            at = self._at(day, "14:00", "15:30") if j.inspect_afternoon else self._at(day, "09:00", "10:00")
            self._inspect(j, at, day)

    def _inspect(self, j: PlayedJob, at: dt.datetime, day: dt.date) -> None:
        job, clerk = j.row, self.clerks[j.row.line.firm_id]
        inspection = Inspection(
            job=job, inspector=clerk, notes="抽检+全检", at=at, booked_at=at + dt.timedelta(minutes=2)
        )
        self.rows.inspections.append(inspection)
        booked = j.booked_at = inspection.booked_at
        for s in j.shares:
            a = s.row
            n = a.pieces_handed_over - a.pieces_passed - a.pieces_rejected
            if a.state != AssignmentState.DONE or n <= 0:
                continue
            p = self.defect[a.worker_id]
            rejected = min(n, max(0, round(self.rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))
            passed = n - rejected
            result = InspectionResult(
                inspection=inspection,
                assignment=a,
                pieces_submitted=n,
                pieces_passed=passed,
                pieces_rejected=rejected,
                pieces_rework=0,
                reason=defect_reason(job.process_kind, a.worker_id) if rejected else "",
            )
            self.rows.results.append(result)
            a.pieces_passed += passed
            a.pieces_rejected += rejected
            self.passed[a.worker_id][0] += passed
            self.passed[a.worker_id][1] += rejected
            if passed:
                rate = job.worker_rate
                amount = money.wage_amount(passed, rate)
                self.rows.pay_lines.append(
                    PayLine(
                        kind=LineKind.PIECE,
                        worker=a.worker,
                        assignment=a,
                        inspection=inspection,
                        result=result,
                        pieces_passed=passed,
                        rate=rate,
                        amount=amount,
                        booked_on=day,
                        month=day.replace(day=1),
                        created_at=booked,
                    )
                )
                self.earned[a.worker_id] += amount
        self._event(job, job, JobState.INSPECTED, clerk, at, inspection.notes)
        self._event(job, job, JobState.SETTLED, None, booked)
        job.updated_at = booked
