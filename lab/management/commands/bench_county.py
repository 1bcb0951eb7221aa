"""``make bench-county``: every page at county size as a ratio to a bare login-protected view in the same
round, the shift-end burst against a bare POST, query counts at demo and county size, the planner at 1×
and 10×, the export against bare openpyxl and the flow's SQL statements per job (a benchmark, not a
test). PostgreSQL only; ``scripts/bench-county.sh`` gives it a fresh database with the demo loaded.

Prints a table, then one JSON line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab import countybench as cb
from lab import planbench
from lab.countydata import CountySize, build_county
from lab.exportbench import export_cpu_to_bare
from lab.flowrun import flow_statements
from lab.workload import demo_workshop
from workshop.models import FirmStaff, Worker

# The bounds (issue 15): worker pages ≤ 2× bare p95, staff pages ≤ 3×, burst ≥ 0.5 of bare POSTs,
# the flow's statements per job ≤ 80, the export's CPU ≤ 1.3× bare openpyxl's.
WORKER_BOUND, STAFF_BOUND, BURST_BOUND = 2.0, 3.0, 0.5
FLOW_STATEMENTS_BOUND, EXPORT_BOUND = 80, 1.3
# Jobs the flow's count takes from issue to pay; the count stands only when every one of them got there.
FLOW_JOBS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pages(*, worker_users, head_users, clerk_users, admin_user) -> list[cb.Page]:
    return [
        cb.Page("worker_today", "/m/", worker_users),
        cb.Page("worker_earnings", "/m/earnings/", worker_users),
        cb.Page("worker_inbox", "/m/inbox/", worker_users),
        cb.Page("head_home", "/dashboard/", head_users),
        cb.Page("head_board", "/dashboard/board/", head_users),
        cb.Page("head_roster", "/dashboard/workers/", head_users),
        cb.Page("firm_home", "/dashboard/", clerk_users),
        cb.Page("firm_jobs", "/dashboard/jobs/", clerk_users),
        cb.Page("admin_home", "/dashboard/", [admin_user]),
    ]


def _demo_pages() -> list[cb.Page]:
    """The same pages for the demo workshop's people (``seed_demo``): the query counts at demo size."""
    User = get_user_model()
    worker = (
        Worker.objects.filter(assignments__state="accepted").order_by("pk").values_list("user_id", flat=True)
    )
    return _pages(
        worker_users=[worker.first()],
        head_users=[User.objects.get(username="head").pk],
        clerk_users=[FirmStaff.objects.order_by("pk").values_list("user_id", flat=True).first()],
        admin_user=User.objects.get(username="admin").pk,
    )


class Command(BaseCommand):
    help = "County-scale benchmark on PostgreSQL: table, then one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="history and people × this (quick try)")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--requests", type=int, default=120, help="requests per page per round")
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument(
            "--flow-only", action="store_true", help="count the flow's statements (one JSON line) and stop"
        )
        parser.add_argument("--flow-json", help="take the flow's count from this file (--flow-only's output)")

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError("bench_county needs PostgreSQL: set DATABASE_URL=postgres://…")
        log = self.stdout.write
        t_start = time.monotonic()
        if o["flow_only"]:
            log(json.dumps(flow_statements(demo_workshop(), n=FLOW_JOBS)))
            return
        demo_counts = cb.query_counts(_demo_pages())
        if o["flow_json"]:
            flow = json.loads(Path(o["flow_json"]).read_text().strip().splitlines()[-1])
        else:
            log("the flow's statements per job (demo workshop, tasks inline) …")
            flow = flow_statements(demo_workshop(), n=FLOW_JOBS)
        log("building the county …")
        size = CountySize() if o["scale"] >= 1 else CountySize().scaled(o["scale"])
        county = build_county(size, log=log)
        workers = county.worker_user_ids
        step = max(1, len(workers) // o["clients"])
        pages = _pages(
            worker_users=workers[::step][: o["clients"]],
            head_users=county.head_ids[: o["clients"]],
            clerk_users=county.clerk_ids[: o["clients"]],
            admin_user=county.admin_id,
        )
        county_counts = cb.query_counts(pages)
        bare = cb.Page("bare", "/lab/bare/", pages[0].user_ids)
        every_user = {u for p in pages for u in p.user_ids} | set(county.open_assignment_ids)
        sessions = cb.sessions_for(sorted(every_user))
        result: dict = {"scale": o["scale"], "rows": county.rows, "build_seconds": county.seconds}
        with _web(o["web_workers"]) as port:
            clients = cb.Clients("127.0.0.1", port, sessions)
            log(f"pages: {o['rounds']} rounds × {o['requests']} requests × {o['clients']} clients …")
            rounds = cb.page_rounds(
                clients,
                pages,
                bare,
                rounds=o["rounds"],
                requests=o["requests"],
                threads=o["clients"],
                log=log,
            )
            log("shift-end burst …")
            burst = cb.burst(clients, county.open_assignment_ids)
        result["pages"] = {
            p.name: {
                "p95_to_bare": round(cb.summary(rounds[p.name].p95)[1], 2),
                "p95_to_bare_min": round(cb.summary(rounds[p.name].p95)[0], 2),
                "rps_to_bare": round(cb.summary(rounds[p.name].rps)[1], 3),
                "p95_ms": round(cb.summary(rounds[p.name].p95_ms)[1], 1),
                "errors": rounds[p.name].errors,
                "requests": rounds[p.name].requests,
                "queries_demo": demo_counts[p.name],
                "queries_county": county_counts[p.name],
            }
            for p in pages
        }
        result["bare_p95_ms"] = round(cb.summary(rounds["bare"].p95_ms)[1], 1)
        result["burst_ratio_to_bare_post"] = round(burst["ratio"], 3)
        result["burst"] = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in burst.items()}
        result["flow_statements_per_job"] = flow["per_job"]
        result["flow_whole"] = flow["settled"] == FLOW_JOBS  # else the count is not a job's whole flow
        result["flow_data_statements_per_job"] = flow["data_per_job"]
        result["flow_statements"] = flow
        log("the planner at 1× and 10× …")
        result.update(planbench.planner_growth())
        log("the export of 100,000 pay lines against bare openpyxl …")
        export = export_cpu_to_bare(lines=100_000)
        result["export_cpu_to_bare"] = export["export_cpu_to_bare"]
        result["export"] = export
        result["seconds"] = round(time.monotonic() - t_start, 1)
        self._table(result)
        log(json.dumps(result, ensure_ascii=False))

    def _table(self, r: dict) -> None:
        w = self.stdout.write
        w("")
        head = f"{'page':<18}{'p95÷bare':>10}{'(min)':>8}{'rps÷bare':>10}{'p95 ms':>9}"
        w(f"{head}{'SQL demo':>10}{'county':>8}  ok")
        for name, p in r["pages"].items():
            bound = WORKER_BOUND if name.startswith("worker_") else STAFF_BOUND
            ok = p["p95_to_bare"] <= bound and p["queries_demo"] == p["queries_county"] and not p["errors"]
            w(
                f"{name:<18}{p['p95_to_bare']:>10.2f}{p['p95_to_bare_min']:>8.2f}{p['rps_to_bare']:>10.3f}"
                f"{p['p95_ms']:>9.1f}{p['queries_demo']:>10}{p['queries_county']:>8}  {'yes' if ok else 'NO'}"
                f"  (≤ {bound:g}×)"
            )
        w(f"{'bare view':<18}{'':>28}{r['bare_p95_ms']:>9.1f}")
        b = r["burst"]
        w(
            f"shift-end burst: {b['reports']} reports at {b['reports_per_s']:.0f}/s"
            f" against {b['bare_post_per_s']:.0f} bare POSTs/s = {r['burst_ratio_to_bare_post']:.2f}"
            f" (≥ {BURST_BOUND}); errors {b['errors']};"
            f" {b['replayed']} replayed, counted once: {'yes' if b['counted_once'] else 'NO'}"
        )
        f = r["flow_statements"]
        whole = f["settled"] == FLOW_JOBS
        ok = "yes" if whole and f["per_job"] <= FLOW_STATEMENTS_BOUND else "NO"
        w(
            f"flow: {f['per_job']:.0f} SQL statements per job ({f['data_per_job']:.0f} reads and writes;"
            f" ≤ {FLOW_STATEMENTS_BOUND}: {ok}); {f['settled']} of {FLOW_JOBS} jobs paid"
            f"{'' if whole else ' (NOT a whole flow: the count does not stand)'}; by phase {f['by_phase']}"
        )
        growth_ok = r["plan_cpu_growth_10x"] <= planbench.GROWTH_LIMIT * r["solver_cpu_growth_10x"]
        w(
            f"planner: CPU growth 1× → 10× {r['plan_cpu_growth_10x']:.1f} against its solver's"
            f" {r['solver_cpu_growth_10x']:.1f} (≤ {planbench.GROWTH_LIMIT:g}×:"
            f" {'yes' if growth_ok else 'NO'}); plan ÷ solver {r['plan_to_solver_ratio_1x']:.2f} at 1×,"
            f" {r['plan_to_solver_ratio_10x']:.2f} at 10× (≤ {planbench.PLAN_TO_SOLVER_LIMIT:g})"
        )
        ratio = r["export_cpu_to_bare"]
        w(
            f"export of {r['export']['lines']:,} pay lines: CPU {ratio:.2f}× bare openpyxl's"
            f" (≤ {EXPORT_BOUND:g}: {'yes' if ratio <= EXPORT_BOUND else 'NO'})"
        )
        w("")


class _web:
    """gunicorn serving ``lab.county_settings`` on a free port, sync workers, DEBUG off; stopped on exit."""

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self) -> int:
        self.port = _free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lab.county_settings", "DJANGO_DEBUG": "0"}
        log = Path(settings.BASE_DIR) / "var" / "bench-county-web.log"
        log.parent.mkdir(exist_ok=True)
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(self.workers), "-k", "sync",
             "-b", f"127.0.0.1:{self.port}", "--timeout", "120"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self.port
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        raise CommandError(f"gunicorn did not start; see {log}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
