"""The firm's inspection by bundle (按扎验收): a verdict per scanned bundle, submitted as the job's
inspection with per-share sums; a rejected bundle leads to its worker, her pay line and the rework."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import services
from dispatch.models import Assignment, IllegalTransition, Inspection, InspectionResult
from pay.models import PayLine
from tests.lots import completed, hand_over
from tests.tickets.helpers import bundled_job_in_inspection, printed_share
from tickets import services as tickets
from tickets.models import BundleTicket

pytestmark = pytest.mark.django_db


def _judge_all(cast, job, bundles, verdicts=None):
    """Record a verdict for every bundle: all passed unless ``verdicts`` {index: (passed, rejected,
    rework, reason)} says otherwise."""
    for i, t in enumerate(bundles):
        p, r, w, why = (verdicts or {}).get(i, (t.pieces, 0, 0, ""))
        tickets.bundle_verdict_record(
            actor=cast.clerk, job=job, token=t.token, passed=p, rejected=r, rework=w, reason=why
        )


def test_bundle_verdicts_submit_as_the_jobs_inspection_with_per_share_sums(cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(120, 60))
    # alice: 50, 50, 20; bob: 50, 10. Alice's second bundle: 6 bad, 4 of them to rework; bob's first: 2 bad.
    _judge_all(cast, job, bundles, {1: (44, 6, 4, "脱线"), 3: (48, 2, 0, "污渍")})

    inspection = tickets.bundle_inspection_submit(actor=cast.clerk, job=job, notes="按扎")

    results = {r.assignment.worker_id: r for r in inspection.results.select_related("assignment")}
    alice, bob = results[cast.alice.pk], results[cast.bob.pk]
    assert (alice.pieces_submitted, alice.pieces_passed, alice.pieces_rejected, alice.pieces_rework) == (
        120,
        114,
        6,
        4,
    )
    assert (bob.pieces_submitted, bob.pieces_passed, bob.pieces_rejected, bob.pieces_rework) == (60, 58, 2, 0)
    assert alice.reason == "脱线" and bob.reason == "污渍"
    for t in bundles:
        t.refresh_from_db()
        assert t.inspection_result_id == results[t.assignment.worker_id].pk
    job.refresh_from_db()
    assert job.state == "inspected"


def test_a_rejected_bundle_leads_to_its_worker_her_pay_line_and_the_rework(cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(120, 60))
    _judge_all(cast, job, bundles, {1: (44, 6, 4, "脱线")})
    inspection = tickets.bundle_inspection_submit(actor=cast.clerk, job=job)
    services.inspection_book(inspection=inspection)

    bad = BundleTicket.objects.select_related(
        "assignment__worker", "inspection_result__pay_line", "inspection_result__rework_assignment"
    ).get(pk=bundles[1].pk)

    assert bad.pieces_rejected == 6 and bad.reason == "脱线"
    assert bad.assignment.worker == cast.alice
    line = bad.inspection_result.pay_line
    assert line == PayLine.objects.get(worker=cast.alice) and line.pieces_passed == 114
    rework = bad.inspection_result.rework_assignment
    assert rework == Assignment.objects.get(kind="rework")
    assert (rework.worker, rework.pieces, rework.state) == (cast.alice, 4, "accepted")


def test_submitting_waits_for_a_verdict_on_every_bundle(cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(120, 60))
    _judge_all(cast, job, bundles[:-1])

    with pytest.raises(ValidationError, match="还有 1 扎"):
        tickets.bundle_inspection_submit(actor=cast.clerk, job=job)
    assert not Inspection.objects.exists()
    job.refresh_from_db()
    assert job.state == "inspecting"


def test_a_verdict_can_be_recorded_again_until_submitted(cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    t = bundles[0]
    tickets.bundle_verdict_record(actor=cast.clerk, job=job, token=t.token, passed=40, rejected=10)

    again = tickets.bundle_verdict_record(actor=cast.clerk, job=job, token=t.token, passed=50, rejected=0)
    tickets.bundle_inspection_submit(actor=cast.clerk, job=job)

    assert (again.pieces_passed, again.pieces_rejected) == (50, 0)
    with pytest.raises(IllegalTransition):
        tickets.bundle_verdict_record(actor=cast.clerk, job=job, token=t.token, passed=40, rejected=10)
    assert InspectionResult.objects.get().pieces_passed == 50


@pytest.mark.parametrize(
    "passed, rejected, rework",
    [(40, 5, 0), (50, 1, 0), (45, 5, 6), (-1, 51, 0), ("x", 0, 0), (2.5, 47.5, 0)],
)
def test_a_verdict_that_does_not_add_up_to_the_bundle_is_refused(cast, issue_job, passed, rejected, rework):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))

    with pytest.raises(ValidationError):
        tickets.bundle_verdict_record(
            actor=cast.clerk, job=job, token=bundles[0].token, passed=passed, rejected=rejected, rework=rework
        )
    assert not BundleTicket.objects.filter(inspected_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["head", "eve", "alice"])
def test_only_the_jobs_firm_records_bundle_verdicts_and_submits(cast, issue_job, who):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    actor = {"head": cast.head, "eve": cast.eve, "alice": cast.alice.user}[who]

    with pytest.raises(PermissionDenied):
        tickets.bundle_verdict_record(actor=actor, job=job, token=bundles[0].token, passed=50, rejected=0)
    _judge_all(cast, job, bundles)
    with pytest.raises(PermissionDenied):
        tickets.bundle_inspection_submit(actor=actor, job=job)
    assert not Inspection.objects.exists()


def test_an_unknown_void_open_or_foreign_ticket_gets_no_verdict(cast, issue_job):
    job, _bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    share, (open_one, *_rest) = printed_share(cast, issue_job, worker=cast.carol, pieces=120)
    tickets.tickets_reprint(actor=cast.head, assignment=share, run=1)
    void = BundleTicket.objects.get(pk=open_one.pk)
    other_job = share.job

    for token, why in [("nosuchtoken12345", "找不到"), (void.token, "找不到"), ("", "找不到")]:
        with pytest.raises(ValidationError, match=why):
            tickets.bundle_verdict_record(actor=cast.clerk, job=job, token=token, passed=50, rejected=0)
    new_open = BundleTicket.objects.filter(assignment=share, state="open").first()
    with pytest.raises(IllegalTransition):  # the other job is not being inspected
        tickets.bundle_verdict_record(
            actor=cast.clerk, job=other_job, token=new_open.token, passed=50, rejected=0
        )
    assert not BundleTicket.objects.filter(inspected_at__isnull=False).exists()


def test_a_share_reported_without_tickets_is_inspected_on_the_ordinary_page(cast, issue_job):
    job = issue_job(quantity=100, bundle_size=50)
    services.job_accept(actor=cast.head, job=job)
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=a)
    first, _second = tickets.tickets_print(actor=cast.head, assignment=a)
    tickets.ticket_report(actor=cast.alice.user, ticket=first)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=50, key="by-hand")
    completed(job)
    hand_over(job)
    tickets.bundle_verdict_record(actor=cast.clerk, job=job, token=first.token, passed=50, rejected=0)

    with pytest.raises(ValidationError, match="逐个派工验收"):
        tickets.bundle_inspection_submit(actor=cast.clerk, job=job)
    assert not Inspection.objects.exists()
