"""A season of the demo workshop's history, played in memory by the flow's rules (演示数据:一季度的历史).

``make run`` would otherwise open on a workshop with one day of history: empty charts, a year's figures
from one day's pay. ``Season`` plays ``days`` days before today (Asia/Shanghai dates; Sundays off, as in
``simulate``) on the demo workshop's real workers, lines and pairings, and ``lab.seasonrows`` writes what
happened as rows in a few bulk inserts, then closes and pays the past months through the pay services.

Played by the same rules the services hold (each step names the service whose rows it writes):
- firms issue the day's jobs (``workload.day_job_specs``, the kind of work ``simulate`` issues, at its
  rates × ``RATE_SCALE``; the line's bill of materials, ``materials.demo.bom_for_line``; the pairing's
  operator fee) → ``job_issue``;
- the pairing's auto-accept rule takes what it covers (the system, "自动接单规则"), the head the rest
  (3 % declined) → ``job_accept`` / ``job_decline``; the firm's material is counted in → ``material_receive``;
- every morning the real planner (``dispatch.optimiser.plan_day``) splits all open pieces among the
  workers who have joined, with the profile ``dispatch.planning`` builds (hours, speed, quality, income
  gap against the pro-rata goal since joining, rotation, work held) and its reasons → ``assignment_offer``;
  workers accept 90 % (the kit handed over: ``kit_issue``, topped up by the firm when the store is short),
  decline 4 % and let 6 % expire overnight; declined and expired pieces go to others, never the same worker;
- each worker makes her hours' worth (her own speed, earliest due first) and reports it every evening,
  using her kit's material by the bill of materials; a finished share brings back its leftover kit →
  ``work_report``, ``consume_for_report``, ``material_return``; the last share completes the job;
- the next working morning the head writes the lot's delivery note and takes it to the firm with the
  store's leftovers (``note_prepare``, ``note_send``: the job handed over), the firm's clerk counts it in
  that morning (``note_receive``) and inspects it that afternoon or the next morning, with each worker's
  own defect rate (``job_inspect``); booking (``inspection_book``) writes a pay line per passed result at
  the job's worker rate and settles the job.

What a real season has that this one leaves out (the pages show none of it for past days): door runs (the
home workers fetched their kits and brought their pieces, so every share is 到工坊领料), bundle tickets,
rework, corrections, messages. Jobs still open yesterday stay as they were (in production, waiting for the
firm, offers unanswered), so the board and the to-do lists have today's work.

Deterministic: the same ``seed`` on the same date gives the same rows (draws from one generator, every
list in id order). Pure Python: ``play`` reads the workshop and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from dispatch import optimiser
from dispatch.models import (
    Assignment,
    AssignmentState,
    DeliveryMode,
    Job,
    JobState,
    WorkReport,
)
from dispatch.planning import QUALITY_PRIOR, ROTATION_DAYS
from dispatch.priors import PRIOR_PIECES_PER_HOUR
from materials.demo import bom_for_line
from materials.models import BomLine, MovementKind
from materials.quantities import kit_quantity, use_for
from materials.services import bom_input_check
from pay import money
from workshop.models import Worker

from .seasonbook import HOLDING, OPEN, PlayedJob, PlayedShare, Rows, aware
from .seasonfirm import FirmRounds
from .workload import day_job_specs

ISSUE_PROB = 0.4  # fewer, larger jobs than simulate's 0.6: the same work in fewer rows
# Rates 78–91 % of the lines' in-house cost (simulate's 60–70 % × 1.3): what a head who reads the minimum
# wage check before accepting agrees to; most jobs pay the part-time minimum at the median speed.
RATE_SCALE = Decimal("1.3")
ACCEPT, DECLINE = 0.90, 0.94  # a worker's answer: accept below 0.90, decline below 0.94, else ignore
HEAD_DECLINES = 0.03
# What the lines make, for the jobs' titles (else the line's name).
PRODUCTS = {
    "开关面板装配线": ["86型开关面板装配", "双控开关组装"],
    "插座组件装配线": ["五孔插座组件装配", "插座铜片压装"],
    "童装辅料缝制线": ["童装领口包边", "童装袖口罗纹缝制"],
    "环保布袋加工线": ["环保布袋缝提手", "帆布袋翻边"],
    "礼盒包装线": ["茶叶礼盒包装", "糕点礼盒折盒装箱"],
    "紧固件分拣装配线": ["紧固件分拣装配", "螺栓垫片套装"],
    "毛巾折叠包装线": ["毛巾折叠装袋", "浴巾套装包装"],
    "布艺修剪线": ["布艺抱枕修线头", "窗帘辅料修剪"],
}


class Season(FirmRounds):
    """Plays ``days`` days of the demo ``workshop`` ending yesterday (``today`` − 1); ``play()`` returns
    the ``Rows``. Reads the workshop's workers, lines, pairings and clerks; writes nothing."""

    # --- the days -----------------------------------------------------------------------------------
    def play(self) -> Rows:
        """Play every day from ``today − days`` to yesterday and return the rows (see the module)."""
        for i in range(self.days):
            day = self.start + dt.timedelta(days=i)
            if day.month == 1 and day.day == 1:
                self.earned = {pk: Decimal(0) for pk in self.earned}  # the income goal is a year's
            sunday = day.weekday() == 6
            if not sunday:
                self.hand_over(day)  # 08:00–08:30
                self.issue(day)  # 08:30–09:30, decided by 10:00
                self.plan(day)  # 10:00–10:30
                self.receive(day)  # 10:30–11:00
            self.expire(day)  # 11:00, every day (the sweep never rests)
            if not sunday:
                self.answer(day)  # 11:05–16:00
                self.inspect(day)  # 09:00–10:00 (yesterday's lots) and 14:00–15:30
                self.work(day)  # 17:00–20:30
        return self.rows

    def issue(self, day: dt.date) -> None:
        """The firms' jobs of the day (``job_issue``), each accepted by the pairing's rule or decided by
        the head (``job_accept`` / ``job_decline``), and the accepted ones' material counted in."""
        pool = self._pool(day)
        for spec in day_job_specs(
            self.lines, pool, self.speed, self.rng, issue_prob=ISSUE_PROB, rate_scale=RATE_SCALE
        ):
            line, clerk = spec.line, self.clerks.get(spec.line.firm_id)
            pairing = self.pairings.get(line.firm_id)
            if clerk is None or pairing is None:
                continue
            fee = money.operator_fee_per_piece(
                spec.rate, kind=pairing.operator_fee_kind, value=pairing.operator_fee_value
            )
            if fee >= spec.rate:
                continue  # job_issue refuses a fee that leaves the worker nothing
            issued_at = self._at(day, "08:30", "09:30")
            product = self.rng.choice(PRODUCTS.get(line.name) or [line.name])
            job = Job(
                workshop=self.ws,
                line=line,
                title=f"{product} {day:%m%d}批",
                process_kind=line.process_kind,
                quantity=spec.quantity,
                piece_rate=spec.rate,
                operator_fee_per_piece=fee,
                due_on=day + dt.timedelta(days=spec.lead_days),
                instructions="按样品加工,轻拿轻放。",
                bundle_size=50,
                issued_by=clerk,
                issued_at=issued_at,
                updated_at=issued_at,
                state="",
            )
            bom = [
                BomLine(
                    job=job,
                    material=b.material,
                    unit=b.unit,
                    per_piece=b.per_piece,
                    loss_pct=b.loss_pct,
                    unit_price=b.unit_price,
                )
                for b in (bom_input_check(raw, n) for n, raw in enumerate(bom_for_line(line), start=1))
            ]
            played = PlayedJob(row=job, n=len(self.rows.jobs) + 1, bom=bom)
            self.rows.jobs.append(played)
            self._event(job, job, JobState.ISSUED, clerk, issued_at)
            if pairing.auto_accepts(quantity=spec.quantity, lead_days=spec.lead_days):
                accepted_at = issued_at + dt.timedelta(minutes=1)
                self._event(job, job, JobState.ACCEPTED, None, accepted_at, gettext_noop("自动接单规则"))
            elif self.rng.random() < HEAD_DECLINES:
                job.updated_at = self._at(day, "09:35", "09:59")
                self._event(job, job, JobState.DECLINED, self.head, job.updated_at, "人手不足,本周无法承接")
                continue
            else:
                accepted_at = self._at(day, "09:35", "09:59")
                self._event(job, job, JobState.ACCEPTED, self.head, accepted_at)
            for b in bom:
                q = kit_quantity(b, math.ceil(job.quantity * 1.02))
                if not b.whole:  # cloth and thread measure a little over what was invoiced
                    q = (q * Decimal(str(round(self.rng.uniform(1.0, 1.03), 3)))).quantize(Decimal("0.001"))
                self._move(
                    b,
                    MovementKind.RECEIVE,
                    q,
                    accepted_at + dt.timedelta(minutes=5),
                    actor=self.head,
                    reason="来料入库",
                )
            job.updated_at = accepted_at

    def _profiles(self, day: dt.date, pool: list[Worker], held: dict[int, float]) -> list:
        """The planner's view of ``pool`` on ``day``, as ``dispatch.planning.worker_profiles`` builds it
        from the ledger (here from what the season has played so far)."""
        since = day - dt.timedelta(days=ROTATION_DAYS)
        recent: dict[int, int] = {}
        for d, wid, n in self.offered_log:
            if d > since:
                recent[wid] = recent.get(wid, 0) + n
        recent_total = sum(recent.values())
        year_start = day.replace(month=1, day=1)
        out = []
        for w in pool:
            start = max(year_start, self.joined[w.pk])
            goal = money.INCOME_GOAL_YUAN.get(w.employment, money.INCOME_GOAL_YUAN["part_time"])
            expected = float(goal) * max((day - start).days + 1, 1) / 365
            p, r = self.passed[w.pk]
            ok, n = self.on_time[w.pk]
            out.append(
                optimiser.WorkerProfile(
                    id=w.pk,
                    workshop_id=self.ws.pk,
                    skills=frozenset(w.skills or ()),
                    hours_per_day=w.hours_per_week / 6,
                    speed=self.speed[w.pk],
                    quality=(p + QUALITY_PRIOR[0]) / (p + r + sum(QUALITY_PRIOR)),
                    low_income=w.low_income,
                    income_gap=max(0.0, 1.0 - float(self.earned[w.pk]) / expected) if expected else 0.0,
                    recent_share=recent.get(w.pk, 0) / recent_total if recent_total else 0.0,
                    open_seconds=round(held.get(w.pk, 0.0)),
                    on_time=ok / n if n else None,
                    home=w.work_place == "home",
                    arrival=w.pk,
                )
            )
        return out

    def plan(self, day: dt.date) -> None:
        """Every open job's unassigned pieces planned together (``optimiser.plan_day``, as
        ``workshop_plan_offers``) and offered (``assignment_offer``, reasons and all)."""
        jobs = [
            j
            for j in self.rows.jobs
            if j.row.state in (JobState.ACCEPTED, JobState.IN_PROGRESS) and j.unassigned > 0
        ]
        if not jobs:
            return
        held: dict[int, float] = {}
        for j in self.rows.jobs:
            for s in j.shares:
                if s.row.state in (AssignmentState.OFFERED, AssignmentState.ACCEPTED):
                    sec = optimiser.SECONDS_PER_PIECE[j.row.process_kind]
                    held[s.row.worker_id] = held.get(s.row.worker_id, 0.0) + s.left * sec
        needs = [
            optimiser.JobNeed(
                id=j.n,
                workshop_id=self.ws.pk,
                kind=j.row.process_kind,
                pieces=j.unassigned,
                due_days=max((j.row.due_on - day).days + 1, 1),
                order=j.n,
                excluded=frozenset(j.excluded),
            )
            for j in jobs
        ]
        pool = self._pool(day)
        by_n = {j.n: j for j in jobs}
        workers = {w.pk: w for w in pool}
        at = self._at(day, "10:00", "10:10")
        suggestions = sorted(
            optimiser.plan_day(needs, self._profiles(day, pool, held)).suggestions,
            key=lambda s: (s.job_id, -s.pieces, s.worker_id),
        )
        for s in suggestions:
            j, w = by_n[s.job_id], workers[s.worker_id]
            at += dt.timedelta(seconds=self.rng.randint(5, 40))
            reasons = " · ".join(s.reasons)[:200]
            a = Assignment(
                job=j.row,
                worker=w,
                pieces=s.pieces,
                due_on=j.row.due_on,
                delivery=DeliveryMode.PICKUP,
                state="",
                reasons=reasons,
                offered_at=at,
                expires_at=at + self.ttl,
            )
            j.row.pieces_assigned += s.pieces
            j.shares.append(PlayedShare(a, j, self._shares))
            self._shares += 1
            self._event(a, j.row, AssignmentState.OFFERED, None, at, reasons)
            self.offered_log.append((day, w.pk, s.pieces))

    def expire(self, day: dt.date) -> None:
        """The sweep at 11:00: offers past their deadline expire (``assignment_expire``); their pieces go
        back to the job, and the worker is not asked for it again."""
        now = aware(day, 11 * 60)
        for s in self._open_shares(AssignmentState.OFFERED):
            if s.row.expires_at <= now:
                s.row.responded_at = now
                self._event(s.row, s.job.row, AssignmentState.EXPIRED, None, now, gettext_noop("超时未答复"))
                s.job.row.pieces_assigned -= s.row.pieces
                s.job.excluded.add(s.row.worker_id)

    def answer(self, day: dt.date) -> None:
        """Workers answer today's offers, in the order they answer (``assignment_accept`` with the kit,
        ``assignment_decline``), or leave them to expire tomorrow."""
        answers = []
        for s in self._open_shares(AssignmentState.OFFERED):
            if timezone.localtime(s.row.offered_at).date() == day:
                roll = self.rng.random()
                if roll < DECLINE:
                    answers.append((self._at(day, "11:05", "16:00"), s.k, roll, s))
        for at, _k, roll, s in sorted(answers, key=lambda x: x[:2]):
            a, job = s.row, s.job.row
            a.responded_at = at
            if roll >= ACCEPT:
                self._event(a, job, AssignmentState.DECLINED, a.worker.user, at, "这几天家里有事")
                job.pieces_assigned -= a.pieces
                s.job.excluded.add(a.worker_id)
                continue
            self._event(a, job, AssignmentState.ACCEPTED, a.worker.user, at)
            if job.state == JobState.ACCEPTED:
                self._event(job, job, JobState.IN_PROGRESS, a.worker.user, at, gettext_noop("坊工开始做单"))
            job.updated_at = max(job.updated_at, at)
            self._kit(s, at + dt.timedelta(minutes=2))

    def _kit(self, s: PlayedShare, at: dt.datetime) -> None:
        """The worker takes her kit (``kit_issue``; a season rounds each share's kit on its own, a little
        more than ``kit_share``'s running total); when the store is short, the firm sends the difference
        first (企业补发)."""
        for b in s.job.bom:
            q = kit_quantity(b, s.row.pieces)
            short = q - self._held(b, "store")
            if short > 0:
                self._move(
                    b,
                    MovementKind.RECEIVE,
                    short,
                    at - dt.timedelta(minutes=1),
                    actor=self.head,
                    reason="企业补发",
                )
            self._move(
                b,
                MovementKind.ISSUE,
                q,
                at,
                worker=s.row.worker,
                actor=self.head,
                reason="派工配套",
                assignment=s.row,
                key=("kit", s.row, b),
            )

    def work(self, day: dt.date) -> None:
        """Each worker makes her hours' worth, earliest due first, and reports it in the evening
        (``work_report``: her kit's material used by the bill of materials); a finished share is done and
        brings back what is left of its kit (``material_return``); the last one completes its job."""
        accepted = sorted(
            self._open_shares(AssignmentState.ACCEPTED),
            key=lambda s: (s.row.worker_id, s.row.due_on, s.job.n, s.k),
        )
        by_worker: dict[int, list[PlayedShare]] = {}
        for s in accepted:
            by_worker.setdefault(s.row.worker_id, []).append(s)
        for wid, shares in by_worker.items():
            worker = shares[0].row.worker
            hours = worker.hours_per_week / 6 * self.rng.uniform(0.85, 1.1)
            at = self._at(day, "17:00", "19:30")
            for s in shares:
                per_hour = PRIOR_PIECES_PER_HOUR[s.job.row.process_kind] * self.speed[wid]
                pieces = min(s.left, int(hours * per_hour))
                if pieces <= 0:
                    break
                hours -= pieces / per_hour
                self._report(s, pieces, at, day)
                at += dt.timedelta(minutes=self.rng.randint(1, 6))

    def _report(self, s: PlayedShare, pieces: int, at: dt.datetime, day: dt.date) -> None:
        a, job = s.row, s.job.row
        before = a.pieces_reported
        a.pieces_reported += pieces
        report = WorkReport(
            assignment=a, pieces=pieces, key=f"season:{s.k}:{day:%Y%m%d}", reported_by=a.worker.user, at=at
        )
        self.rows.reports.append(report)
        for b in s.job.bom:
            need = use_for(b, a.pieces_reported) - use_for(b, before)
            if need > 0:
                self._move(b, MovementKind.CONSUME, need, at, worker=a.worker, assignment=a, report=report)
        job.updated_at = at
        if a.pieces_reported < a.pieces:
            return
        a.done_at = at
        self._event(a, job, AssignmentState.DONE, a.worker.user, at)
        ok, n = self.on_time[a.worker_id]
        self.on_time[a.worker_id] = [ok + (day <= a.due_on), n + 1]
        # What is left of her kits comes back once she holds no other accepted share of the job.
        still = any(
            x.row.worker_id == a.worker_id and x.row.state == AssignmentState.ACCEPTED for x in s.job.shares
        )
        for b in [] if still else s.job.bom:
            left = self._held(b, f"worker:{a.worker_id}")
            if left > 0:
                self._move(
                    b,
                    MovementKind.RETURN,
                    left,
                    at + dt.timedelta(minutes=1),
                    worker=a.worker,
                    actor=self.head,
                    reason="余料退回",
                )
        first = sum(x.row.pieces for x in s.job.shares if x.row.state in HOLDING)
        if first == job.quantity and all(x.row.state not in OPEN for x in s.job.shares):
            self._event(job, job, JobState.COMPLETED, None, at + dt.timedelta(minutes=2))
            s.job.completed_on = day
