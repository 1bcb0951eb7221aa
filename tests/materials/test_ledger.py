"""The materials ledger by example: kits, consumption on every made piece, returns, scrap, loss against the
allowance, reconciliation, and the four faults ERPNext's subcontracting users keep reporting, each with
its own numbers. Quantities are whole for 个 and to 0.001 for metres."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dispatch import services
from dispatch.models import Job, WorkReport
from materials import selectors
from materials import services as materials
from materials.models import BomLine, Movement
from materials.services import BomInput
from tests.materials.conftest import CLOTH, D, inspect_and_book, ledger_state, line, report, share


def account(job, material):
    return next(a for a in selectors.job_accounts(job) if a.line.material == material)


def test_the_firm_issues_a_job_with_its_bill_of_materials(cast, issue_job):
    job = issue_job(quantity=100, bom=[BomInput("面板", "ge", "1", "0.5"), CLOTH])

    assert [(b.material, b.unit, b.per_piece, b.loss_pct) for b in job.bom_lines.order_by("id")] == [
        ("面板", "ge", D("1.0000"), D("0.50")),
        ("布料", "m", D("0.3500"), D("2.00")),
    ]
    # The next job of the same line starts from this one's materials.
    assert [(b.material, b.per_piece) for b in materials.bom_of_last_job(cast.line)] == [
        ("面板", D("1.0000")),
        ("布料", D("0.3500")),
    ]


@pytest.mark.parametrize(
    "bad, words",
    [
        (BomInput("面板", "ge", "0"), "每件用量必须大于0"),
        (BomInput("面板", "ge", "-1"), "每件用量必须大于0"),
        (BomInput("", "ge", "1"), "请填写物料名称"),
        (BomInput("面板", "箱", "1"), "单位不对"),
        (BomInput("面板", "ge", "1", "120"), "损耗率在0到100之间"),
        (BomInput("面板", "ge", "abc"), "请输入数字"),
    ],
)
def test_a_bad_bill_of_materials_refuses_the_whole_job(cast, issue_job, bad, words):
    with pytest.raises(ValidationError) as refused:
        issue_job(quantity=100, bom=[BomInput("螺丝", "ge", "2"), bad])

    assert words in " ".join(refused.value.messages)
    assert not Job.objects.exists() and not BomLine.objects.exists()


def test_a_kit_holds_the_share_plus_the_allowed_loss_rounded_up_to_what_can_be_handed_over(
    cast, material_job
):
    job = material_job(quantity=300, bom=[BomInput("面板", "ge", "1", "0.5"), CLOTH])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=400, actor=cast.head
    )
    materials.material_receive(
        confirm_over=True, line=line(job, "布料"), quantity_received="120.000", actor=cast.head
    )
    a = share(job, cast.alice, 100)

    materials.kit_issue(assignment=a, actor=cast.head)
    materials.kit_issue(assignment=a, actor=cast.head)  # a second tap issues nothing more

    panel, cloth = account(job, "面板"), account(job, "布料")
    assert (panel.workers[0].issued, panel.in_store) == (D("101"), D("299"))  # 100 × 1.005 = 100.5 → 101
    assert (cloth.workers[0].issued, cloth.in_store) == (D("35.700"), D("84.300"))  # 100 × 0.35 × 1.02


def test_every_made_piece_uses_its_parts_whether_it_passes_or_not(cast, material_job):
    """ERPNext #11344: rejected pieces did not consume the parts sent, so leftovers were overstated."""
    job = material_job(quantity=100)
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=101, actor=cast.head
    )
    materials.material_receive(
        confirm_over=True, line=line(job, "螺丝"), quantity_received=201, actor=cast.head
    )
    a = share(job, cast.alice, 100)
    materials.kit_issue(assignment=a, actor=cast.head)
    report(a, 100)
    inspect_and_book(cast, job, {a.pk: (88, 12, 0)})  # 12 fail for good

    panel = account(job, "面板")
    assert panel.consumed == D("100")  # 88 passed + 12 rejected each used a panel
    assert panel.workers[0].holds == D("1")  # the allowance, not 13
    assert account(job, "螺丝").consumed == D("200")
    assert panel.balanced and selectors.balances_agree(job)


def test_two_hundred_sent_a_hundred_passed_and_a_hundred_rejected_used_two_hundred_not_three(
    cast, material_job
):
    """ERPNext #41716: 200 sent, 100 accepted and 100 rejected showed 300 consumed."""
    job = material_job(quantity=200, bom=[BomInput("面板", "ge", "1")])
    panel_line = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel_line, quantity_received=200, actor=cast.head)
    a = share(job, cast.bob, 200)
    materials.kit_issue(assignment=a, actor=cast.head)
    report(a, 120)
    report(a, 80)
    inspect_and_book(cast, job, {a.pk: (100, 100, 0)})

    panel = account(job, "面板")
    assert (panel.from_firm, panel.consumed, panel.at_workers, panel.in_store) == (D(200), D(200), D(0), D(0))
    assert panel.reconciled and panel.balanced


def test_a_job_settled_after_a_partial_return_shows_the_seventy_still_out_and_with_whom(cast, material_job):
    """ERPNext #35864: an order closed after a partial return while 70 units were still out."""
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    panel_line = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel_line, quantity_received=300, actor=cast.head)
    a = share(job, cast.carol, 100)
    materials.material_issue(
        line=panel_line, worker=cast.carol, quantity_issued=200, actor=cast.head, reason=""
    )
    report(a, 100)
    materials.material_return(line=panel_line, worker=cast.carol, quantity_returned=30, actor=cast.head)
    inspect_and_book(cast, job, {a.pk: (100, 0, 0)})

    job.refresh_from_db()
    assert job.state == "settled"  # pay is settled; the materials are not
    panel = account(job, "面板")
    assert not panel.reconciled and panel.balanced
    assert [(w.name, w.holds) for w in panel.workers if w.holds] == [("carol", D("70"))]
    assert panel.in_store == D("130")

    materials.material_return(line=panel_line, worker=cast.carol, quantity_returned=70, actor=cast.head)
    materials.material_return_to_firm(line=panel_line, quantity_returned=200, actor=cast.head)
    panel = account(job, "面板")
    assert panel.reconciled and panel.from_firm == panel.consumed + panel.returned_to_firm


def test_cloth_that_stretched_from_ten_metres_to_ten_and_a_half_is_received_and_accounted(cast, material_job):
    """ERPNext #35083: cloth that stretched from 10 m to 10.5 m blocked the receipt."""
    job = material_job(quantity=28, bom=[BomInput("布料", "m", "0.35")])  # 28 × 0.35 = 9.8 m needed
    cloth_line = line(job, "布料")

    materials.material_receive(
        confirm_over=True, line=cloth_line, quantity_received="10.5", actor=cast.head, note="实量10.5米"
    )

    cloth = account(job, "布料")
    assert (cloth.needed, cloth.from_firm, cloth.over, cloth.short) == (D("9.800"), D("10.5"), D("0.700"), 0)
    a = share(job, cast.alice, 28)
    materials.material_issue(
        line=cloth_line, worker=cast.alice, quantity_issued="10.5", actor=cast.head, reason=""
    )
    report(a, 28)
    materials.material_return(line=cloth_line, worker=cast.alice, quantity_returned="0.5", actor=cast.head)
    materials.material_write_off(line=cloth_line, worker=cast.alice, actor=cast.head)
    cloth = account(job, "布料")
    assert (cloth.consumed, cloth.lost, cloth.in_store) == (D("9.800"), D("0.200"), D("0.500"))
    assert cloth.balanced and cloth.from_firm == cloth.consumed + cloth.lost + cloth.in_store


def test_rework_uses_parts_again_only_when_replacement_parts_are_issued(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    panel_line = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel_line, quantity_received=110, actor=cast.head)
    a = share(job, cast.alice, 100)
    materials.kit_issue(assignment=a, actor=cast.head)
    report(a, 100)
    inspect_and_book(cast, job, {a.pk: (90, 10, 10)})  # 10 go back as rework
    rework = job.assignments.get(kind="rework")

    report(rework, 4)  # fixed by hand: no new parts
    assert account(job, "面板").consumed == D("100")
    materials.material_issue(
        line=panel_line,
        worker=cast.alice,
        quantity_issued=6,
        actor=cast.head,
        reason="换面板",
        assignment=rework,
    )
    report(rework, 6)  # these six needed new panels
    assert account(job, "面板").consumed == D("106")
    assert selectors.balances_agree(job)


def test_a_fraction_of_a_whole_unit_per_piece_adds_up_across_reports(cast, material_job):
    job = material_job(quantity=40, bom=[BomInput("纸箱", "ge", "0.05")])  # one box per 20 pieces
    box = line(job, "纸箱")
    materials.material_receive(confirm_over=True, line=box, quantity_received=2, actor=cast.head)
    a = share(job, cast.bob, 40)

    for pieces in (3, 17, 1, 19):
        report(a, pieces)

    assert account(job, "纸箱").consumed == D("2")  # not 4 boxes for four reports
    assert [m.quantity for m in Movement.objects.filter(job=job, kind="consume")] == [D("1"), D("1")]


def test_a_report_whose_parts_are_nowhere_in_the_books_is_refused_and_writes_nothing(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    a = share(job, cast.alice, 100)
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        report(a, 10)

    said = " ".join(refused.value.messages)
    assert said.startswith("这次报工没记上") and "请告诉坊长先登记企业送来的料" in said  # a worker reads it
    assert not WorkReport.objects.filter(assignment=a).exists() and ledger_state(job) == before
    a.refresh_from_db()
    assert a.pieces_reported == 0


def test_parts_taken_at_the_workshop_without_a_kit_are_recorded_as_issued_when_reported(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head
    )
    a = share(job, cast.alice, 100)

    report(a, 30)

    panel = account(job, "面板")
    assert (panel.workers[0].issued, panel.consumed, panel.in_store) == (D(30), D(30), D(70))


def test_a_worker_above_her_allowance_is_flagged_once_her_work_is_done(cast, material_job):
    job = material_job(quantity=200, bom=[BomInput("面板", "ge", "1", "0.5")])
    panel_line = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel_line, quantity_received=220, actor=cast.head)
    a, b = share(job, cast.alice, 100), share(job, cast.bob, 100)
    # 101 and 100: 200 pieces at 0.5 % need 201, rounded up on the running total (kit_share).
    materials.kit_issue(assignment=a, actor=cast.head)
    materials.kit_issue(assignment=b, actor=cast.head)
    materials.material_issue(
        line=panel_line, worker=cast.alice, quantity_issued=2, actor=cast.head, reason="补料"
    )
    report(a, 100)
    report(b, 100)

    workers = {w.name: w for w in account(job, "面板").workers}
    # Bob used his whole kit (100 of 100; his 100 pieces at 0.5 % allow 1): not flagged.
    assert (workers["bob"].loss, workers["bob"].allowed, workers["bob"].above_allowance) == (
        D(0),
        D(1),
        False,
    )
    # Alice keeps 3: 3 % against 0.5 %.
    assert workers["alice"].loss_rate == D("3.00") and workers["alice"].above_allowance
    materials.material_return(line=panel_line, worker=cast.alice, quantity_returned=2, actor=cast.head)
    assert not {w.name: w for w in account(job, "面板").workers}["alice"].above_allowance


def test_a_workers_loss_is_not_flagged_while_her_share_is_open(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1", "0.5")])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=120, actor=cast.head
    )
    a = share(job, cast.alice, 100)
    materials.material_issue(
        line=line(job, "面板"), worker=cast.alice, quantity_issued=110, actor=cast.head, reason=""
    )
    report(a, 60)

    alice = account(job, "面板").workers[0]
    assert alice.loss == D(50) and not alice.above_allowance  # she is still working with it


@pytest.mark.parametrize(
    "step, words",
    [
        (
            lambda c, j: materials.material_receive(
                confirm_over=True, line=line(j, "面板"), quantity_received=-5, actor=c.head
            ),
            "大于0",
        ),
        (
            lambda c, j: materials.material_receive(
                confirm_over=True, line=line(j, "面板"), quantity_received="2.5", actor=c.head
            ),
            "整数",
        ),
        (
            lambda c, j: materials.material_receive(
                confirm_over=True, line=line(j, "面板"), quantity_received="x", actor=c.head
            ),
            "数字",
        ),
        (
            lambda c, j: materials.material_return(
                line=line(j, "面板"), worker=c.alice, quantity_returned=102, actor=c.head
            ),
            "只有面板 101个,不够102个",
        ),
        (
            lambda c, j: materials.material_issue(
                line=line(j, "面板"), worker=c.bob, quantity_issued=500, actor=c.head, reason=""
            ),
            "工坊仓库只有面板 199个",
        ),
        (
            lambda c, j: materials.material_scrap(
                line=line(j, "面板"), quantity_scrapped=1, actor=c.head, reason=""
            ),
            "原因",
        ),
        (
            lambda c, j: materials.material_return_to_firm(
                line=line(j, "面板"), quantity_returned=200, actor=c.head
            ),
            "不够200个",
        ),
    ],
    ids=[
        "negative",
        "fraction-of-whole",
        "not-a-number",
        "return-above-held",
        "issue-above-store",
        "no-reason",
        "return-to-firm-above-store",
    ],
)
def test_bad_input_is_refused_in_words_and_writes_nothing(cast, material_job, step, words):
    job = material_job(quantity=300, bom=[BomInput("面板", "ge", "1", "0.5")])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=300, actor=cast.head
    )
    materials.kit_issue(assignment=share(job, cast.alice, 100), actor=cast.head)
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        step(cast, job)

    assert words in " ".join(refused.value.messages)
    assert ledger_state(job) == before


def test_a_retried_receipt_with_the_same_key_counts_once(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    for _ in range(2):
        materials.material_receive(
            confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head, key="r-1"
        )

    assert account(job, "面板").from_firm == D(100)


def test_a_job_without_materials_reports_as_before(cast, issue_job):
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=100))
    a = share(job, cast.alice, 100)

    report(a, 100)

    assert selectors.job_accounts(job) == [] and not Movement.objects.exists()


def test_a_jobs_accounts_cost_the_same_queries_for_few_or_many_movements(
    cast, material_job, django_assert_num_queries
):
    job = material_job(quantity=300)
    for material, n in (("面板", 400), ("螺丝", 800)):
        materials.material_receive(
            confirm_over=True, line=line(job, material), quantity_received=n, actor=cast.head
        )
    for worker in (cast.alice, cast.bob, cast.carol):
        a = share(job, worker, 100)
        materials.kit_issue(assignment=a, actor=cast.head)
        for _ in range(5):
            report(a, 10)

    with django_assert_num_queries(4):
        accounts = selectors.job_accounts(job)
    assert all(acc.balanced for acc in accounts) and len(accounts[0].workers) == 3
    assert Decimal(sum(acc.consumed for acc in accounts)) == D(150 + 300)


def test_a_workers_kit_cannot_be_written_off_while_her_share_is_open(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head
    )
    a = share(job, cast.alice, 100)
    materials.kit_issue(assignment=a, actor=cast.head)
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        materials.material_write_off(line=line(job, "面板"), worker=cast.alice, actor=cast.head)

    assert "还有这张外发单的活没做完" in " ".join(refused.value.messages)
    assert ledger_state(job) == before


def test_a_receipt_far_above_what_the_job_needs_asks_for_a_confirmation_first(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1", "0.5")])  # needs 101
    panel = line(job, "面板")
    materials.material_receive(line=panel, quantity_received=60, actor=cast.head)
    materials.material_receive(line=panel, quantity_received=51, actor=cast.head)  # 111: 10 % over, taken
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        materials.material_receive(line=panel, quantity_received=1000, actor=cast.head)  # a typo for 10?

    assert "确认超收" in " ".join(refused.value.messages) and ledger_state(job) == before
    materials.material_receive(line=panel, quantity_received=1000, actor=cast.head, confirm_over=True)
    assert account(job, "面板").over == D(1010)


def test_even_a_confirmed_receipt_is_refused_above_ten_times_the_need_plus_ten(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1", "0.5")])  # needs 101: at most 1020
    panel = line(job, "面板")
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        materials.material_receive(
            line=panel, quantity_received=100_000_000, actor=cast.head, confirm_over=True
        )

    assert refused.value.messages == [
        "这张单的面板一共只要 101个,一次收 100000000个 太多了(一次最多 1020个),"
        "确认超收也不能收。请核对数量;别的单用的料请在那张单上收。"
    ]
    assert ledger_state(job) == before
    materials.material_receive(line=panel, quantity_received=1020, actor=cast.head, confirm_over=True)
    assert account(job, "面板").over == D(919)


@pytest.mark.parametrize("typed", ["1e30", "-1e30", "1E+40", "100000000000"])
def test_a_number_too_large_for_any_count_is_refused_in_words_not_a_server_error(cast, material_job, typed):
    job = material_job(quantity=100, bom=[BomInput("布料", "m", "0.35")])
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        materials.material_receive(line=line(job, "布料"), quantity_received=typed, actor=cast.head)

    assert "数量太大" in " ".join(refused.value.messages) and ledger_state(job) == before


def test_a_bill_of_materials_with_a_huge_quantity_per_piece_is_refused_in_words(cast, issue_job):
    with pytest.raises(ValidationError) as refused:
        issue_job(quantity=100, bom=[BomInput("面板", "ge", "1e30")])

    assert "数量太大" in " ".join(refused.value.messages)
    assert not Job.objects.exists()


def test_a_used_form_sent_again_with_another_quantity_is_refused_not_reported_as_saved(cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    materials.material_receive(line=line(job, "面板"), quantity_received=10, actor=cast.head, key="form-1")
    before = ledger_state(job)

    with pytest.raises(ValidationError) as refused:
        materials.material_receive(
            line=line(job, "面板"), quantity_received=20, actor=cast.head, key="form-1"
        )

    assert "已经提交过了" in " ".join(refused.value.messages) and ledger_state(job) == before


def test_an_absurd_quantity_is_refused_in_words_and_a_big_one_is_shown_in_digits(cast, material_job):
    """Found in a trial: "1e10" buttons short was taken, and a refusal read "再收 1E+9个"."""
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    panel = line(job, "面板")
    with pytest.raises(ValidationError, match="多按了几个数字"):
        materials.material_receive(line=panel, quantity_received="1e10", actor=cast.head)

    with pytest.raises(ValidationError) as over:
        materials.material_receive(line=panel, quantity_received="1e8", actor=cast.head)

    said = " ".join(over.value.messages)
    assert "100000000" in said and "E+" not in said
    assert not Movement.objects.filter(line=panel).exists()
