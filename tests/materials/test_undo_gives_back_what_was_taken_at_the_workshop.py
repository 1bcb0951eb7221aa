"""A worker at the workshop reports pieces without a kit: the parts she used are recorded as taken from the
store then (报工时补记领料). When the report is undone or corrected down, the parts it took that way go
back to the store, not to her: her phone must not list material she never held, and the store must show
what is on its shelves. What she held before the report (a kit at home) stays hers."""

from __future__ import annotations

from dispatch import services
from dispatch.services.corrections import last_live_report
from materials import selectors
from materials import services as materials
from materials.models import Movement, MovementKind
from materials.services import BomInput
from tests.materials.conftest import D, line, report, share

PANEL = BomInput("面板", "ge", "1")
CLOTH = BomInput("布料", "m", "0.35")


def _held(worker, job) -> dict[str, D]:
    return {b.material: q for b, q in selectors.share_materials(worker, job.pk)}


def _store(job, material) -> D:
    return next(a for a in selectors.job_accounts(job) if a.line.material == material).in_store


def test_an_undone_report_at_the_workshop_puts_the_parts_back_on_the_shelf(cast, material_job):
    job = material_job(quantity=100, bom=[PANEL, CLOTH])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head
    )
    materials.material_receive(
        confirm_over=True, line=line(job, "布料"), quantity_received="40", actor=cast.head
    )
    a = share(job, cast.alice, 100)

    done, _created = report(a, 30)
    assert _held(cast.alice, job) == {"面板": D(0), "布料": D(0)}
    assert (_store(job, "面板"), _store(job, "布料")) == (D(70), D("29.5"))

    services.report_undo(actor=cast.alice.user, report=done)

    assert _held(cast.alice, job) == {"面板": D(0), "布料": D(0)}
    assert (_store(job, "面板"), _store(job, "布料")) == (D(100), D(40))
    assert selectors.balances_agree(job)
    back = Movement.objects.filter(job=job, kind=MovementKind.RETURN).order_by("id")
    assert [(m.line.material, m.quantity, m.worker_id) for m in back] == [
        ("面板", D(30), cast.alice.pk),
        ("布料", D("10.5"), cast.alice.pk),
    ]
    assert all(m.report.reverses_id == done.pk for m in back)  # the undo's own row, appended


def test_her_kit_from_home_stays_hers_and_only_the_part_taken_at_the_workshop_goes_back(cast, material_job):
    job = material_job(quantity=100, bom=[PANEL])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head
    )
    materials.material_issue(
        line=line(job, "面板"), worker=cast.alice, quantity_issued=10, actor=cast.head, reason=""
    )
    a = share(job, cast.alice, 100)

    done, _created = report(a, 25)  # 10 from her kit, 15 taken at the workshop
    assert _held(cast.alice, job) == {"面板": D(0)} and _store(job, "面板") == D(75)

    services.report_undo(actor=cast.alice.user, report=done)

    assert _held(cast.alice, job) == {"面板": D(10)}
    assert _store(job, "面板") == D(90)
    assert selectors.balances_agree(job)


def test_a_report_corrected_down_returns_only_the_pieces_taken_off(cast, material_job):
    job = material_job(quantity=100, bom=[PANEL])
    materials.material_receive(
        confirm_over=True, line=line(job, "面板"), quantity_received=100, actor=cast.head
    )
    a = share(job, cast.alice, 100)
    done, _created = report(a, 30)

    services.report_correct(actor=cast.head, report=done, pieces=12, reason="数错了")

    assert _held(cast.alice, job) == {"面板": D(0)}
    assert _store(job, "面板") == D(88)
    # Corrected up again: taken at the workshop again, and nothing is returned twice.
    last = last_live_report(a.pk)
    services.report_correct(actor=cast.head, report=last, pieces=20, reason="又数了一遍")
    assert _held(cast.alice, job) == {"面板": D(0)} and _store(job, "面板") == D(80)
    assert selectors.balances_agree(job)
