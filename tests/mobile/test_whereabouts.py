"""What the worker's pages say about pieces she has made and not yet been paid for: where they are. At her
home for the courier to collect, at the workshop not yet handed over to the firm, or at the firm waiting
for its inspection; only the last is "waiting for the firm's inspection" (在等企业验收)."""

from __future__ import annotations

from django.utils import timezone

from dispatch import services
from logistics import services as logistics
from logistics.models import Collection, Run, Stop
from mobile.selectors import Whereabouts, whereabouts
from tests.factories import WorkerFactory
from tests.lots import hand_over
from tests.mobile.conftest import accepted_job, in_hand, inspect_and_book, report
from workshop.models import WorkPlace

AT_HOME, AT_WORKSHOP, AT_FIRM = "还在您家里,等配送员来收", "在工坊,还没交给企业", "已交给企业,在等企业验收"


def collect(cast, a, pieces: int) -> None:
    """A courier collected ``pieces`` of ``a`` at her door today."""
    stop = Stop.objects.filter(run__workshop=cast.ws, worker=a.worker).first()
    if stop is None:
        vehicle = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="三轮车")
        run = Run.objects.create(workshop=cast.ws, day=timezone.localdate(), vehicle=vehicle)
        stop = Stop.objects.create(run=run, seq=1, kind="collect", worker=a.worker)
    Collection.objects.create(stop=stop, assignment=a, pieces=pieces, by=cast.head)


def test_pieces_made_at_the_workshop_are_not_said_to_wait_for_the_firm(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job, quantity=231, rate="0.0350"), cast.alice, 231)
    report(a, 231)
    client.force_login(cast.alice.user)

    today = client.get("/m/").content.decode()
    earnings = client.get("/m/earnings/").content.decode()
    share = client.get(f"/m/a/{a.pk}/").content.decode()

    for page in (today, earnings):
        assert f"231 件做好了,{AT_WORKSHOP}" in page
        assert "等企业验收" not in page and "验收中" not in page
        assert "8.09 元" in page  # 231 × 0.035 if all pass
    assert '<dd data-where="workshop">231 件</dd>' in share and "等验收" not in share


def test_each_stage_is_named_as_the_pieces_move(client, cast, issue_job):
    """A home worker's share: at her home, collected to the workshop, handed over, inspected."""
    home = WorkerFactory(workshop=cast.ws, name="王阿姨", work_place=WorkPlace.HOME)
    job = accepted_job(cast, issue_job, quantity=60)
    a = in_hand(job, home, 60)
    report(a, 60)
    client.force_login(home.user)

    page = client.get("/m/").content.decode()
    assert f"60 件做好了,{AT_HOME}" in page and AT_WORKSHOP not in page and AT_FIRM not in page

    collect(cast, a, 45)
    page = client.get("/m/").content.decode()
    assert f"15 件做好了,{AT_HOME}" in page and f"45 件做好了,{AT_WORKSHOP}" in page

    collect(cast, a, 15)
    hand_over(job)
    page = client.get("/m/").content.decode()
    assert f"60 件{AT_FIRM}" in page and AT_HOME not in page and AT_WORKSHOP not in page
    assert '<dd data-where="firm">60 件</dd>' in client.get("/m/earnings/").content.decode()

    job.refresh_from_db()
    results = [services.ResultInput(assignment_id=a.pk, passed=60, rejected=0)]
    services.inspection_book(inspection=services.job_inspect(actor=cast.clerk, job=job, results=results))
    page = client.get("/m/").content.decode()
    assert "data-where" not in page


def test_a_lot_sent_in_part_leaves_the_rest_at_the_workshop(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    a = in_hand(job, cast.alice, 100)
    report(a, 100)
    inspect_and_book(cast, job, {a.pk: (70, 30, 20, "毛刺")})  # 20 come back as rework
    rework = a.inspection_results.get().rework_assignment
    report(rework, 20)
    client.force_login(cast.alice.user)
    page = client.get("/m/").content.decode()
    assert f"20 件做好了,{AT_WORKSHOP}" in page and AT_FIRM not in page


def test_whereabouts_add_up_to_the_pieces_without_a_verdict(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=50)
    a = in_hand(job, cast.alice, 50)
    report(a, 50)
    hand_over(job)
    a.refresh_from_db()
    assert whereabouts(a) == Whereabouts(at_home=0, at_workshop=0, at_firm=50)
    assert whereabouts(a).pieces == a.pieces_uninspected
