"""The wage slip (工资条): one worker's pay for one month, as she reads it and the head prints it.

A month's slip is the pay lines that count in it (``PayLine.month``: a line booked after its month was
closed counts in the next open month), shown as:

- ``jobs``: piece wages grouped by job and rate: passed pieces (the lines'), rejected and rework pieces (the
  inspection results of those lines, plus results of the month with nothing passed), the rate, the amount;
  the job's title only, never the firm (a worker need not see who the firm is);
- ``corrections``: each labelled with the month it corrects ("更正 2026-11");
- ``bonuses`` and ``deductions`` with their reasons, and ``taken_back``: a bonus or deduction taken back
  (撤销奖励/撤销扣款, a correction line of the adjustment: no piece in it), with the reason and the month
  of the line it takes back;
- ``total``: the sum of every line (Decimal yuan, to the fen), which is the sum of what is shown;
- whether the month is closed, paid (its ``Payout``) and seen by her since its newest line.

The flow's rows are reached through pay's own relations (pay lines name their assignment, inspection and
result by string): this module imports no ``dispatch`` module. A fixed number of queries however many
lines or workers (five for one slip or many, three for the list of months).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from workshop.dates import local_midnight, next_month
from workshop.models import Worker

from . import money
from .models import LineKind, PayLine, Payout, PayPeriod, SlipNote, SlipNoteKind

# A correction of one of these is the adjustment taken back (撤销奖励/撤销扣款), not a piece correction.
ADJUSTMENTS = (LineKind.BONUS, LineKind.DEDUCTION)
TAKEN_BACK = "taken_back"


@dataclass
class SlipJob:
    """One job's piece wages in the month at one rate (Decimal yuan per piece): passed, rejected and
    rework pieces (ints), and the amount (the sum of its lines, Decimal yuan)."""

    title: str
    rate: Decimal
    passed: int = 0
    rejected: int = 0
    rework: int = 0
    amounts: list[Decimal] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return money.yuan_sum(self.amounts)


@dataclass
class SlipEntry:
    """A correction, bonus or deduction: ``amount`` signed Decimal yuan; a correction also has its job's
    ``title``, signed ``pieces``, ``rate`` and ``corrects`` (the first day of the month it corrects). A
    bonus or deduction taken back has ``takes_back``: the kind of the line it takes back (``bonus`` or
    ``deduction``), and no job, piece or rate."""

    kind: str
    amount: Decimal
    reason: str
    title: str = ""
    pieces: int = 0
    rate: Decimal | None = None
    corrects: dt.date | None = None
    takes_back: str = ""

    @property
    def corrects_label(self) -> str:
        return f"{self.corrects:%Y-%m}" if self.corrects else ""


@dataclass
class SlipQuestion:
    """One question of hers (``SlipNote``) with the answer to it, or None while it waits."""

    question: SlipNote
    answer: SlipNote | None


@dataclass
class WageSlip:
    """One worker's wage slip for ``month`` (its first day). ``paid``: her ``Payout`` of the month's closed
    period, or None; ``seen_at``: when she last said it is right, and ``seen``: whether that was after
    the month's newest line (a later correction asks her again)."""

    worker_id: int
    worker_name: str
    month: dt.date
    jobs: list[SlipJob]
    corrections: list[SlipEntry]
    bonuses: list[SlipEntry]
    deductions: list[SlipEntry]
    taken_back: list[SlipEntry]
    closed: bool
    paid: Payout | None
    seen_at: dt.datetime | None
    seen: bool
    questions: list[SlipQuestion]
    amounts: list[Decimal] = field(default_factory=list, repr=False)

    @property
    def total(self) -> Decimal:
        return money.yuan_sum(self.amounts)

    @property
    def pieces_yuan(self) -> Decimal:
        return money.yuan_sum(j.amount for j in self.jobs)

    @property
    def passed(self) -> int:
        return sum(j.passed for j in self.jobs)

    @property
    def is_empty(self) -> bool:
        return not (self.jobs or self.corrections or self.bonuses or self.deductions or self.taken_back)

    @property
    def open_question(self) -> SlipQuestion | None:
        return next((q for q in reversed(self.questions) if q.answer is None), None)


def _corrected_month(line: PayLine) -> dt.date | None:
    if line.corrects_period_id:
        return line.corrects_period.month
    if line.corrects_id:
        return line.corrects.month or line.corrects.booked_on.replace(day=1)
    original = line.inspection.corrects if line.inspection_id else None
    if original is not None and original.booked_at is not None:
        return timezone.localdate(original.booked_at).replace(day=1)
    return None


def wage_slips(workers: Iterable[Worker], month: dt.date) -> list[WageSlip]:
    """The wage slips of ``workers`` for ``month`` (any day in it), in the order given. Five queries: the
    month's lines (with job, result, what a correction corrects), the month's results with nothing passed,
    the workshops' periods, the payouts, the slip notes. The caller scopes ``workers``."""
    workers = list(workers)
    ids = [w.pk for w in workers]
    first = month.replace(day=1)
    jobs: dict[int, dict[tuple, SlipJob]] = defaultdict(dict)
    entries: dict[int, dict[str, list[SlipEntry]]] = defaultdict(lambda: defaultdict(list))
    amounts: dict[int, list[Decimal]] = defaultdict(list)
    newest: dict[int, dt.datetime] = {}
    lines = (
        PayLine.objects.filter(worker_id__in=ids, month=first)
        .select_related("assignment__job", "result", "corrects", "corrects_period", "inspection__corrects")
        .order_by("booked_on", "id")
    )
    for line in lines:
        w = line.worker_id
        amounts[w].append(line.amount)
        if line.created_at and (w not in newest or line.created_at > newest[w]):
            newest[w] = line.created_at
        title = line.assignment.job.title if line.assignment_id else ""
        if line.kind == LineKind.PIECE:
            job = line.assignment.job
            row = jobs[w].setdefault((job.pk, line.rate), SlipJob(title, line.rate))
            row.passed += line.pieces_passed
            row.rejected += line.result.pieces_rejected
            row.rework += line.result.pieces_rework
            row.amounts.append(line.amount)
        elif line.kind == LineKind.CORRECTION and line.corrects_id and line.corrects.kind in ADJUSTMENTS:
            entries[w][TAKEN_BACK].append(
                SlipEntry(
                    kind=line.kind,
                    amount=line.amount,
                    reason=line.reason,
                    corrects=_corrected_month(line),
                    takes_back=line.corrects.kind,
                )
            )
        else:
            entries[w][line.kind].append(
                SlipEntry(
                    kind=line.kind,
                    amount=line.amount,
                    reason=line.reason,
                    title=title,
                    pieces=line.pieces_passed,
                    rate=line.rate if line.kind == LineKind.CORRECTION else None,
                    corrects=_corrected_month(line) if line.kind == LineKind.CORRECTION else None,
                )
            )
    # A result with nothing passed has no pay line: its rejected pieces still belong on the slip, in the
    # month its inspection was booked (a correction's rows are the correction lines above).
    result_model = PayLine._meta.get_field("result").related_model
    nothing_passed = (
        result_model.objects.filter(
            assignment__worker_id__in=ids,
            pay_line__isnull=True,
            reverses__isnull=True,
            inspection__corrects__isnull=True,
            inspection__booked_at__gte=local_midnight(first),
            inspection__booked_at__lt=local_midnight(next_month(first)),
        )
        .select_related("assignment__job")
        .order_by("id")
    )
    for r in nothing_passed:
        job = r.assignment.job
        row = jobs[r.assignment.worker_id].setdefault(
            (job.pk, job.piece_rate), SlipJob(job.title, job.piece_rate)
        )
        row.rejected += r.pieces_rejected
        row.rework += r.pieces_rework
    closed = {
        p.workshop_id: p.closed_at is not None
        for p in PayPeriod.objects.filter(workshop_id__in={w.workshop_id for w in workers}, month=first)
    }
    paid = {
        p.worker_id: p
        for p in Payout.objects.filter(worker_id__in=ids, period__month=first).select_related("batch")
    }
    seen_at: dict[int, dt.datetime] = {}
    questions: dict[int, list[SlipQuestion]] = defaultdict(list)
    answers: dict[int, SlipNote] = {}
    for note in (
        SlipNote.objects.filter(worker_id__in=ids, month=first).select_related("by").order_by("at", "id")
    ):
        if note.kind == SlipNoteKind.SEEN:
            seen_at[note.worker_id] = note.at
        elif note.kind == SlipNoteKind.QUESTION:
            questions[note.worker_id].append(SlipQuestion(note, None))
        else:
            answers[note.answers_id] = note
    for qs in questions.values():
        for q in qs:
            q.answer = answers.get(q.question.pk)
    return [
        WageSlip(
            worker_id=w.pk,
            worker_name=w.name,
            month=first,
            jobs=list(jobs[w.pk].values()),
            corrections=entries[w.pk][LineKind.CORRECTION],
            bonuses=entries[w.pk][LineKind.BONUS],
            deductions=entries[w.pk][LineKind.DEDUCTION],
            taken_back=entries[w.pk][TAKEN_BACK],
            closed=closed.get(w.workshop_id, False),
            paid=paid.get(w.pk),
            seen_at=seen_at.get(w.pk),
            seen=w.pk in seen_at and (w.pk not in newest or seen_at[w.pk] >= newest[w.pk]),
            questions=questions[w.pk],
            amounts=amounts[w.pk],
        )
        for w in workers
    ]


def wage_slip(worker: Worker, month: dt.date) -> WageSlip:
    """``worker``'s wage slip for ``month`` (any day in it): see ``wage_slips``. Five queries."""
    return wage_slips([worker], month)[0]


@dataclass
class SlipMonth:
    """One month of the worker's list of slips: its first day, total (Decimal yuan), whether it is paid,
    seen since its newest line, and has a question waiting for an answer."""

    month: dt.date
    total: Decimal
    paid: bool
    seen: bool
    asking: bool


def slip_months(worker: Worker, *, today: dt.date | None = None) -> list[SlipMonth]:
    """Every month with a pay line of ``worker``'s, and the current one, newest first. Three queries."""
    today = today or timezone.localdate()
    per: dict[dt.date, list[Decimal]] = defaultdict(list)
    newest: dict[dt.date, dt.datetime] = {}
    for m, amount, at in PayLine.objects.filter(worker=worker, month__isnull=False).values_list(
        "month", "amount", "created_at"
    ):
        per[m].append(amount)
        if at and (m not in newest or at > newest[m]):
            newest[m] = at
    per.setdefault(today.replace(day=1), [])
    paid = set(Payout.objects.filter(worker=worker).values_list("period__month", flat=True))
    seen: dict[dt.date, dt.datetime] = {}
    asked: dict[dt.date, set[int]] = defaultdict(set)
    answered: set[int] = set()
    for m, kind, pk, answers_id, at in SlipNote.objects.filter(worker=worker).values_list(
        "month", "kind", "pk", "answers_id", "at"
    ):
        if kind == SlipNoteKind.SEEN:
            seen[m] = max(at, seen.get(m, at))
        elif kind == SlipNoteKind.QUESTION:
            asked[m].add(pk)
        else:
            answered.add(answers_id)
    return [
        SlipMonth(
            month=m,
            total=money.yuan_sum(per[m]),
            paid=m in paid,
            seen=m in seen and (m not in newest or seen[m] >= newest[m]),
            asking=bool(asked[m] - answered),
        )
        for m in sorted(per, reverse=True)
    ]
