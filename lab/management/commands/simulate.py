"""``python manage.py simulate``: N days of work on the demo workshop through the real flow.

Reproducible: the same ``--seed`` (and the same other options) on a database fresh from ``seed_demo``,
with one Celery worker process (``celery -A config worker -c 1``), gives the same figures to the fen on
every run and machine; see ``lab.simulation`` for what that takes and the one input still read from the
real clock (the date). The ``--json`` line has sorted keys; what varies from run to run (seconds, and
the real dates the run started and ended on) is kept under ``timings``, so two runs compare equal
without it.
"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from config.celery import require_worker, worker_slots
from lab.simulation import Simulation
from lab.workload import demo_workshop, has_earlier_runs


class Command(BaseCommand):
    help = (
        "Drive N days of work on the demo workshop through the real services and a real Celery worker "
        "(start one first: celery -A config worker -c 1). Prints a table; with --json a last line of JSON "
        "with sorted keys. The same --seed on a database fresh from seed_demo, with one worker process, "
        "gives the same figures to the fen on any run and machine: only the 'timings' key differs "
        "(make simulate runs it so, on a fresh database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument(
            "--seed", type=int, default=1, help="every random draw comes from it (same seed, same figures)"
        )
        parser.add_argument(
            "--rate-scale",
            type=Decimal,
            default=Decimal("1"),
            help="multiply every piece rate (e.g. 1.2 for 20%% higher rates)",
        )
        parser.add_argument(
            "--issue-prob",
            type=float,
            default=0.6,
            help="chance a line issues a job on a day (lower: fewer, larger jobs; a lighter run)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="end with one line of JSON, keys sorted; seconds under 'timings', the rest reproducible",
        )
        parser.add_argument(
            "--fairness-days",
            type=int,
            default=90,
            help="days of the optimiser vs first-come comparison (default: a quarter)",
        )

    def handle(self, *args, days, seed, rate_scale, **options):
        if days <= 0:
            raise CommandError("--days must be positive")
        if not 0 < options["issue_prob"] <= 1:
            raise CommandError("--issue-prob must be in (0, 1]")
        try:
            ws = demo_workshop()
            require_worker()  # a worker that has just started answers the slots' broadcast only then
            self._warn_if_not_reproducible(ws)
            sim = Simulation(
                workshop=ws,
                days=days,
                seed=seed,
                rate_scale=rate_scale,
                issue_prob=options["issue_prob"],
                fairness_days=options["fairness_days"],
                log=lambda m: self.stderr.write(m),
            )
            result = sim.run()
        except (RuntimeError, TimeoutError) as exc:
            raise CommandError(str(exc)) from exc
        if result.timings["started_on"] != result.timings["ended_on"]:
            self.stderr.write("warning: the run crossed midnight; the flow's dates moved under it")
        self._table(result)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, sort_keys=True))
        if not all(c["ok"] for c in result.invariants):
            raise CommandError("an invariant failed: see the table")

    def _warn_if_not_reproducible(self, ws) -> None:
        if has_earlier_runs(ws):
            self.stderr.write(
                "warning: the database holds an earlier run's work (runs or pay): the figures start from "
                "there, not from seed_demo, and will not match a fresh database's"
            )
        slots = worker_slots()
        if slots is not None and slots > 1:
            self.stderr.write(
                f"warning: the Celery workers take {slots} tasks at once: follow-ups race and the figures "
                "vary from run to run; run one worker with -c 1 for reproducible figures"
            )

    def _table(self, r):
        f = r.figures
        w = self.stdout.write
        w(f"模拟 {r.days} 天 (seed {r.seed}) · simulated {r.days} days")
        w("-" * 56)
        w("外发单状态 jobs by state: " + ", ".join(f"{k}={v}" for k, v in sorted(f["jobs_by_state"].items())))
        for k, v in f["pieces"].items():
            w(f"  件数 pieces {k:<10} {v:>12,}")
        for k, v in f["wages_yuan"].items():
            w(f"  工资 wages {k:<11} {v:>12} 元")
        for k, v in f["annualised_income_per_worker_yuan"].items():
            w(f"  人均年化增收 per worker/yr {k:<10} {v:>12} 元")
        w(f"  企业降本 firm savings       {f['firm_savings_yuan']:>12} 元")
        w(f"  每家企业年化降本 per firm/yr   {f['firm_savings_annualised_per_firm_yuan']:>12} 元")
        for name, v in f["firm_savings_by_firm_yuan"].items():
            w(f"    {name} {v} 元")
        w("  来料 materials: received / issued / consumed / returned / scrapped / lost · loss rate · above")
        for name, m in f["materials"].items():
            rate = "—" if m["loss_rate"] is None else f"{m['loss_rate']:.2f}%"
            w(
                f"    {name} {m['received']} / {m['issued']} / {m['consumed']} / {m['returned']} / "
                f"{m['scrapped']} / {m['lost']} · {rate} · {m['workers_above_allowance']}"
            )
        w("  事件 events: " + ", ".join(f"{k}={v}" for k, v in r.counters.items()))
        lg = f["logistics"]
        w(
            f"  配送 door runs: {lg['runs']} runs, {lg['stops']} stops · delivered {lg['delivered']} · "
            f"collected {lg['collected']} ({lg['pieces_collected']:,} pieces) · handed over "
            f"{lg['handed_over']} · nobody home {lg['nobody_home']} · shortfalls {lg['shortfalls']} · "
            f"days done → handed over {lg['mean_days_done_to_handover']}"
        )
        w(f"  公平性 fairness over {f['fairness_days']} days (same work, two policies):")
        for policy, m in f["fairness"].items():
            w(
                f"    {policy:<10} gini {m['gini']:.4f}  low-income share {m['low_income_wage_share']:.2%}  "
                f"on-time pieces {m['on_time_pieces']:,}  late {m['late_pieces']:,}"
            )
        for c in r.invariants:
            w(f"  {'OK  ' if c['ok'] else 'FAIL'} {c['name']}")
