"""The bulk-built network gives the very plans the arc-at-a-time build gave (issue 15): same shares, same
objective, same baseline. ``fixtures/plan_day_pinned.json`` was written by ``scripts/pin_plan_day.py``
with the planner as it was before the bulk build (commit 35dbe13), on five seeded county instances, the
1× county day (3,000 workers × 400 jobs over 50 workshops) among them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dispatch import optimiser
from lab.planbench import county_instance

PINNED = json.loads((Path(__file__).parent / "fixtures" / "plan_day_pinned.json").read_text())


def _rows(plan):
    return sorted([s.job_id, s.worker_id, s.pieces, list(s.reasons)] for s in plan.suggestions)


def _digest(rows):
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


@pytest.mark.parametrize("case", PINNED, ids=lambda c: f"seed{c['seed']}-{c['workers']}x{c['jobs']}")
def test_the_plan_is_the_one_pinned_before_the_bulk_build(case):
    jobs, workers = county_instance(
        seed=case["seed"], workers=case["workers"], jobs=case["jobs"], workshops=case["workshops"]
    )

    plan = optimiser.plan_day(jobs, workers)

    rows = _rows(plan)
    if "rows" in case:
        assert [r[:3] for r in rows] == case["rows"]
    assert (plan.policy, len(rows), _digest(rows)) == (case["policy"], case["count"], case["digest"])
    assert plan.objective == case["objective"]


@pytest.mark.parametrize("case", PINNED, ids=lambda c: f"seed{c['seed']}-{c['workers']}x{c['jobs']}")
def test_the_first_come_plan_is_the_one_pinned(case):
    jobs, workers = county_instance(
        seed=case["seed"], workers=case["workers"], jobs=case["jobs"], workshops=case["workshops"]
    )

    plan = optimiser.plan_first_come(jobs, workers)

    assert _digest(_rows(plan)) == case["first_come_digest"]
    assert plan.objective == case["first_come_objective"]
