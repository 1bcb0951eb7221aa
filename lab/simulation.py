"""Drive N days of realistic work through the real flow (the ``simulate`` command).

Seeded: the same seed gives the same workers' speeds and defect rates and the same stream of jobs and
answers; the outcome still varies a little from run to run, because two Celery processes plan offers in
whatever order they pick tasks up. Run it on a fresh database to compare runs.

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
- firms inspect what was sent the day before, with each worker's own defect rate (1–6 %); 70 % of
  rejected pieces go back as rework.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import require_worker, wait_until_idle
from dispatch import reports, services, tasks
from dispatch.models import Assignment, AssignmentState, IllegalTransition, Job, JobState
from dispatch.priors import PRIOR_PIECES_PER_HOUR
from materials import selectors as material_selectors
from materials import services as materials
from materials.demo import bom_for_line
from materials.models import Balance
from materials.quantities import kit_quantity, use_for
from workshop.models import FirmStaff, ProductionLine, Worker, Workshop

from .fairness import compare_policies
from .workload import day_job_specs


@dataclass
class SimResult:
    days: int
    seed: int
    figures: dict
    invariants: list[dict]
    counters: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "days": self.days,
            "seed": self.seed,
            **self.figures,
            "invariants": self.invariants,
            "events": self.counters,
        }


class Simulation:
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
        self.workers = list(Worker.objects.filter(workshop=workshop, active=True).select_related("user"))
        wrng = random.Random(seed * 7919)
        self.speed = {w.pk: wrng.uniform(0.8, 1.2) for w in self.workers}
        self.defect = {w.pk: wrng.uniform(0.01, 0.06) for w in self.workers}
        self.lines = list(
            ProductionLine.objects.filter(pairings__workshop=workshop, pairings__active=True, active=True)
            .select_related("firm")
            .distinct()
        )
        self.clerks = {s.firm_id: s.user for s in FirmStaff.objects.select_related("user")}
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

    # --- helpers -----------------------------------------------------------------------------------
    def _idle(self) -> None:
        wait_until_idle(timeout=300)

    def _workshop_jobs(self, *states):
        # People handle all of the workshop's work, not only this run's: work left by an earlier run or
        # the demo jobs would otherwise hold workers' time forever. The figures count this run's jobs.
        return Job.objects.filter(workshop=self.workshop, state__in=states).select_related("line", "workshop")

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
            self.job_ids.append(job.pk)
            self.run_job_ids.add(job.pk)
            self.counters["jobs_issued"] += 1

    # --- supplied materials ----------------------------------------------------------------------
    def receive_materials(self, job) -> None:
        """The firm's material arrives: what the kits need plus 2 %, sometimes in two deliveries; cloth
        measures up to 5 % more than invoiced (it stretches); now and then a few parts come damaged."""
        head = self.workshop.head
        for line in job.bom_lines.all():
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
        """The worker takes her kit; when the store is short (each kit rounds up on its own, so many small
        shares need more than the job's total), the head asks the firm for the difference first."""
        try:
            materials.kit_issue(assignment=a, actor=self.workshop.head)
        except ValidationError:
            if self.top_up(a.job, a.pieces):
                materials.kit_issue(assignment=a, actor=self.workshop.head)
        if a.worker_id in self.careless:
            # The careless few take about 3 % more than the kit (and later bring back only half).
            for line in a.job.bom_lines.all():
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
        lines = list(job.bom_lines.all())
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
        for line in a.job.bom_lines.all():
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
        for b in held:
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
        for b in leftovers:
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
        for a in (
            Assignment.objects.filter(job__workshop=self.workshop, state=AssignmentState.ACCEPTED)
            .select_related("worker__user", "job")
            .order_by("-kind", "due_on", "pk")
        ):
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
            for a in job.assignments.filter(state=AssignmentState.DONE):
                n = a.pieces_uninspected
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
                        a.pk, n - rejected, rejected, rework, "毛刺/漏装" if rejected else ""
                    )
                )
            clerk = self.clerks[job.line.firm_id]
            try:
                services.job_inspect(actor=clerk, job=job, results=results, notes="抽检+全检")
                self.counters["inspections"] += 1
            except (ValidationError, IllegalTransition):
                continue

    def run(self) -> SimResult:
        require_worker()
        start = timezone.localdate()
        for day in range(self.days):
            weekday = (start + dt.timedelta(days=day)).weekday()
            self.inspect()
            self._idle()
            self.issue_jobs(day)
            self._idle()
            self.head_decides()
            self._idle()
            for _round in range(3):
                self.answer_offers()
                self._idle()
            self.work(day, weekday)
            self._idle()
            self.close_materials()
            self.expire_overnight()
            self._idle()
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
        figures["fairness"] = compare_policies(self.workshop, days=self.fairness_days, seed=self.seed)
        figures["fairness_days"] = self.fairness_days
        return SimResult(self.days, self.seed, figures, invariants, self.counters)


OPEN_SHARE = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)


def _part(line, total: Decimal, share: float) -> Decimal:
    """About ``share`` of ``total``: whole units for a whole unit, 0.001 for a measured one."""
    part = total * Decimal(str(share))
    return part.to_integral_value(rounding="ROUND_FLOOR") if line.whole else part.quantize(Decimal("0.001"))
