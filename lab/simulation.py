"""Drive N days of realistic work through the real flow (the ``simulate`` command).

Reproducible: the same seed on a freshly seeded database gives the same figures, to the fen, on every
run and machine (``as_json`` less its ``timings``; ``tests/lab/test_simulate_reproducible.py`` holds it to
that). What that takes:
- every draw comes from a generator made from the seed (``random.Random``; never the module's global
  one), drawn in id order: workers, lines, jobs, shares and material lines are read ``order_by("pk")``,
  never in whatever order the database returns rows (the planner reads its workers in id order too);
- the simulated week is the day's index (day 0 a Monday, every 7th day a Sunday), not the weekday of the
  real date the run starts on;
- planning offers reads every open job of the workshop, so the simulation waits for the worker after each
  step that queues planning (a job issued, accepted, an offer declined), and the worker must have one
  process (``celery worker -c 1``; ``make simulate`` starts it so): two would take tasks in a racing order;
- the couriers' routes are searched to their local optimum (``simcourier.ROUTE_TIME_LIMIT_S`` is only
  a safety net), never cut by a time limit that a slower machine reaches sooner;
- the run starts from the database as ``seed_demo`` leaves it: a second run on the same database starts
  from the first one's work and pay, and its figures differ (``make simulate`` uses a fresh database).
Still read from the real clock by the flow's services and the worker: today's date. Due dates are days
from it, so that cancels out, except in the planner's income gap (pay this year against the income goal
pro rata to the day of the year) and in a run that crosses midnight: two runs agree when made on the
same date, and ``timings`` gives the dates.

Every step calls the same services the pages call, and every follow-up (auto-accept, planning offers,
expiring offers, completing and sending jobs for inspection, booking pay and rework) is done by a real
Celery worker consuming from Redis: this module only waits for the broker to fall idle between steps.

The model, per simulated day:
- each production line issues a job with probability ``issue_prob``; quantities are sized so the
  workshop's workers are about 80 % busy; piece rates are about 65 % of the line's in-house cost
  (times ``rate_scale``);
- the head accepts what the auto-accept rule left (and declines about 3 %);
- workers accept 88 % of offers, decline 5 %, ignore 7 % (ignored offers expire overnight and go to others);
- each worker makes ``hours_per_week / 6`` hours a day (Sundays off) at their own speed (the planning
  prior × 0.8–1.2) and reports it, rework first; 2 % of reports are sent twice (a retry) with the same key;
- a finished job stops at 待交货 (completed). Every day but Sunday the workshop's runs are planned, and each
  courier sets off, checks off every stop in order and comes back (``lab.courierday``): a home share's kit
  is delivered (she starts work only once it is there), reported pieces are collected, written delivery
  notes are handed over at the firms' gates (a lot too big for any vehicle is fetched by the firm's
  truck). About 10 % of doors have nobody home (the stop comes back in the next plan); now and then a
  collection is counted a piece or two short (the rest is fetched later); 2 % of check-offs are sent
  twice with the same key;
- in the evening the head writes a delivery note for each completed job whose goods are all at the
  workshop, or after ``NOTE_WAIT_DAYS`` days with what is there; it goes out on the next day's run and the
  firm counts it in that day (5 % of lots a piece short), which sends the job to inspection;
- firms inspect what they counted in the day before, with each worker's own defect rate (1–6 %); 70 % of
  rejected pieces go back as rework.

The courier's randomness has a generator of its own (``seed``-derived), so the same seed gives the same
logistics figures when the flow's ordering is the same (one Celery worker, as the tests run it).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import require_worker, wait_until_idle
from dispatch import reports, services, tasks
from dispatch.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeliveryMode,
    IllegalTransition,
    Job,
    JobState,
)
from dispatch.priors import PRIOR_PIECES_PER_HOUR
from logistics import selectors as logistics_selectors
from materials import selectors as material_selectors
from materials import services as materials
from materials.demo import bom_for_line
from materials.models import Balance, BomLine
from materials.quantities import kit_quantity, use_for
from workshop.models import FirmStaff, ProductionLine, Worker, Workshop

from . import simpay
from .courierday import next_free_day
from .fairness import compare_policies
from .simcourier import CourierRounds
from .workload import day_job_specs, defect_reason

# The one key of ``SimResult.as_json`` whose values differ between runs of the same seed.
TIMINGS_KEY = "timings"


@dataclass
class SimResult:
    days: int
    seed: int
    figures: dict
    invariants: list[dict]
    counters: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """The run as one dict of plain JSON types (the ``simulate --json`` line; dump it with sorted keys):
        ``days``, ``seed``, the flow's figures (``dispatch.reports.flow_figures``: money as decimal strings
        of yuan to the fen), ``materials``, ``logistics``, ``fairness``, ``fairness_days``, ``pay`` (the
        month's end, ``lab.simpay.month_end``), ``impact`` (``pay.impact.impact_summary``), ``invariants``
        [{name, ok}], ``events`` {counter: int}, and under ``timings`` (``TIMINGS_KEY``) what the machine
        and the clock decide: ``elapsed_s``, ``per_day_s`` (seconds, floats), ``started_on`` and ``ended_on``
        (the real dates, ISO, Asia/Shanghai, that the flow's services read: runs compare only when these
        agree). Everything but ``timings`` is the same for the same seed on a freshly seeded database.
        Figures added later go here."""
        return {
            "days": self.days,
            "seed": self.seed,
            **self.figures,
            "invariants": self.invariants,
            "events": self.counters,
            TIMINGS_KEY: self.timings,
        }


def without_timings(result: dict) -> dict:
    """``result`` (an ``as_json`` dict) less its ``timings``: what two runs of one seed agree on."""
    return {k: v for k, v in result.items() if k != TIMINGS_KEY}


class Simulation(CourierRounds):
    def __init__(
        self,
        *,
        workshop: Workshop,
        days: int,
        seed: int = 1,
        rate_scale: Decimal = Decimal("1"),
        issue_prob: float = 0.6,
        fairness_days: int = 90,
        log=None,
    ):
        self.fairness_days = fairness_days
        self.workshop, self.days, self.seed = workshop, days, seed
        self.rate_scale = Decimal(rate_scale)
        self.issue_prob = issue_prob
        self.rng = random.Random(seed)
        self.log = log or (lambda msg: None)
        # Every list the draws walk is in id order: the rows' order is the database's to choose.
        self.workers = list(
            Worker.objects.filter(workshop=workshop, active=True).select_related("user").order_by("pk")
        )
        wrng = random.Random(seed * 7919)
        self.speed = {w.pk: wrng.uniform(0.8, 1.2) for w in self.workers}
        self.defect = {w.pk: wrng.uniform(0.01, 0.06) for w in self.workers}
        self.lines = list(
            ProductionLine.objects.filter(pairings__workshop=workshop, pairings__active=True, active=True)
            .select_related("firm")
            .distinct()
            .order_by("pk")
        )
        self.clerks = {}  # firm id → the firm's first staff member, who issues and inspects
        for s in FirmStaff.objects.select_related("user").order_by("pk"):
            self.clerks.setdefault(s.firm_id, s.user)
        self.job_ids: list[int] = []
        self.run_job_ids: set[int] = set()
        self.reported_pieces = 0
        self.counters = {
            "jobs_issued": 0,
            "declined_jobs": 0,
            "offers_accepted": 0,
            "offers_declined": 0,
            "offers_ignored": 0,
            "reports": 0,
            "duplicate_reports": 0,
            "inspections": 0,
            "reports_refused_for_material": 0,
            "materials_topped_up": 0,
        }
        # The careless few (the highest defect rates) bring back only part of what is left of their kits.
        self.careless = set(sorted(self.defect, key=self.defect.get, reverse=True)[:3])
        self.replaced: set[int] = set()
        self.run_tag = f"{timezone.now():%Y%m%d%H%M%S%f}-{seed}"
        # The courier's day: doors answering, counts, the firm's count. A generator of its own, so the
        # flow's draws stay as they were.
        self.lrng = random.Random(seed * 104729 + 11)
        self.first_run_day = next_free_day(workshop)
        self.done_day: dict[int, int] = {}  # job id → the simulated day its current round was completed
        self.done_to_handover: list[int] = []  # days, one per lot handed over of this run's jobs
        self.run_ids: list[int] = []
        self.logistics = {
            "runs": 0,
            "stops": 0,
            "delivered": 0,
            "collected": 0,
            "handed_over": 0,
            "fetched_by_firm": 0,
            "nobody_home": 0,
            "unscheduled": 0,
            "pieces_collected": 0,
            "short_collections": 0,
            "short_lots": 0,
            "notes": 0,
            "notes_with_pieces_away": 0,
            "checkoffs_sent_twice": 0,
        }

    # --- helpers -----------------------------------------------------------------------------------
    def _idle(self) -> None:
        wait_until_idle(timeout=300)

    def _workshop_jobs(self, *states):
        # People handle all of the workshop's work, not only this run's: work left by an earlier run or
        # the demo jobs would otherwise hold workers' time forever. The figures count this run's jobs.
        return (
            Job.objects.filter(workshop=self.workshop, state__in=states)
            .select_related("line", "workshop")
            .order_by("pk")
        )

    # --- the day's steps ---------------------------------------------------------------------------
    def issue_jobs(self, day: int) -> None:
        for spec in day_job_specs(
            self.lines,
            self.workers,
            self.speed,
            self.rng,
            issue_prob=self.issue_prob,
            rate_scale=self.rate_scale,
        ):
            line = spec.line
            job = services.job_issue(
                actor=self.clerks[line.firm_id],
                workshop=self.workshop,
                line=line,
                title=f"{line.name} 第{day + 1}天",
                quantity=spec.quantity,
                piece_rate=spec.rate,
                due_on=timezone.localdate() + dt.timedelta(days=spec.lead_days),
                instructions="按样品加工,轻拿轻放。",
                bom=bom_for_line(line),
            )
            self.receive_materials(job)
            self._idle()  # the auto-accept rule and its planning, before the next job (see run's docstring)
            self.job_ids.append(job.pk)
            self.run_job_ids.add(job.pk)
            self.counters["jobs_issued"] += 1

    # --- supplied materials ----------------------------------------------------------------------
    def receive_materials(self, job) -> None:
        """The firm's material arrives: what the kits need plus 2 %, sometimes in two deliveries; cloth
        measures up to 5 % more than invoiced (it stretches); now and then a few parts come damaged."""
        head = self.workshop.head
        for line in job.bom_lines.order_by("pk"):
            total = kit_quantity(line, math.ceil(job.quantity * 1.02))
            if not line.whole:
                total = (total * Decimal(str(round(self.rng.uniform(1.0, 1.05), 3)))).quantize(
                    Decimal("0.001")
                )
            parts = [total] if self.rng.random() < 0.8 else [_part(line, total, 0.6), None]
            got = Decimal("0")
            for part in parts:
                q = total - got if part is None else part
                if q > 0:
                    materials.material_receive(
                        line=line, quantity_received=q, actor=head, note="来料入库", confirm_over=True
                    )
                    got += q
            if line.whole and self.rng.random() < 0.05:
                materials.material_scrap(line=line, quantity_scrapped=1, actor=head, reason="来料破损")

    def hand_kit(self, a: Assignment) -> None:
        """The worker takes her kit (rounded on the job's running total, so the kits add up to the job's
        own); when the store is short (the careless few took extra), the head asks the firm for the
        difference first. A home
        share's kit comes with the courier instead (``courier_round``)."""
        if a.delivery == DeliveryMode.HOME:
            return
        try:
            materials.kit_issue(assignment=a, actor=self.workshop.head)
        except ValidationError:
            if self.top_up(a.job, a.pieces):
                materials.kit_issue(assignment=a, actor=self.workshop.head)
        if a.worker_id in self.careless:
            # The careless few take about 3 % more than the kit (and later bring back only half).
            for line in a.job.bom_lines.order_by("pk"):
                extra = max(_part(line, kit_quantity(line, a.pieces), 0.03), Decimal("1"))
                try:
                    materials.material_issue(
                        line=line,
                        worker=a.worker,
                        quantity_issued=extra,
                        actor=self.workshop.head,
                        reason="多领",
                    )
                except ValidationError:
                    continue

    def top_up(self, job, pieces: int) -> bool:
        """The firm sends what ``pieces`` more of ``job`` need (企业补发); False for a job without any."""
        lines = list(job.bom_lines.order_by("pk"))
        for line in lines:
            materials.material_receive(
                line=line,
                quantity_received=kit_quantity(line, pieces),
                actor=self.workshop.head,
                note="企业补发",
                confirm_over=True,  # the firm sends what the kits' rounding took beyond the job's total
            )
        self.counters["materials_topped_up"] += bool(lines)
        return bool(lines)

    def replacement_parts(self, a: Assignment) -> None:
        """Half of the rework needs new parts (a cracked panel, a torn seam): issued once per rework share."""
        if a.pk in self.replaced:
            return
        self.replaced.add(a.pk)
        if self.rng.random() < 0.5:
            return
        for line in a.job.bom_lines.order_by("pk"):
            try:
                materials.material_issue(
                    line=line,
                    worker=a.worker,
                    quantity_issued=use_for(line, a.pieces),
                    actor=self.workshop.head,
                    reason="返工换件",
                    assignment=a,
                )
            except ValidationError:
                continue

    def close_materials(self) -> None:
        """A worker whose work on a job is done brings back what is left of her kits (the careless few,
        half of it; the rest is written off as lost); a settled job's leftovers go back to the firm."""
        head = self.workshop.head
        open_pairs = set(
            Assignment.objects.filter(job__workshop=self.workshop, state__in=OPEN_SHARE).values_list(
                "job_id", "worker_id"
            )
        )
        held = Balance.objects.filter(
            line__job__workshop=self.workshop, holder="worker", quantity__gt=0
        ).select_related("line", "worker")
        for b in held.order_by("pk"):
            if (b.line.job_id, b.worker_id) in open_pairs:
                continue
            line, worker = b.line, b.worker
            back = _part(line, b.quantity, 0.5) if worker.pk in self.careless else b.quantity
            if back > 0:
                materials.material_return(line=line, worker=worker, quantity_returned=back, actor=head)
            materials.material_write_off(line=line, worker=worker, actor=head, reason="余料未退回")
        leftovers = Balance.objects.filter(
            line__job__workshop=self.workshop,
            line__job__state=JobState.SETTLED,
            holder="store",
            quantity__gt=0,
        ).select_related("line")
        for b in leftovers.order_by("pk"):
            materials.material_return_to_firm(
                line=b.line, quantity_returned=b.quantity, actor=head, note="余料退回企业"
            )

    def head_decides(self) -> None:
        head = self.workshop.head
        for job in self._workshop_jobs(JobState.ISSUED):
            try:
                if self.rng.random() < 0.03:
                    services.job_decline(actor=head, job=job, reason="人手不足,本周无法承接")
                    self.counters["declined_jobs"] += 1
                else:
                    services.job_accept(actor=head, job=job)
                    self._idle()  # this job's offers are planned before the next job is accepted
            except IllegalTransition:
                continue  # the auto-accept rule got there first

    def answer_offers(self) -> None:
        offers = Assignment.objects.filter(
            job__workshop=self.workshop, state=AssignmentState.OFFERED
        ).select_related("worker__user")
        for a in offers.order_by("job_id", "worker_id"):
            roll = self.rng.random()
            try:
                if roll < 0.88:
                    services.assignment_accept(actor=a.worker.user, assignment=a)
                    self.counters["offers_accepted"] += 1
                    self.hand_kit(a)
                elif roll < 0.93:
                    services.assignment_decline(actor=a.worker.user, assignment=a, reason="这几天家里有事")
                    self.counters["offers_declined"] += 1
                    self._idle()  # the declined pieces are offered again before the next answer
                else:
                    self.counters["offers_ignored"] += 1
            except (IllegalTransition, ValidationError):
                continue

    def expire_overnight(self) -> None:
        tomorrow = timezone.now() + dt.timedelta(hours=48)
        tasks.expire_stale_offers.delay(now=tomorrow.isoformat())
        tasks.replan_unassigned_jobs.delay()

    def work(self, day: int, weekday: int) -> None:
        if weekday == 6:
            return  # Sunday
        open_by_worker: dict[int, list[Assignment]] = {}
        accepted = list(
            Assignment.objects.filter(job__workshop=self.workshop, state=AssignmentState.ACCEPTED)
            .select_related("worker__user", "job")
            .order_by("-kind", "due_on", "pk")
        )
        with_bom = set(
            BomLine.objects.filter(job_id__in={a.job_id for a in accepted}).values_list("job_id", flat=True)
        )
        waiting = {
            a.pk
            for a in accepted
            if a.delivery == DeliveryMode.HOME and a.kind == AssignmentKind.FIRST and a.job_id in with_bom
        }
        # A home worker starts once the courier has brought her kit.
        waiting -= logistics_selectors.kits_delivered(waiting)
        for a in accepted:
            if a.pk not in waiting:
                open_by_worker.setdefault(a.worker_id, []).append(a)
        for worker_id, items in open_by_worker.items():
            hours = items[0].worker.hours_per_week / 6 * self.rng.uniform(0.85, 1.1)
            for a in items:
                if hours <= 0:
                    break
                rate = PRIOR_PIECES_PER_HOUR[a.job.process_kind] * self.speed[worker_id]
                pieces = min(a.pieces_to_do, int(hours * rate))
                if pieces <= 0:
                    break
                hours -= pieces / rate
                key = f"sim-{self.run_tag}-{day}-{a.pk}"
                if a.kind == "rework":
                    self.replacement_parts(a)
                try:
                    services.work_report(actor=a.worker.user, assignment=a, pieces=pieces, key=key)
                except ValidationError:
                    # Refused: the books hold too little material for these pieces. The head gets it in
                    # from the firm and the worker reports again.
                    self.counters["reports_refused_for_material"] += 1
                    if not self.top_up(a.job, pieces):
                        raise
                    services.work_report(actor=a.worker.user, assignment=a, pieces=pieces, key=key)
                if a.job_id in self.run_job_ids:
                    self.reported_pieces += pieces
                self.counters["reports"] += 1
                if self.rng.random() < 0.02:
                    _, created = services.work_report(
                        actor=a.worker.user, assignment=a, pieces=pieces, key=key
                    )
                    self.counters["duplicate_reports"] += 1
                    assert not created

    def inspect(self) -> None:
        for job in self._workshop_jobs(JobState.INSPECTING):
            results = []
            for a in job.assignments.filter(state=AssignmentState.DONE).order_by("pk"):
                n = a.pieces_to_inspect
                if n <= 0:
                    continue
                p = self.defect[a.worker_id]
                rejected = (
                    sum(1 for _ in range(n) if self.rng.random() < p)
                    if n < 400
                    else max(0, int(round(self.rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))
                )
                rejected = min(rejected, n)
                rework = int(rejected * 0.7)
                results.append(
                    services.ResultInput(
                        a.pk,
                        n - rejected,
                        rejected,
                        rework,
                        defect_reason(job.process_kind, a.worker_id) if rejected else "",
                    )
                )
            clerk = self.clerks[job.line.firm_id]
            try:
                services.job_inspect(actor=clerk, job=job, results=results, notes="抽检+全检")
                self.counters["inspections"] += 1
            except (ValidationError, IllegalTransition):
                continue

    def run(self) -> SimResult:
        """Drive the days and gather the figures (see the module's docstring). Raises RuntimeError without
        a worker, TimeoutError when the worker stays busy for 5 minutes."""
        require_worker()
        started, start_date = time.perf_counter(), timezone.localdate()
        per_day: list[float] = []
        self._idle()  # what seed_demo's jobs queued is done before the first day
        for day in range(self.days):
            day_started = time.perf_counter()
            weekday = day % 7  # the simulated week: day 0 a Monday, whatever the real date
            self.inspect()
            self._idle()
            self.issue_jobs(day)
            self._idle()
            self.head_decides()
            self._idle()
            for _round in range(3):
                self.answer_offers()
                self._idle()
            if weekday != 6:  # couriers rest on Sunday too
                self.courier_round(day)
                self._idle()
            self.work(day, weekday)
            self._idle()
            self.write_notes(day)
            self._idle()
            self.close_materials()
            self.expire_overnight()
            self._idle()
            per_day.append(round(time.perf_counter() - day_started, 3))
            self.log(
                f"day {day + 1}/{self.days}: {len(self.job_ids)} jobs, {self.reported_pieces} pieces reported"
            )
        jobs = Job.objects.filter(pk__in=self.job_ids)
        figures = reports.flow_figures(
            jobs=jobs, workers=reports.active_workers([self.workshop.pk]), days=self.days
        )
        invariants = reports.check_invariants(jobs=jobs, expected_report_pieces=self.reported_pieces)
        figures["materials"] = material_selectors.materials_figures(jobs)
        invariants.append(
            {
                "name": "materials: kept balances equal the ledger, none negative, every kind balances",
                "ok": all(material_selectors.balances_agree(job) for job in jobs)
                and all(f["balance_holds"] for f in figures["materials"].values()),
            }
        )
        invariants.append(
            {
                "name": "materials: every job of the workshop (couriers' loads too) agrees with its ledger",
                "ok": all(
                    material_selectors.balances_agree(job)
                    for job in Job.objects.filter(workshop=self.workshop)
                ),
            }
        )
        invariants += self.logistics_invariants()
        figures["logistics"] = self.logistics_figures()
        figures["fairness"] = compare_policies(self.workshop, days=self.fairness_days, seed=self.seed)
        figures["fairness_days"] = self.fairness_days
        figures["pay"] = simpay.month_end(self.workshop, self.job_ids, seed=self.seed)
        figures["impact"] = simpay.impact(self.workshop)
        timings = {
            "elapsed_s": round(time.perf_counter() - started, 3),
            "per_day_s": per_day,
            "started_on": start_date.isoformat(),
            "ended_on": timezone.localdate().isoformat(),
        }
        return SimResult(self.days, self.seed, figures, invariants, self.counters, timings)


OPEN_SHARE = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)


def _part(line, total: Decimal, share: float) -> Decimal:
    """About ``share`` of ``total``: whole units for a whole unit, 0.001 for a measured one."""
    part = total * Decimal(str(share))
    return part.to_integral_value(rounding="ROUND_FLOOR") if line.whole else part.quantize(Decimal("0.001"))
