"""The demo workshop's jobs carry their lines' bills of materials, and the job in production has its
material received, issued in kits and partly used, with the books balanced."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from dispatch.models import Job
from materials import selectors
from materials.demo import DEMO_BOMS
from workshop.models import ProductionLine


def test_every_demo_line_has_a_bill_of_materials(db):
    call_command("seed_demo", no_jobs=True, stdout=StringIO())

    assert set(ProductionLine.objects.values_list("name", flat=True)) <= set(DEMO_BOMS)


def test_the_demo_jobs_carry_materials_and_their_books_balance(db):
    call_command("seed_demo", stdout=StringIO())

    jobs = list(Job.objects.order_by("pk"))
    assert jobs and all(job.bom_lines.exists() for job in jobs)
    producing = [j for j in jobs if j.state == "in_progress"]
    for job in producing:  # the season's jobs still in production and today's: every book balances
        assert all(acc.balanced for acc in selectors.job_accounts(job)), job.title
    in_production = producing[-1]  # today's job in production (older ones may have every kit used up)
    accounts = selectors.job_accounts(in_production)
    assert all(acc.balanced and acc.from_firm >= acc.needed for acc in accounts)
    assert all(acc.consumed > 0 and acc.at_workers > 0 for acc in accounts)
    assert selectors.balances_agree(in_production)
