"""Random sequences of what happens to supplied material (receive, issue, return, scrap, report, a report
undone or corrected, inspect, rework with or without replacement parts, write-off, return to the firm,
close): after every step no holder is negative and the kept balances equal the movements; a refused step
changes nothing; and when the job is closed, what came from the firm = consumed + returned to the firm +
scrapped + lost, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import services
from dispatch.models import AssignmentState
from dispatch.services.corrections import last_live_report
from materials import selectors
from materials import services as materials
from materials.models import Balance
from materials.services import BomInput
from tests.materials.conftest import inspect_and_book, ledger_state, report, share

BOM = [BomInput("面板", "ge", "1", "0.5"), BomInput("布料", "m", "0.35", "2"), BomInput("纸箱", "ge", "0.05")]

whole = st.integers(min_value=-3, max_value=120).map(Decimal)
measured = st.decimals(min_value=Decimal("-1"), max_value=Decimal("60"), places=3)
amount = st.one_of(whole, measured, st.sampled_from([Decimal("0.5"), Decimal("0"), Decimal("2.0001")]))
line_no = st.integers(min_value=0, max_value=len(BOM) - 1)
who = st.integers(min_value=0, max_value=2)
step = st.one_of(
    st.tuples(st.just("receive"), line_no, amount),
    st.tuples(st.just("issue"), line_no, who, amount),
    st.tuples(st.just("kit"), who),
    st.tuples(st.just("return"), line_no, who, amount),
    st.tuples(st.just("scrap"), line_no, st.one_of(st.none(), who), amount),
    st.tuples(st.just("to_firm"), line_no, amount),
    st.tuples(st.just("report"), who, st.integers(min_value=1, max_value=60)),
    st.tuples(st.just("write_off"), line_no, who),
    st.tuples(st.just("undo"), who),
    st.tuples(st.just("correct"), who, st.integers(min_value=0, max_value=60)),
)


def _check(job) -> None:
    assert selectors.balances_agree(job)
    assert not Balance.objects.filter(line__job=job, quantity__lt=0).exists()
    assert all(acc.balanced for acc in selectors.job_accounts(job))


def _apply(cast, job, lines, shares, workers, s) -> None:
    kind = s[0]
    if kind == "receive":
        materials.material_receive(
            confirm_over=True, line=lines[s[1]], quantity_received=s[2], actor=cast.head
        )
    elif kind == "issue":
        materials.material_issue(
            line=lines[s[1]], worker=workers[s[2]], quantity_issued=s[3], actor=cast.head, reason="补料"
        )
    elif kind == "kit":
        materials.kit_issue(assignment=shares[s[1]], actor=cast.head)
    elif kind == "return":
        materials.material_return(
            line=lines[s[1]], worker=workers[s[2]], quantity_returned=s[3], actor=cast.head
        )
    elif kind == "scrap":
        worker = None if s[2] is None else workers[s[2]]
        materials.material_scrap(
            line=lines[s[1]], worker=worker, quantity_scrapped=s[3], actor=cast.head, reason="受潮"
        )
    elif kind == "to_firm":
        materials.material_return_to_firm(line=lines[s[1]], quantity_returned=s[2], actor=cast.head)
    elif kind == "report":
        a = shares[s[1]]
        a.refresh_from_db()
        if a.pieces_to_do:  # a finished share takes no more reports (the flow's own rule)
            report(a, min(s[2], a.pieces_to_do))
    elif kind == "write_off":
        materials.material_write_off(line=lines[s[1]], worker=workers[s[2]], actor=cast.head)
    elif kind in ("undo", "correct"):
        # A worker undoes her last report, or the head corrects it: what its pieces used goes back to her.
        last = last_live_report(shares[s[1]].pk)
        if last is None:
            return
        if kind == "undo":
            services.report_undo(actor=last.reported_by, report=last)
        else:
            services.report_correct(actor=cast.head, report=last, pieces=s[2], reason="数错了")


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(step, max_size=18),
    verdict=st.tuples(st.integers(0, 100), st.integers(0, 100)),
    replacement=st.booleans(),
)
def test_no_holder_is_ever_negative_and_the_firms_material_is_all_accounted_for(
    cast, issue_job, steps, verdict, replacement
):
    with transaction.atomic():
        _run(cast, issue_job, steps, verdict, replacement)
        transaction.set_rollback(True)  # each example starts from an empty ledger


def _run(cast, issue_job, steps, verdict, replacement) -> None:
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=180, bom=BOM))
    lines = list(job.bom_lines.order_by("id"))
    workers = [cast.alice, cast.bob, cast.carol]
    shares = [share(job, w, 60) for w in workers]
    for s in steps:
        before = ledger_state(job)
        try:
            with transaction.atomic():
                _apply(cast, job, lines, shares, workers, s)
        except ValidationError:
            assert ledger_state(job) == before, s  # refused: nothing written
        _check(job)

    # The rest of the work: enough material comes in, every piece is made, the firm inspects.
    for line in lines:  # plenty, each within one receipt's bound (``receipt_check``: 9 boxes needed, 100)
        plenty = 100 if line.material == "纸箱" else 200
        materials.material_receive(confirm_over=True, line=line, quantity_received=plenty, actor=cast.head)
    for a in shares:
        a.refresh_from_db()
        if a.pieces_to_do:
            report(a, a.pieces_to_do)
    _check(job)
    first = shares[0]
    rejected = min(verdict[0], first.pieces)
    rework = min(verdict[1], rejected)
    inspect_and_book(
        cast,
        job,
        {first.pk: (first.pieces - rejected, rejected, rework)}
        | {a.pk: (a.pieces, 0, 0) for a in shares[1:]},
    )
    _check(job)
    for again in job.assignments.filter(kind="rework", state=AssignmentState.ACCEPTED):
        if replacement:
            for line in lines:
                materials.material_issue(
                    line=line,
                    worker=again.worker,
                    quantity_issued=10,
                    actor=cast.head,
                    reason="换件",
                    assignment=again,
                )
        report(again, again.pieces)
    _check(job)

    # Close: what workers still hold comes back or is written off; the store's leftovers go to the firm.
    for line in lines:
        for w in workers:
            materials.material_write_off(line=line, worker=w, actor=cast.head)
        store = (
            Balance.objects.filter(line=line, holder_key="store").values_list("quantity", flat=True).first()
        )
        if store:
            materials.material_return_to_firm(line=line, quantity_returned=store, actor=cast.head)
    for acc in selectors.job_accounts(job):
        assert acc.reconciled, acc.line
        assert acc.from_firm == acc.consumed + acc.returned_to_firm + acc.scrapped + acc.lost
        used_by_reports = acc.consumed
        assert used_by_reports >= materials.use_for(acc.line, 180)  # every made piece, passed or rejected


@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=12))
def test_kits_rounded_on_the_running_total_add_up_to_the_jobs_kit(shares):
    from materials.models import BomLine
    from materials.quantities import kit_quantity, kit_share

    for per_piece, pct, unit in (("1", "0.5", "ge"), ("0.357", "2", "m"), ("3", "0", "ge")):
        line = BomLine(material="x", unit=unit, per_piece=Decimal(per_piece), loss_pct=Decimal(pct))
        kits, before = [], 0
        for pieces in shares:
            kits.append(kit_share(line, pieces, before))
            before += pieces
        assert sum(kits) == kit_quantity(line, sum(shares))
        assert all(k >= line.per_piece * p for k, p in zip(kits, shares, strict=True))
