"""A researcher runs ``simulate`` with one seed twice, on two machines, and gets the same figures to the
fen; with another seed she gets other figures.

The second run goes through everything that used to make runs drift: another Python process with
another ``PYTHONHASHSEED``, and a database that returns the rows of every query without ORDER BY in
another order (SQLite's ``reverse_unordered_selects``, for the simulation and for the Celery worker; on
PostgreSQL the users', workers' and lines' rows are rewritten so that a scan meets them in reverse).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F

from lab.simulation import TIMINGS_KEY, without_timings
from workshop.models import ProductionLine, Worker

pytestmark = pytest.mark.celery
User = get_user_model()

# Four days of a ten-worker workshop take about 20 s, and with seed 2 lots are inspected and both
# classes of worker paid by the last day.
RUN = {"days": 4, "issue_prob": 0.3, "fairness_days": 5}
SEED = 2


def _fresh_demo() -> None:
    """A fresh database with the demo workshop, where every third of its workers (ten, fixed and part-time,
    low-income among them, some working at home) is on the books: a small workshop, a quick run."""
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", no_jobs=True, stdout=StringIO())
    ids = list(Worker.objects.order_by("pk").values_list("pk", flat=True))
    Worker.objects.exclude(pk__in=ids[::3]).update(active=False)


def _last_json_line(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def _simulate_here(seed: int, **options) -> dict:
    out = StringIO()
    call_command("simulate", seed=seed, json=True, stdout=out, stderr=StringIO(), **{**RUN, **options})
    return _last_json_line(out.getvalue())


def _reverse_unordered_selects(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.execute("PRAGMA reverse_unordered_selects = ON")


# Runs in the other process: the test database, rows in reverse order, then the command.
ELSEWHERE = """
import sys, django
from django.conf import settings
from django.contrib.auth import get_user_model
settings.DATABASES["default"]["NAME"] = sys.argv[1]
django.setup()
from django.core.management import call_command
from django.db.backends.signals import connection_created
from tests.lab.test_simulate_reproducible import _reverse_unordered_selects
connection_created.connect(_reverse_unordered_selects)
call_command("simulate", *sys.argv[2:])
"""


def _simulate_elsewhere(seed: int) -> dict:
    """``simulate --json`` in another process with another hash seed, on this test's database, with
    every unordered query's rows in another order (the worker's too: it runs in this process)."""
    if connection.vendor == "postgresql":
        # A rewritten row goes to the end of its table: rewritten last id first, a scan meets them in
        # reverse (the users too, or a join through them would give the workers back in id order).
        for model, field in ((User, "username"), (Worker, "name"), (ProductionLine, "name")):
            for pk in model.objects.order_by("-pk").values_list("pk", flat=True):
                model.objects.filter(pk=pk).update(**{field: F(field)})
    hash_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    args = [f"--{k.replace('_', '-')}={v}" for k, v in RUN.items()]
    connection_created.connect(_reverse_unordered_selects)
    try:
        done = subprocess.run(
            [sys.executable, "-c", ELSEWHERE, connection.settings_dict["NAME"], f"--seed={seed}", "--json"]
            + args,
            cwd=settings.BASE_DIR,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        connection_created.disconnect(_reverse_unordered_selects)
    assert done.returncode == 0, done.stderr[-3000:]
    return _last_json_line(done.stdout)


def test_the_same_seed_gives_the_same_figures_to_the_fen_in_another_process_and_row_order(celery_worker):
    for _try in range(2):
        _fresh_demo()
        here = _simulate_here(seed=SEED)
        _fresh_demo()
        elsewhere = _simulate_elsewhere(seed=SEED)
        # The flow reads today's date from the real clock (see lab.simulation): runs on either side of
        # midnight in Asia/Shanghai are not like runs, so the pair is run again.
        dates = {run[TIMINGS_KEY][k] for run in (here, elsewhere) for k in ("started_on", "ended_on")}
        if len(dates) == 1:
            break

    assert without_timings(elsewhere) == without_timings(here)
    # The figures are worth comparing: lots were inspected, both classes of worker paid (to the fen), and
    # the couriers delivered and collected.
    assert here["pieces"]["passed"] > 0
    assert all(v != "0.00" for v in here["annualised_income_per_worker_yuan"].values())
    assert here["logistics"]["delivered"] > 0 and here["logistics"]["collected"] > 0
    assert all(c["ok"] for c in here["invariants"])
    # What does vary stays under one key, with the seconds the run took.
    assert here[TIMINGS_KEY]["elapsed_s"] > 0
    assert set(here[TIMINGS_KEY]) == {"elapsed_s", "per_day_s", "started_on", "ended_on"}


def test_another_seed_gives_other_figures(celery_worker):
    _fresh_demo()
    first = without_timings(_simulate_here(seed=SEED, days=1))
    _fresh_demo()
    second = without_timings(_simulate_here(seed=SEED + 3, days=1))

    assert first.pop("seed") == SEED and second.pop("seed") == SEED + 3
    assert first != second
    assert (first["pieces"], first["events"]) != (second["pieces"], second["events"])
