"""The firm's monthly statement (对账单): the head prepares it from the ledgers, the firm's clerk signs it
once or disputes it, and a correction is a new version."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dispatch import services
from dispatch.services import statements
from pay import money
from pay.models import FirmStatement, PayLine, StatementDispute
from tests.materials.conftest import inspect_and_book, report, share
from tests.statement_month import set_fee

D = Decimal


def this_month():
    return timezone.localdate().replace(day=1)


def prepare(cast, **kw):
    return statements.statement_prepare(
        actor=cast.head, firm=cast.firm, workshop=cast.ws, month=timezone.localdate(), **kw
    )


def test_statement_totals_are_the_booked_pieces_times_the_rate_less_the_material_lost_beyond_allowance(
    cast, month
):
    m = month()

    s = prepare(cast)

    jobs = {j["job_id"]: j for j in s.figures["jobs"]}
    assert set(jobs) == {m.switch.pk, m.socket.pk}
    for job in (m.switch, m.socket):
        booked = sum(PayLine.objects.filter(assignment__job=job).values_list("pieces_passed", flat=True))
        line = jobs[job.pk]
        assert line["pieces_passed"] == booked
        assert D(line["rate"]) == job.piece_rate
        assert D(line["amount"]) == money.to_yuan(booked * job.piece_rate)
    assert (jobs[m.switch.pk]["pieces_passed"], jobs[m.switch.pk]["rework_pieces"]) == (190, 10)
    assert D(jobs[m.switch.pk]["amount"]) == D("6.65")  # 190 × 0.0350 = 6.65
    assert D(jobs[m.socket.pk]["amount"]) == D("50.00")
    [panel] = s.figures["materials"]
    assert (panel["material"], D(panel["lost"]), D(panel["allowed"]), D(panel["over"])) == ("面板", 5, 1, 4)
    assert D(panel["deduction_yuan"]) == D("10.00")  # 4 panels × 2.50
    assert s.processing_yuan == D("56.65") == sum(D(j["amount"]) for j in jobs.values())
    assert s.material_deduction_yuan == D("10.00")
    assert s.payable_yuan == D("46.65")
    assert (s.pieces_passed, s.rework_pieces, s.operator_fee_yuan) == (290, 10, D("0.00"))
    assert (s.version, s.previous, s.prepared_by, s.signed_at) == (1, None, cast.head, None)


def test_a_percentage_fee_is_taken_from_the_rate_to_the_fen_and_workers_are_paid_the_rest(cast, month):
    set_fee(cast.pairing, "percent", "10")
    m = month()

    assert m.switch.operator_fee_per_piece == D("0.0035")  # 10 % of 0.0350
    assert m.switch.worker_rate == D("0.0315")
    alice_line = PayLine.objects.get(assignment__job=m.switch)
    assert (alice_line.rate, alice_line.amount) == (D("0.0315"), D("5.99"))  # 190 × 0.0315 = 5.985
    bob_line = PayLine.objects.get(assignment__job=m.socket)
    assert (bob_line.rate, bob_line.amount) == (D("0.4500"), D("45.00"))

    s = prepare(cast)
    # 190 × 0.0035 = 0.665 → 0.67; 100 × 0.0500 = 5.00: the margin inside the 加工费, not added to it.
    assert s.operator_fee_yuan == D("5.67")
    assert (s.processing_yuan, s.payable_yuan) == (D("56.65"), D("46.65"))


def test_a_percentage_fee_rounds_half_up_to_the_rates_four_places(cast, issue_job):
    set_fee(cast.pairing, "percent", "15")
    job = issue_job(rate="0.0333")
    assert job.operator_fee_per_piece == D("0.0050")  # 0.004995 → 0.0050
    assert job.worker_rate == D("0.0283")
    assert job.worker_rate + job.operator_fee_per_piece == job.piece_rate


def test_a_per_piece_fee_is_the_difference_and_workers_are_booked_at_the_rest(cast, month):
    set_fee(cast.pairing, "per_piece", "0.0100")
    m = month()

    assert m.switch.worker_rate == D("0.0250")
    assert PayLine.objects.get(assignment__job=m.switch).amount == D("4.75")  # 190 × 0.0250
    assert PayLine.objects.get(assignment__job=m.socket).amount == D("49.00")  # 100 × 0.4900
    assert prepare(cast).operator_fee_yuan == D("2.90")  # 290 × 0.0100


def test_a_fee_that_leaves_the_worker_nothing_is_refused_and_no_job_is_issued(cast, issue_job):
    set_fee(cast.pairing, "per_piece", "0.0350")
    with pytest.raises(ValidationError, match="坊工每件所得不大于0"):
        issue_job(rate="0.0350")
    assert not cast.ws.jobs.exists()
    assert issue_job(rate="0.0351").worker_rate == D("0.0001")


@pytest.mark.parametrize(
    "kind, value",
    [("percent", "100"), ("percent", "-1"), ("percent", "10.005"), ("per_piece", "-0.01"), ("none", "1")],
)
def test_a_pairing_fee_that_could_leave_workers_nothing_does_not_validate(cast, kind, value):
    with pytest.raises(ValidationError):
        set_fee(cast.pairing, kind, value)


def test_the_firms_clerk_signs_once_and_a_second_signature_is_refused_with_nothing_written(cast, month):
    month()
    s = prepare(cast)
    statements.statement_sign(actor=cast.clerk, statement=s)
    signed = FirmStatement.objects.values_list("signed_by", "signed_at").get(pk=s.pk)
    assert signed[0] == cast.clerk.pk

    again = FirmStatement.objects.get(pk=s.pk)
    with pytest.raises(ValidationError, match="不能重复签字"):
        statements.statement_sign(actor=cast.clerk, statement=again)
    assert FirmStatement.objects.values_list("signed_by", "signed_at").get(pk=s.pk) == signed
    with pytest.raises(ValidationError, match="不能再提异议"):
        statements.statement_dispute(
            actor=cast.clerk, statement=again, clerk_figure="40", note="少算", key="k-signed"
        )
    assert not StatementDispute.objects.exists()


def test_a_dispute_keeps_both_figures_and_leaves_the_statement_as_it_was(cast, month):
    month()
    s = prepare(cast)

    note = "面板只认2块超耗"
    d, created = statements.statement_dispute(
        actor=cast.clerk, statement=s, clerk_figure="44.15", note=note, key="k1"
    )

    assert (d.clerk_figure_yuan, d.workshop_figure_yuan, d.note) == (D("44.15"), D("46.65"), note)
    assert created
    fresh = FirmStatement.objects.get(pk=s.pk)
    assert (fresh.payable_yuan, fresh.signed_at, fresh.figures) == (D("46.65"), None, s.figures)
    # The head is told, with both figures; a negative figure is refused.
    from notices.models import Notification

    told = Notification.objects.get(recipient=cast.head, kind="statement_disputed")
    assert (told.params["c"], told.params["w"], told.link) == (
        "44.15",
        "46.65",
        f"/dashboard/statements/{s.pk}/",
    )
    with pytest.raises(ValidationError, match="负数"):
        statements.statement_dispute(actor=cast.clerk, statement=s, clerk_figure="-5", note="x", key="k2")


@pytest.mark.parametrize(
    "names_a_line",
    ["＃{switch} 合格应是180件", "# {socket} 单价不对", "插座面板装配 少了10件", "面板超耗只认2块"],
)
def test_a_dispute_of_the_same_total_is_recorded_when_it_names_a_line(cast, month, names_a_line):
    m = month()
    s = prepare(cast)
    note = names_a_line.format(switch=m.switch.pk, socket=m.socket.pk)

    d, created = statements.statement_dispute(
        actor=cast.clerk, statement=s, clerk_figure="46.65", note=note, key="k1"
    )

    assert created and (d.clerk_figure_yuan, d.workshop_figure_yuan) == (D("46.65"), D("46.65"))


def test_a_dispute_of_the_same_total_naming_no_line_is_refused_with_nothing_written(cast, month):
    from notices.models import Notification

    m = month()
    s = prepare(cast)

    for note in ("不对", f"#{m.socket.pk + 100} 不对"):
        with pytest.raises(ValidationError, match="合计没有出入.*哪几行不对"):
            statements.statement_dispute(
                actor=cast.clerk, statement=s, clerk_figure="46.650", note=note, key="k1"
            )
    assert not StatementDispute.objects.exists()
    assert not Notification.objects.filter(kind="statement_disputed").exists()


def test_a_dispute_submitted_twice_with_its_key_is_recorded_once_and_the_head_told_once(cast, month):
    from notices.models import Notification

    month()
    s = prepare(cast)
    args = {"actor": cast.clerk, "statement": s, "clerk_figure": "44.15", "note": "超耗只认2块", "key": "k1"}

    first, created = statements.statement_dispute(**args)
    again, created_again = statements.statement_dispute(**args)

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert StatementDispute.objects.count() == 1
    assert Notification.objects.filter(recipient=cast.head, kind="statement_disputed").count() == 1
    with pytest.raises(ValidationError, match="提交编号"):
        statements.statement_dispute(**{**args, "key": ""})
    assert StatementDispute.objects.count() == 1


def test_a_dispute_key_used_on_another_statement_is_refused(cast, month, issue_job):
    month()
    s = prepare(cast)
    statements.statement_dispute(actor=cast.clerk, statement=s, clerk_figure="1", note="x", key="k1")
    more = issue_job(quantity=10, rate="0.1000", title="补单")
    services.job_accept(actor=cast.head, job=more)
    a = share(more, cast.carol, 10)
    report(a, 10)
    inspect_and_book(cast, more, {a.pk: (10, 0, 0)})
    second = prepare(cast, reason="补单")

    with pytest.raises(ValidationError, match="提交编号"):
        statements.statement_dispute(actor=cast.clerk, statement=second, clerk_figure="1", note="x", key="k1")
    assert StatementDispute.objects.count() == 1


def test_a_correction_is_a_new_version_linked_to_the_previous_and_only_the_newest_can_be_signed(
    cast, month, issue_job
):
    m = month()
    first = prepare(cast)
    with pytest.raises(ValidationError, match="相同"):
        prepare(cast, reason="再出一次")

    more = issue_job(quantity=10, rate="0.1000", title="补单")
    services.job_accept(actor=cast.head, job=more)
    a = share(more, cast.carol, 10)
    report(a, 10)
    inspect_and_book(cast, more, {a.pk: (10, 0, 0)})
    with pytest.raises(ValidationError, match="更正原因"):
        prepare(cast)
    second = prepare(cast, reason="补单10件已验收")

    assert (second.version, second.previous, second.reason) == (2, first, "补单10件已验收")
    assert second.processing_yuan == first.processing_yuan + D("1.00")
    assert FirmStatement.objects.get(pk=first.pk).figures == first.figures  # never edited
    with pytest.raises(ValidationError, match="第2版"):
        statements.statement_sign(actor=cast.clerk, statement=first)
    statements.statement_sign(actor=cast.clerk, statement=second)
    assert m.switch.pk in {j["job_id"] for j in second.figures["jobs"]}


def test_only_the_firms_own_clerk_signs_or_disputes_and_only_the_workshops_head_prepares(cast, month):
    month()
    with pytest.raises(PermissionDenied):
        statements.statement_prepare(actor=cast.clerk, firm=cast.firm, workshop=cast.ws, month=this_month())
    s = prepare(cast)
    for who in (cast.eve, cast.head, cast.alice.user):
        with pytest.raises(PermissionDenied):
            statements.statement_sign(actor=who, statement=s)
        with pytest.raises(PermissionDenied):
            statements.statement_dispute(actor=who, statement=s, clerk_figure="1", note="x", key="k")
    assert FirmStatement.objects.get(pk=s.pk).signed_at is None
    assert not StatementDispute.objects.exists()


def test_a_month_without_anything_booked_has_no_statement(cast):
    with pytest.raises(ValidationError, match="没有入账"):
        prepare(cast)
    assert not FirmStatement.objects.exists()


def test_the_month_close_prepares_and_signs_every_pair_once(cast, month):
    month()
    [s] = statements.statements_close_month(month=this_month())
    assert (s.version, s.signed_by) == (1, cast.clerk)
    [again] = statements.statements_close_month(month=this_month())
    assert again.pk == s.pk
    assert FirmStatement.objects.count() == 1


def test_an_undone_report_gives_its_material_back_on_the_statement(cast, issue_job):
    # Bob reports 30 by mistake, undoes it, then reports 20: the month used 20 panels, not 50 or 80.
    from dispatch import services as flow
    from materials import services as stock
    from materials.models import BomLine
    from materials.selectors import job_accounts, month_losses
    from materials.services import BomInput
    from tests.materials.conftest import report, share
    from workshop.dates import local_midnight, next_month

    job = flow.job_accept(
        actor=cast.head,
        job=issue_job(quantity=100, rate="0.5000", title="插座", bom=[BomInput("面板", "ge", "1")]),
    )
    panel = BomLine.objects.get(job=job)
    stock.material_receive(line=panel, quantity_received=100, actor=cast.head)
    b = share(job, cast.bob, 100)
    stock.kit_issue(assignment=b, actor=cast.head)
    typo = report(b, 30)[0]
    flow.report_undo(actor=cast.bob.user, report=typo)
    report(b, 20)

    first = timezone.localdate().replace(day=1)
    (acc,) = month_losses({job.pk}, local_midnight(first), local_midnight(next_month(first)))
    assert acc.consumed == job_accounts(job)[0].consumed == 20
