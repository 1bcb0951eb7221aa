"""The dashboard's reads, each scoped by the asking user's ``Scope`` (workshop.roles).

Community admin: the workshops of their community; head: their workshops; firm staff: only their firm's
jobs, inspections and statements (pay lines of their jobs); superuser: everything. A ``*_get`` selector
raises ``Http404`` for a foreign object, exactly as for a missing one. List selectors join what their
page shows, so a page costs the same number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import minwage, planning, reports
from dispatch.models import (
    TO_OFFER,
    Assignment,
    AssignmentState,
    FlowEvent,
    Inspection,
    Job,
    JobState,
)
from materials.models import BomLine
from pay import money, monthly
from pay.models import FirmStatement, PayLine, SlipNote, SlipNoteKind
from workshop import dates, search
from workshop import selectors as workshop_selectors
from workshop.models import Pairing, PartnerFirm, Worker, Workshop
from workshop.roles import Scope

from .models import Export

# --- scopes --------------------------------------------------------------------------------------------


def workshops_for(scope: Scope) -> QuerySet[Workshop]:
    """The workshops ``scope`` covers; for firm staff, the workshops paired with their firm."""
    if scope.is_firm:
        return Workshop.objects.filter(pairings__firm_id=scope.firm_id).distinct().order_by("name")
    if scope.all_workshops:
        return Workshop.objects.order_by("county", "community", "name")
    return Workshop.objects.filter(pk__in=scope.workshop_ids).order_by("name", "pk")


def jobs_for(scope: Scope) -> QuerySet[Job]:
    """Jobs ``scope`` sees: its workshops' jobs, or for firm staff their firm's jobs. Newest first."""
    qs = Job.objects.select_related("workshop", "line", "line__firm")
    if scope.is_firm:
        return qs.filter(line__firm_id=scope.firm_id)
    if scope.all_workshops:
        return qs
    if not scope.is_staff_role:
        return qs.none()
    return qs.filter(workshop_id__in=scope.workshop_ids)


def job_get(scope: Scope, pk: int) -> Job:
    """The job ``pk`` if ``scope`` sees it, with workshop, line, firm and issuer joined; else Http404."""
    job = jobs_for(scope).select_related("issued_by").filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有这个外发单。"))
    return job


def jobs_with_materials(scope: Scope, *, only_open: bool = False) -> QuerySet[Job]:
    """Jobs ``scope`` sees that have a bill of materials, newest first; ``only_open``: those with material
    still in the store or at a worker (not reconciled)."""
    lines = BomLine.objects.filter(job=OuterRef("pk"))
    if only_open:
        lines = lines.filter(balances__quantity__gt=0)
    return jobs_for(scope).filter(Exists(lines)).order_by("-issued_at", "-pk")


def workers_for(scope: Scope) -> QuerySet[Worker]:
    """Workers of the workshops ``scope`` manages (heads, community admins); none for firm staff."""
    return workshop_selectors.workers_in_scope(scope)


def worker_get(scope: Scope, pk: int) -> Worker:
    worker = workers_for(scope).select_related("user").filter(pk=pk).first()
    if worker is None:
        raise Http404(_("没有这个坊工。"))
    return worker


def pay_lines_for(scope: Scope) -> QuerySet[PayLine]:
    """Pay lines of the jobs ``scope`` sees (for firm staff: their statement's rows)."""
    return PayLine.objects.filter(assignment__job__in=jobs_for(scope).values("pk"))


def firm_amount_total(lines: QuerySet[PayLine]) -> Decimal:
    """What the firm pays for ``lines`` (加工费, Decimal yuan): per job, its passed pieces (signed, so a
    correction line counts) × the job's piece rate, half-up to the fen, summed. One query."""
    per_job = lines.values("assignment__job_id", "assignment__job__piece_rate").annotate(
        p=Sum("pieces_passed")
    )
    return money.yuan_sum(
        money.firm_amount(r["p"] or 0, r["assignment__job__piece_rate"]) for r in per_job.order_by()
    )


def statements_for(scope: Scope) -> QuerySet[FirmStatement]:
    """Firm statements (对账单) ``scope`` sees, newest month first, each with firm, workshop and signer
    joined, ``disputes_n`` (its disputes) and ``corrected`` (a newer version exists): firm staff their
    firm's; heads and community admins their workshops'; a superuser all."""
    qs = (
        FirmStatement.objects.select_related("firm", "workshop", "signed_by", "prepared_by")
        .annotate(
            disputes_n=Count("disputes"),
            corrected=Exists(FirmStatement.objects.filter(previous_id=OuterRef("pk"))),
        )
        .order_by("-month", "firm__name", "workshop__name", "-version")
    )
    if scope.is_firm:
        return qs.filter(firm_id=scope.firm_id)
    if scope.all_workshops:
        return qs
    if not scope.is_staff_role:
        return qs.none()
    return qs.filter(workshop_id__in=scope.workshop_ids)


def statement_get(scope: Scope, pk: int) -> FirmStatement:
    """The statement ``pk`` if ``scope`` sees it; else Http404 (another firm's or workshop's is missing)."""
    found = statements_for(scope).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有这份对账单。"))
    return found


def with_result_sums(inspections: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """``inspections`` with ``passed``, ``rejected`` and ``rework`` (pieces over their results)."""
    return inspections.annotate(
        passed=Sum("results__pieces_passed"),
        rejected=Sum("results__pieces_rejected"),
        rework=Sum("results__pieces_rework"),
    )


def pairings_for(scope: Scope) -> QuerySet[Pairing]:
    """Pairing records (结对) with firm, workshop and lines: a firm's own, or its workshops'."""
    qs = Pairing.objects.select_related("firm", "workshop").prefetch_related("lines")
    if scope.is_firm:
        return qs.filter(firm_id=scope.firm_id)
    if scope.all_workshops:
        return qs
    return qs.filter(workshop_id__in=scope.workshop_ids)


def pairing_get(scope: Scope, pk: int) -> Pairing:
    """A pairing ``scope`` sees (``pairings_for``), else Http404."""
    pairing = pairings_for(scope).filter(pk=pk).first()
    if pairing is None:
        raise Http404(_("没有这个结对。"))
    return pairing


def firms_for(scope: Scope) -> QuerySet[PartnerFirm]:
    """Firms ``scope`` sees (``workshop.selectors.partner_firms_for``): its own for firm staff, the paired
    firms of the workshops covered for heads and community admins."""
    return workshop_selectors.partner_firms_for(scope)


def firm_get(scope: Scope, pk: int) -> PartnerFirm:
    firm = firms_for(scope).filter(pk=pk).first()
    if firm is None:
        raise Http404(_("没有这个企业。"))
    return firm


def exports_for(user) -> QuerySet[Export]:
    return Export.objects.filter(user=user)


def export_get(user, pk: int) -> Export:
    export = exports_for(user).filter(pk=pk).first()
    if export is None:
        raise Http404(_("没有这个导出。"))
    return export


# --- filters shared by the pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A date range (Asia/Shanghai dates, inclusive) and an optional workshop, from the page's filter."""

    start: dt.date
    end: dt.date
    workshop_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return dates.day_bounds(self.start, self.end)


def narrow_jobs(jobs: QuerySet[Job], workshop_id: int | None) -> QuerySet[Job]:
    return jobs.filter(workshop_id=workshop_id) if workshop_id else jobs


def job_cells(scope: Scope, workshop_id: int | None = None) -> tuple[list[int] | None, int | None]:
    """The jobs of ``narrow_jobs(jobs_for(scope), workshop_id)`` as (workshop ids, None for every
    workshop; firm id, None for every firm), for the month rollups (``pay.monthly``). No query."""
    firm_id = scope.firm_id if scope.is_firm else None
    if workshop_id:
        return [workshop_id], firm_id
    if scope.is_firm or scope.all_workshops:
        return None, firm_id
    if not scope.is_staff_role:
        return [], None
    return sorted(scope.workshop_ids), None


# --- the flow board ------------------------------------------------------------------------------------

# The board's columns: the flow's states in order (declined and cancelled jobs leave the board).
BOARD_STATES = reports.FUNNEL_STATES
BOARD_CARDS_PER_COLUMN = 30


def board_columns(jobs: QuerySet[Job]) -> list[dict]:
    """The board's columns: for each state in ``BOARD_STATES`` its total and at most
    ``BOARD_CARDS_PER_COLUMN`` cards, each job annotated with ``reported`` and ``open_offers``. A column of
    jobs still in the flow shows the soonest due first; the settled column the latest due first (a county's
    settled column holds three years of jobs: the ones just paid are the ones a head looks for). Four queries
    whatever the number of jobs: the totals; the open columns' cards, ranked within their state
    (``ROW_NUMBER() OVER (PARTITION BY state …)``); the settled column's; and those cards with their
    shares summed, read by their ids (a literal list: given the ranking as a subquery, PostgreSQL took it
    for every job and merged the whole assignment table, a second for a county admin)."""
    totals = dict(jobs.order_by().values_list("state").annotate(n=Count("id")))
    in_flow = [state for state in BOARD_STATES if state != JobState.SETTLED]
    ranked = (
        jobs.filter(state__in=in_flow)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("state"), order_by=[F("due_on").asc(), F("pk").asc()])
        )
        .filter(rank__lte=BOARD_CARDS_PER_COLUMN)
        .values_list("pk", flat=True)
    )
    settled = jobs.filter(state=JobState.SETTLED).order_by("-due_on", "-pk").values_list("pk", flat=True)
    ids = [*ranked, *settled[:BOARD_CARDS_PER_COLUMN]]
    cards = (
        jobs.filter(pk__in=ids)
        .annotate(
            reported=Sum("assignments__pieces_reported"),
            open_offers=Count("assignments", filter=Q(assignments__state=AssignmentState.OFFERED)),
        )
        .order_by("due_on", "id")
    )
    by_state: dict[str, list[Job]] = {state: [] for state in BOARD_STATES}
    for job in cards:
        by_state[job.state].append(job)
    by_state[JobState.SETTLED].reverse()
    labels = dict(JobState.choices)
    columns = [
        {"state": state, "label": labels[state], "total": totals.get(state, 0), "jobs": by_state[state]}
        for state in BOARD_STATES
    ]
    closed = sum(totals.get(s, 0) for s in (JobState.DECLINED, JobState.CANCELLED))
    return columns, closed


def todo_counts(jobs: QuerySet[Job], *, today: dt.date) -> dict[str, int]:
    """What waits for someone now (待办), over all of ``jobs`` whatever their date: issued (the head's
    answer), accepted or in production with pieces not yet offered (dispatch), completed (ready to hand
    over: gather the goods, write the delivery note), handed over (the firm's count), inspecting (the firm's
    verdict), overdue (due before ``today``, not yet handed over), and auto_accepted (taken by the pairing's
    auto-accept rule without the head, and still being made: the head hears of them here). One query."""
    open_states = (JobState.ISSUED, JobState.ACCEPTED, JobState.IN_PROGRESS, JobState.COMPLETED)
    # Only jobs still in the flow count: the (workshop, state) index skips a county's years of settled ones.
    waiting = (*open_states, JobState.HANDED_OVER, JobState.INSPECTING)
    return (
        jobs.filter(state__in=waiting)
        .order_by()
        .aggregate(
            issued=Count("id", filter=Q(state=JobState.ISSUED)),
            to_dispatch=Count(
                "id",
                filter=TO_OFFER,
            ),
            completed=Count("id", filter=Q(state=JobState.COMPLETED)),
            handed_over=Count("id", filter=Q(state=JobState.HANDED_OVER)),
            inspecting=Count("id", filter=Q(state=JobState.INSPECTING)),
            overdue=Count("id", filter=Q(state__in=open_states, due_on__lt=today)),
            auto_accepted=Count(
                "id",
                filter=Q(auto_accept_rule__isnull=False, state__in=(JobState.ACCEPTED, JobState.IN_PROGRESS)),
            ),
        )
    )


# --- the minimum-wage view ----------------------------------------------------------------------------

LOW_RATE_ROWS = 20
# What ``low_rate_jobs`` reads of a job: the rate check's inputs (``minwage.rate_checks``: the workshop's
# place for its minimum wage) and what the home page's row shows.
LOW_RATE_FIELDS = (
    "id",
    "title",
    "state",
    "process_kind",
    "piece_rate",
    "workshop_id",
    "workshop__name",
    "workshop__county",
    "workshop__subdistrict",
    "workshop__community",
)


@dataclass(frozen=True, slots=True)
class _OpenJob:
    """What ``minwage.rate_checks`` reads of a job, and the row's title and state."""

    pk: int
    title: str
    state: str
    process_kind: str
    piece_rate: Decimal
    workshop_id: int
    workshop: Workshop


def low_rate_jobs(scope: Scope, jobs: QuerySet[Job], *, limit: int = LOW_RATE_ROWS) -> tuple[list, int]:
    """The open jobs among ``jobs`` (issued, accepted, in production) whose rate pays under the minimum
    hourly wage (``dispatch.minwage``): ``(rows, total)``, rows the oldest-due ``limit`` as
    ``(job, check, words)``; firm staff get the firm's figures (``for_firm``). Four queries.

    A county holds hundreds of open jobs: they are read as plain rows with only the columns the check and
    the row need (``LOW_RATE_FIELDS``: a row shows the job's number, title, state and workshop name), each
    workshop made once, and only the rows shown become jobs and are put into words (a model instance for
    each of 260 jobs and their workshops was a tenth of a county admin's home page)."""
    workshops: dict[int, Workshop] = {}
    open_jobs = []
    for pk, title, state, kind, rate, ws, name, county, subdistrict, community in (
        jobs.filter(state__in=minwage.OPEN_STATES).order_by("due_on", "id").values_list(*LOW_RATE_FIELDS)
    ):
        if ws not in workshops:
            workshops[ws] = Workshop(
                id=ws, name=name, county=county, subdistrict=subdistrict, community=community
            )
        open_jobs.append(_OpenJob(pk, title, state, kind, rate, ws, workshops[ws]))
    checks = minwage.rate_checks(open_jobs, for_firm=scope.is_firm)
    low = [job for job in open_jobs if checks[job.pk].below]
    rows = []
    for job in low[:limit]:
        shown = Job(id=job.pk, title=job.title, state=job.state, workshop=job.workshop)
        rows.append((shown, checks[job.pk], minwage.explain(checks[job.pk], for_firm=scope.is_firm)))
    return rows, len(low)


def job_rate_check(scope: Scope, job: Job) -> tuple[minwage.RateCheck, str]:
    """``job``'s rate as an hourly figure against the minimum wage, and the words that say how (firm staff:
    the firm's figures). Three queries."""
    check = minwage.rate_checks([job], for_firm=scope.is_firm)[job.pk]
    return check, minwage.explain(check, for_firm=scope.is_firm)


# --- one job -------------------------------------------------------------------------------------------


def job_assignments(job: Job) -> list[Assignment]:
    return list(job.assignments.select_related("worker").order_by("kind", "id"))


def job_assignment_get(job: Job, pk: int) -> Assignment:
    """Assignment ``pk`` of ``job`` (already scoped to the user), with its worker; Http404 otherwise."""
    assignment = job.assignments.select_related("worker").filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("这张外发单没有这个派工。"))
    assignment.job = job
    return assignment


def dispatch_workers(job: Job) -> list[Worker]:
    """The workers a head may give ``job``'s pieces to: its workshop's active workers, by name."""
    return list(Worker.objects.filter(workshop_id=job.workshop_id, active=True).order_by("name"))


def dispatch_plan(
    job: Job, *, workers: list[Worker] | None = None, today: dt.date | None = None
) -> list[dict]:
    """The editable planned split of ``job``'s unassigned pieces: one row per active worker of its
    workshop, ``planned`` pieces and reasons from ``planning.plan_shares`` (the job's part of the plan
    ``dispatch.services.workshop_plan_offers`` would offer, the workshop's other open jobs planned with
    it), with skill, open pieces and spare capacity (pieces before the due date) to guide the head's
    edits, and ``full_for_now`` for a worker the plan skips because her work in hand fills her next two
    days (``planning.full_for_now``). Workers the plan picked come first."""
    today = today or timezone.localdate()
    refused = planning.refusals([job.pk]).get(job.pk, set())
    workers = dispatch_workers(job) if workers is None else workers
    open_pieces, open_hours = planning.open_work(workers)
    profiles = planning.planner_profiles({job.workshop_id}, today=today)  # read once for plan and column
    shares = {s.worker_id: s for s in planning.plan_shares(job, today=today, profiles=profiles)}
    as_planned = planning.spare_as_planned(job, profiles, today=today) if profiles is not None else {}
    full = planning.full_for_now(job, profiles, today=today) if profiles is not None else set()
    rows = []
    for w in workers:
        spare = as_planned.get(w.pk)
        if spare is None:  # the plain rule's count (or a worker the optimiser does not see: inactive)
            spare = planning.spare_pieces(
                w, job.process_kind, today=today, due_on=job.due_on, open_hours=open_hours
            )
        spare = max(0, spare)
        share = shares.get(w.pk)
        rows.append(
            {
                "worker": w,
                "planned": share.pieces if share else 0,
                "reasons": share.reasons if share else "",
                "skilled": w.has_skill(job.process_kind),
                "open": open_pieces.get(w.pk, 0),
                "spare": spare,
                "refused": w.pk in refused,
                "full_for_now": w.pk in full and not share,
            }
        )
    rows.sort(key=lambda r: (r["planned"] == 0, not r["skilled"], r["refused"], r["open"], r["worker"].name))
    return rows


# --- the roster ----------------------------------------------------------------------------------------


def roster(scope: Scope, *, q: str = "", filters: dict | None = None) -> QuerySet[Worker]:
    """Workers of ``scope`` matching the search and filters, by name.

    ``q`` is read by ``workshop.search.needle`` against each worker's search key: a name (or part), a
    phone tail (3 or 4 digits, or a whole number by its last 4), or pinyin (initials like ``zs`` or the
    spelling ``zhangsan``). ``filters``: ``employment``, ``skill``, ``active`` ("1"/"0"), ``workshop``
    (id), and ``low_income`` ("1"/"0"), which is ignored unless the scope may see it.
    """
    filters = filters or {}
    qs = workers_for(scope)
    if filters.get("workshop"):
        qs = qs.filter(workshop_id=filters["workshop"])
    if filters.get("employment"):
        qs = qs.filter(employment=filters["employment"])
    if filters.get("active") in ("1", "0"):
        qs = qs.filter(active=filters["active"] == "1")
    if filters.get("low_income") in ("1", "0") and scope.sees_low_income:
        qs = qs.filter(low_income=filters["low_income"] == "1")
    skill = filters.get("skill")
    found = search.lookup(q, phone_field="phone")
    if found is not None:
        qs = qs.filter(found)
    if skill:
        # JSON "contains" is not on SQLite: filter the skill lists in Python on the ids.
        ids = [pk for pk, skills in qs.values_list("pk", "skills") if skill in (skills or [])]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("-active", "name", "pk")


def roster_page_figures(workers: list[Worker], *, year_start: dt.date) -> dict[int, dict]:
    """For the listed ``workers``: open assignments and pay booked since ``year_start`` (yuan), by id.
    Two queries whatever the number of workers."""
    ids = [w.pk for w in workers]
    open_work, _hours = planning.open_work(ids)
    earned = monthly.earned_since(ids, year_start)  # a row a worker-month (pay.monthly)
    return {pk: {"open": open_work.get(pk) or 0, "earned": earned.get(pk) or 0} for pk in ids}


def worker_assignments(worker: Worker, *, limit: int = 50) -> list[Assignment]:
    return list(
        worker.assignments.select_related("job", "job__line", "job__line__firm").order_by(
            "-offered_at", "-id"
        )[:limit]
    )


def worker_earnings_by_month(worker: Worker, *, months: int = 12) -> list[tuple[dt.date, int, object]]:
    """``worker``'s pay booked per month, the newest ``months``, newest first: (first of month, pieces
    passed, yuan). One query, a row a month (her month rollups, ``pay.monthly``)."""
    return monthly.months_of(worker.pk, limit=months)


def worker_history(worker: Worker, *, limit: int = 50) -> list[FlowEvent]:
    """The flow events of ``worker``'s assignments, newest first (offered, accepted, done, expired...)."""
    ct = ContentType.objects.get_for_model(Assignment)
    labels = dict(AssignmentState.choices)
    events = list(
        FlowEvent.objects.filter(content_type=ct, object_id__in=worker.assignments.values("pk"))
        .select_related("job", "actor")
        .order_by("-at", "-id")[:limit]
    )
    for e in events:
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
    return events


# --- firms and pairings --------------------------------------------------------------------------------


def firm_volumes(jobs: QuerySet[Job]) -> dict[int, dict]:
    """Per firm id: jobs, pieces issued and passed over ``jobs``. One query."""
    rows = (
        jobs.order_by()
        .values("line__firm_id")
        .annotate(
            jobs=Count("id", distinct=True),
            issued=Sum("quantity"),
        )
    )
    passed = dict(
        Assignment.objects.filter(job__in=jobs.values("pk"))
        .order_by()
        .values_list("job__line__firm_id")
        .annotate(n=Sum("pieces_passed"))
    )
    return {
        r["line__firm_id"]: {
            "jobs": r["jobs"],
            "issued": r["issued"] or 0,
            "passed": passed.get(r["line__firm_id"]) or 0,
        }
        for r in rows
    }


def pairing_rows(scope: Scope) -> list[Pairing]:
    return list(
        pairings_for(scope).prefetch_related(Prefetch("lines")).order_by("firm__name", "workshop__name")
    )


# --- workers' questions about their wage slips (工资条疑问) -------------------------------------------------


def slip_questions_for(scope: Scope, *, open_only: bool = True) -> QuerySet[SlipNote]:
    """Workers' questions about their wage slips in the workshops ``scope`` manages (heads, community
    admins; none for firm staff), oldest first, with the worker and the answer joined; ``open_only``:
    those still waiting for an answer."""
    qs = SlipNote.objects.filter(kind=SlipNoteKind.QUESTION, worker__in=workers_for(scope))
    if open_only:
        qs = qs.filter(answer__isnull=True)
    return qs.select_related("worker", "answer").order_by("at", "id")


def slip_question_get(scope: Scope, pk: int) -> SlipNote:
    """Question ``pk`` of a worker ``scope`` manages, with the worker; Http404 otherwise."""
    note = slip_questions_for(scope, open_only=False).filter(pk=pk).first()
    if note is None:
        raise Http404(_("没有这条工资条疑问。"))
    return note


def slip_workers(scope: Scope, month: dt.date, workshop_id: int | None = None) -> list[Worker]:
    """The workers ``scope`` manages with a pay line or a slip note in ``month`` (its first day), by
    workshop and name: whose wage slips the head prints. One query."""
    qs = workers_for(scope)
    if workshop_id is not None:
        qs = qs.filter(workshop_id=workshop_id)
    return list(
        qs.filter(Q(pay_lines__month=month) | Q(slip_notes__month=month))
        .distinct()
        .order_by("workshop_id", "name", "id")
    )
