"""What the pages read from the ledger (a share's holdings, the last bill of materials per line, totals of
many jobs) and what a worker reports without moving anything (a shortage or a damaged part)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dispatch import services
from materials import selectors
from materials import services as materials
from materials.models import MaterialProblem
from materials.services import BomInput
from tests.conftest import tomorrow
from tests.factories import LineFactory
from tests.materials.conftest import CLOTH, PANEL, SCREW, D, ledger_state, line, report, share


@translation.override("zh-hans")
def test_a_bom_row_is_checked_and_cleaned_on_its_own():
    clean = materials.bom_input_check(BomInput("  面板 ", "ge", "1.50", ""), 3)
    assert clean == BomInput("面板", "ge", D("1.50"), D("0"))
    with pytest.raises(ValidationError) as bad:
        materials.bom_input_check(BomInput("面板", "ge", "x"), 3)
    assert bad.value.messages == ["物料第3行:请输入数字。"]
    # Ten million a piece, or ten million yuan a unit, is too large (not "at most 4 places").
    with pytest.raises(ValidationError) as bad:
        materials.bom_input_check(BomInput("面板", "ge", "10000000"), 3)
    assert bad.value.messages == ["物料第3行:每件用量太大了,请看一下是不是多按了几个数字。"]
    with pytest.raises(ValidationError) as bad:
        materials.bom_input_check(BomInput("面板", "ge", "1", "0", "10000000"), 3)
    assert bad.value.messages == ["物料第3行:超耗赔付单价(元/单位)太大了,请看一下是不是多按了几个数字。"]


def test_a_shares_page_reads_what_she_holds_of_that_job_only(cast, material_job, django_assert_num_queries):
    job, other = material_job(quantity=100, bom=[PANEL]), material_job(quantity=100, bom=[CLOTH])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=101, actor=cast.head
    )
    materials.material_receive(
        confirm_over=True, line=line(other, "布料"), quantity_received="40", actor=cast.head
    )
    materials.kit_issue(assignment=share(job, cast.alice, 100), actor=cast.head)
    materials.kit_issue(assignment=share(other, cast.alice, 100), actor=cast.head)

    with django_assert_num_queries(1):
        held = selectors.share_materials(cast.alice, job.pk)

    assert [(b.material, q) for b, q in held] == [("面板", D("101"))]
    assert [(b.material, q) for b, q in selectors.share_materials(cast.bob, job.pk)] == [("面板", D("0"))]
    assert selectors.share_materials(cast.alice, material_job(quantity=10, bom=[]).pk) == []


def test_the_last_bill_of_materials_of_each_line_in_two_queries(cast, issue_job, django_assert_num_queries):
    packing = LineFactory(firm=cast.firm)
    cast.pairing.lines.add(packing)
    issue_job(quantity=10, bom=[BomInput("旧面板", "ge", "1")])
    issue_job(quantity=10, bom=[BomInput("面板", "ge", "1"), SCREW])
    issue_job(quantity=10)  # the newest job of the line has none: the one before still counts
    services.job_issue(
        actor=cast.clerk,
        workshop=cast.ws,
        line=packing,
        title="包装",
        quantity=10,
        piece_rate=D("0.02"),
        due_on=tomorrow(),
        bom=[CLOTH],
    )
    bare = LineFactory(firm=cast.firm)

    with django_assert_num_queries(2):
        boms = selectors.last_boms([cast.line.pk, packing.pk, bare.pk])

    assert {k: [b.material for b in v] for k, v in boms.items()} == {
        cast.line.pk: ["面板", "螺丝"],
        packing.pk: ["布料"],
    }


def test_totals_of_many_jobs_add_up_like_each_jobs_accounts(cast, material_job, django_assert_num_queries):
    jobs = []
    for n in (100, 50):
        job = material_job(quantity=n, bom=[PANEL])
        panel = line(job, "面板")
        materials.material_receive(confirm_over=True, line=panel, quantity_received=n + 5, actor=cast.head)
        a = share(job, cast.alice, n)
        materials.kit_issue(assignment=a, actor=cast.head)
        report(a, n // 2)
        materials.material_scrap(line=panel, quantity_scrapped=1, actor=cast.head, reason="压坏")
        jobs.append(job)

    with django_assert_num_queries(3):
        totals = selectors.jobs_totals(jobs)

    for job in jobs:
        for t, acc in zip(totals[job.pk], selectors.job_accounts(job), strict=True):
            assert (t.from_firm, t.consumed, t.scrapped, t.in_store, t.at_workers) == (
                acc.from_firm,
                acc.consumed,
                acc.scrapped,
                acc.in_store,
                acc.at_workers,
            )
            assert t.balanced and not t.reconciled and t.loss_rate == acc.loss_rate


def test_a_worker_reports_a_damaged_part_once_and_nothing_moves(cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel, quantity_received=101, actor=cast.head)
    a = share(job, cast.alice, 100)
    before = ledger_state(job)

    first, made = materials.material_problem_report(
        assignment=a, line=panel, kind="damaged", quantity_reported="3", note="裂了", key="k1"
    )
    again, made_again = materials.material_problem_report(
        assignment=a, line=panel, kind="damaged", quantity_reported="3", note="裂了", key="k1"
    )

    assert (made, made_again, first.pk) == (True, False, again.pk)
    assert (first.worker_id, first.quantity, first.note) == (cast.alice.pk, D("3"), "裂了")
    assert ledger_state(job) == before


@pytest.mark.parametrize(
    "kind, qty, words",
    [
        ("damaged", "1.5", "只能是整数"),
        ("damaged", "0", "数量必须大于0"),
        ("lost", "1", "请选是缺料还是零件坏了"),
    ],
)
@translation.override("zh-hans")
def test_a_bad_report_is_refused_in_words(cast, material_job, kind, qty, words):
    job = material_job(quantity=100)
    a = share(job, cast.alice, 100)
    with pytest.raises(ValidationError) as refused:
        materials.material_problem_report(
            assignment=a, line=line(job, "面板"), kind=kind, quantity_reported=qty, key="k"
        )
    assert words in " ".join(refused.value.messages)
    assert not MaterialProblem.objects.exists()


@translation.override("zh-hans")
def test_another_jobs_material_cannot_be_reported_on_a_share(cast, material_job):
    job, other = material_job(quantity=100), material_job(quantity=100)
    a = share(job, cast.alice, 100)
    with pytest.raises(ValidationError) as refused:
        materials.material_problem_report(
            assignment=a, line=line(other, "面板"), kind="short", quantity_reported=1, key="k"
        )
    assert "这种材料不是这份活的" in " ".join(refused.value.messages)
    assert not MaterialProblem.objects.exists()


def test_a_write_off_with_a_key_already_used_writes_nothing_more(cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel, quantity_received=110, actor=cast.head)
    materials.material_issue(line=panel, worker=cast.alice, quantity_issued=10, actor=cast.head, reason="")
    first = materials.material_write_off(line=panel, worker=cast.alice, actor=cast.head, key="off")
    materials.material_issue(line=panel, worker=cast.alice, quantity_issued=5, actor=cast.head, reason="")

    again = materials.material_write_off(line=panel, worker=cast.alice, actor=cast.head, key="off")

    assert again.pk == first.pk and first.quantity == D("10")
    assert selectors.job_accounts(job)[0].workers[0].holds == D("5")
