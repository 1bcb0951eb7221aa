"""The wage slip (工资条): one worker's pay for one month, as she reads it and the head prints it.

A month's slip is the pay lines that count in it (``PayLine.month``: a line booked after its month was
closed counts in the next open month), shown as:

- ``jobs``: piece wages grouped by job and rate: passed pieces (the lines'), rejected and rework pieces (the
  inspection results of those lines, plus results of the month with nothing passed), the rate, the amount;
  the job's title only, never the firm (a worker need not see who the firm is). A result corrected
  within the month shows as its corrected figures, marked 已更正: the row taken back and its reversal
  are left out together (``pay.reversals``, the rule of her share page), never "合格 -144 件";
- ``corrections``: of an earlier month, each labelled with the month it corrects ("更正 2026-11"). A
  reversal and its new row both counted in the month read as one line: the passed pieces before and after
  and the difference ("合格件数 108 → 110 件,+0.68 元"), never "-108 件 -36.56 元" then "110 件 37.24 元";
  a reversal whose new row counts in another month (or the other way round) shows as its own line;
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

from . import money, reversals
from .models import LineKind, PayLine, Payout, PayPeriod, SlipNote, SlipNoteKind

# A correction of one of these is the adjustment taken back (撤销奖励/撤销扣款), not a piece correction.
ADJUSTMENTS = (LineKind.BONUS, LineKind.DEDUCTION)
TAKEN_BACK = "taken_back"


@dataclass
class SlipJob:
    """One job's piece wages in the month at one rate (Decimal yuan per piece): passed, rejected and
    rework pieces (ints), and the amount (the sum of its lines, Decimal yuan). ``corrected``: a result in
    it was corrected within the month and the figures are the corrected ones (已更正). ``reasons``: why
    pieces were not passed, each once, as stored (the firm's words, or 短少 for pieces it never received;
    shown through ``words`` in the reader's language), as the Earnings page gives them."""

    title: str
    rate: Decimal
    passed: int = 0
    rejected: int = 0
    rework: int = 0
    amounts: list[Decimal] = field(default_factory=list)
    corrected: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return money.yuan_sum(self.amounts)


@dataclass
class SlipEntry:
    """A correction, bonus or deduction: ``amount`` signed Decimal yuan; a correction also has its job's
    ``title``, signed ``pieces``, ``rate`` and ``corrects`` (the first day of the month it corrects). A
    correction read as one line (its reversal and new row both on the slip) has ``was``: the passed
    pieces of the row it corrects (an int ≥ 0); ``pieces`` is then the new row's and ``amount`` the sum of
    the two lines (the new row's less the reversed row's). A bonus or deduction taken back has
    ``takes_back``: the kind of the line it takes back (``bonus`` or ``deduction``), and no job, piece or
    rate. ``corrected``: a correction of an earlier month corrected again within this month, shown with
    the figures that stand (已更正)."""

    kind: str
    amount: Decimal
    reason: str
    title: str = ""
    pieces: int = 0
    rate: Decimal | None = None
    corrects: dt.date | None = None
    takes_back: str = ""
    corrected: bool = False
    was: int | None = None

    @property
    def corrects_label(self) -> str:
        return f"{self.corrects:%Y-%m}" if self.corrects else ""

    @property
    def signed(self) -> str:
        """``amount`` with its sign always written ("+0.68", "-0.17"): a difference, not a payment."""
        return f"{self.amount:+.2f}"


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


class _Month:
    """One month's pay lines and results with nothing paid (of some workers), read by ``pay.reversals``'
    rule: a correction booked in the month it corrects nets into what stands. The row it takes back and
    its reversal add up to nothing and are left out together (``hidden``); the corrected row stands in the
    taken-back row's place (``place``), marked 已更正. A correction of an earlier month has nothing to net
    with here: it shows as "更正 <month>", read as one line by ``_corrections`` (corrected again this
    month, the second nets so: ``root`` ties the row that stands to the first correction's reversal).
    A row with no pay line (nothing passed) is read at the job's worker rate, as a line would be."""

    def __init__(self, lines: list[PayLine], unpaid: list) -> None:
        self.booked = {line.result_id: line for line in lines if line.result_id}
        self.results = {line.result_id: line.result for line in lines if line.result_id}
        self.results |= {r.pk: r for r in unpaid}
        _standing, back = reversals.taken_back(self.results.values())
        netted = {
            pk: x
            for pk, x in back.items()
            if pk in self.results and _cancel(self.booked.get(pk), self.booked.get(x.pk))
        }
        self.hidden = set(netted) | {x.pk for x in netted.values()}
        # A correction is one inspection holding the reversal and the corrected row of one share.
        self.origin = {(x.inspection_id, x.assignment_id): x.reverses_id for x in netted.values()}

    def stands_in(self, result) -> bool:
        """Whether ``result`` is a corrected row standing in the place of a row netted out (已更正)."""
        return result.reverses_id is None and (result.inspection_id, result.assignment_id) in self.origin

    def root(self, result) -> tuple[int, int]:
        """The correction ``result`` belongs to, as (its inspection, its share): a reversal's own; a
        corrected row standing in a netted row's place, that row's (so the reversal of an earlier month's
        row and the row that stands after a second correction this month are one correction)."""
        while self.stands_in(result):
            result = self.results[self.origin[(result.inspection_id, result.assignment_id)]]
        return result.inspection_id, result.assignment_id

    def place(self, pk: int) -> tuple[str, object]:
        """Where result ``pk`` shows: (``piece``, (job, rate)) in the job's row, (``correction``, the first
        day of the month it corrects), or ("", None): nowhere (nothing passed in a correction)."""
        result = self.results[pk]
        if self.stands_in(result):
            return self.place(self.origin[(result.inspection_id, result.assignment_id)])
        line = self.booked.get(pk)
        if line is not None:
            if line.kind == LineKind.PIECE:
                return LineKind.PIECE, (line.assignment.job, line.rate)
            return LineKind.CORRECTION, _corrected_month(line)
        if result.inspection.corrects_id is None:
            job = result.assignment.job
            return LineKind.PIECE, (job, job.worker_rate)
        return "", None


def _cancel(line: PayLine | None, reversal: PayLine | None) -> bool:
    """Whether a line and its reversal's add up to nothing (or neither was booked: nothing passed)."""
    if line is None or reversal is None:
        return line is None and reversal is None
    return line.amount + reversal.amount == 0 and line.pieces_passed + reversal.pieces_passed == 0


def _entry(read: _Month, result, line: PayLine) -> SlipEntry:
    return SlipEntry(
        kind=line.kind,
        amount=line.amount,
        reason=line.reason,
        title=line.assignment.job.title,
        pieces=line.pieces_passed,
        rate=line.rate,
        corrects=read.place(result.pk)[1],
        corrected=read.stands_in(result),
    )


def _corrections(read: _Month, shown: list[tuple]) -> list[SlipEntry]:
    """One worker's corrections of an earlier month: ``shown`` is (result, its pay line or None when
    nothing passed), in the slip's order. A reversal and the new row of the same correction both here
    read as one line ("108 → 110 件", the difference); a row whose partner counts in another month shows
    as its own line; a row with no line and no partner here shows nowhere (nothing passed)."""
    pairs: dict[tuple[int, int], dict[bool, tuple]] = defaultdict(dict)
    for result, line in shown:
        pairs[read.root(result)][result.reverses_id is not None] = (result, line)
    out: list[SlipEntry] = []
    for pair in pairs.values():
        if len(pair) == 2 and (pair[True][1] or pair[False][1]):
            (back, back_line), (new, new_line) = pair[True], pair[False]
            line = new_line or back_line
            entry = _entry(read, new if new_line else back, line)
            entry.amount = money.yuan_sum(ln.amount for ln in (back_line, new_line) if ln is not None)
            entry.pieces, entry.was = new.pieces_passed, -back.pieces_passed
            entry.corrected = read.stands_in(new)
            out.append(entry)
        else:
            out.extend(_entry(read, result, line) for result, line in pair.values() if line is not None)
    return out


def wage_slips(workers: Iterable[Worker], month: dt.date) -> list[WageSlip]:
    """The wage slips of ``workers`` for ``month`` (any day in it), in the order given. Five queries: the
    month's lines (with job, result, what a correction corrects), the month's results with nothing paid,
    the workshops' periods, the payouts, the slip notes. The caller scopes ``workers``.

    A correction booked in the month of what it corrects shows as the corrected figures in the job's row
    (``SlipJob.corrected``), never as a negative line (``_Month``); the lines shown add up to ``total``."""
    workers = list(workers)
    ids = [w.pk for w in workers]
    first = month.replace(day=1)
    jobs: dict[int, dict[tuple, SlipJob]] = defaultdict(dict)
    entries: dict[int, dict[str, list[SlipEntry]]] = defaultdict(lambda: defaultdict(list))
    amounts: dict[int, list[Decimal]] = defaultdict(list)
    newest: dict[int, dt.datetime] = {}
    corrections: dict[int, list[tuple]] = defaultdict(list)
    lines = list(
        PayLine.objects.filter(worker_id__in=ids, month=first)
        .select_related("assignment__job", "result", "corrects", "corrects_period", "inspection__corrects")
        .order_by("booked_on", "id")
    )
    # A result with no pay line (nothing passed): its rejected pieces still belong on the slip, in the
    # month its inspection was booked; a correction's such rows are read with the lines they pair with.
    result_model = PayLine._meta.get_field("result").related_model
    unpaid = list(
        result_model.objects.filter(
            assignment__worker_id__in=ids,
            pay_line__isnull=True,
            inspection__booked_at__gte=local_midnight(first),
            inspection__booked_at__lt=local_midnight(next_month(first)),
        )
        .select_related("assignment__job", "inspection")
        .order_by("id")
    )
    read = _Month(lines, unpaid)

    def job_row(w: int, pk: int) -> SlipJob | None:
        kind, where = read.place(pk)
        if kind != LineKind.PIECE:
            return None
        job, rate = where
        return jobs[w].setdefault((job.pk, rate), SlipJob(job.title, rate))

    def count(row: SlipJob, result) -> None:
        if result.pk not in read.hidden:
            row.rejected += result.pieces_rejected
            row.corrected = row.corrected or read.stands_in(result)
            if result.reason and result.pieces_rejected and result.reason not in row.reasons:
                row.reasons.append(result.reason)
        row.rework += result.pieces_rework  # rework sent back stays hers, even from a row corrected since

    for line in lines:
        w = line.worker_id
        amounts[w].append(line.amount)
        if line.created_at and (w not in newest or line.created_at > newest[w]):
            newest[w] = line.created_at
        if line.result_id is not None:
            result = line.result
            row = job_row(w, result.pk)
            if row is not None:
                count(row, result)
                if result.pk not in read.hidden:
                    row.passed += line.pieces_passed
                    row.amounts.append(line.amount)
            elif result.pk not in read.hidden:
                corrections[w].append((result, line))
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
                    title=line.assignment.job.title if line.assignment_id else "",
                    pieces=line.pieces_passed,
                )
            )
    for r in unpaid:
        row = job_row(r.assignment.worker_id, r.pk)
        if row is not None:
            count(row, r)
        elif r.pk not in read.hidden and r.inspection.corrects_id is not None:
            corrections[r.assignment.worker_id].append((r, None))  # nothing passed: read with its pair
    for w, shown in corrections.items():
        entries[w][LineKind.CORRECTION] = _corrections(read, shown)
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


def has_slip(worker: Worker, month: dt.date, *, today: dt.date | None = None) -> bool:
    """Whether ``worker`` has a wage slip for ``month`` (any day in it): the current month always, a past
    one when a pay line of hers was booked to it (the months ``slip_months`` lists). One query at most."""
    first, today = month.replace(day=1), today or timezone.localdate()
    if first == today.replace(day=1):
        return True
    return first < today and PayLine.objects.filter(worker=worker, month=first).exists()


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
