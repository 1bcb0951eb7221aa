"""Write tests/dispatch/fixtures/plan_day_pinned.json: ``plan_day``'s plans on a few seeded county
instances, computed with the planner as it was BEFORE the bulk network build (issue 15, commit 35dbe13),
so tests/dispatch/test_plan_day_pinned.py can check the faster build gives the same plans exactly.

Run from the repository root: ``.venv/bin/python scripts/pin_plan_day.py`` (only to re-pin on purpose)."""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from dispatch import optimiser  # noqa: E402
from lab.planbench import county_instance  # noqa: E402

# (seed, workers, jobs, workshops): small ones listed in full, the 1× county day as a digest.
CASES = [(1, 60, 12, 3), (2, 200, 40, 5), (3, 500, 60, 10), (4, 120, 30, 2), (7, 3000, 400, 50)]


def rows(plan):
    return sorted([s.job_id, s.worker_id, s.pieces, list(s.reasons)] for s in plan.suggestions)


def digest(rs):
    return hashlib.sha256(json.dumps(rs, ensure_ascii=False).encode()).hexdigest()


out = []
for seed, w, j, ws in CASES:
    jobs, workers = county_instance(seed=seed, workers=w, jobs=j, workshops=ws)
    plan = optimiser.plan_day(jobs, workers)
    rs = rows(plan)
    case = {
        "seed": seed,
        "workers": w,
        "jobs": j,
        "workshops": ws,
        "objective": plan.objective,
        "policy": plan.policy,
        "count": len(rs),
        "digest": digest(rs),
    }
    greedy = optimiser.plan_first_come(jobs, workers)
    case["first_come_objective"] = greedy.objective
    case["first_come_digest"] = digest(rows(greedy))
    if w <= 500:
        case["rows"] = [r[:3] for r in rs]
    out.append(case)
with open("tests/dispatch/fixtures/plan_day_pinned.json", "w") as f:
    f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in out) + "\n]\n")
