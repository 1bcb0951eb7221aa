"""Supplied materials (来料) on the dashboard: a job's materials page with the head's moves, its
reconciliation (物料对账单) to print and as xlsx, a worker's reported photo, and the materials of every job
one sees (the firm's view across its jobs).

Who: whoever sees the job reads its materials (``dashboard.view_materials``); only the head of the job's
workshop moves them (``move_materials``: a POST from anyone else is a 403 and writes nothing); a worker's
rows (names, what each holds, her loss) and her reports are the head's and the community admin's
(``view_material_workers``): the firm's staff see totals only.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dispatch.models import AssignmentKind, AssignmentState
from dispatch.services import materials as flow_materials
from dispatch.web import paginate, refused_text
from materials import selectors as material_reads
from materials import services as ledger
from materials.models import MaterialProblem
from materials.selectors import ZERO

from .. import material_forms, selectors
from ..exports import Column, Plan, write_xlsx
from .common import REFUSED, dashboard_view, page_context, require_perm

WORKING = (AssignmentState.ACCEPTED, AssignmentState.DONE)


def _shares(job) -> list:
    """The job's shares with their workers, oldest first (one query)."""
    return list(job.assignments.select_related("worker").order_by("pk"))


def _workers(shares) -> list[tuple[int, str]]:
    """(id, name) of everyone with a share of the job (the only workers its material goes to), by name."""
    named = {a.worker_id: a.worker.name for a in shares}
    return sorted(named.items(), key=lambda item: (item[1], item[0]))


def _move_form(action: str, accounts, shares, data=None) -> material_forms.MaterialMoveForm:
    """The form of ``action`` over the job's materials and shares: a kit for a first-round share at work,
    extra material for any share at work (a rework share's replacement parts)."""
    working = [a for a in shares if a.state in WORKING]
    return material_forms.MaterialMoveForm(
        data,
        action=action,
        lines=[acc.line for acc in accounts],
        workers=_workers(shares),
        shares=[a for a in working if a.kind == AssignmentKind.FIRST] if action == "kit" else working,
    )


def _apply(request: HttpRequest, job, shares, action: str, d: dict) -> str:
    """Run the move ``action`` with the form's cleaned data ``d``; return what was done, in words."""
    key = f"p:{job.pk}:{action}:{d['key']}"
    actor = request.user
    line = d.get("line")
    workers = {a.worker_id: a.worker for a in shares}
    if action == "kit":
        share = d["share"]
        ledger.kit_issue(assignment=share, actor=actor)
        return _("已按派工给%(w)s发料。") % {"w": share.worker.name}
    if action == "receive":
        ledger.material_receive(
            line=line,
            quantity_received=d["quantity"],
            actor=actor,
            note=d["note"],
            key=key,
            confirm_over=d.get("confirm_over", False),
        )
        return _("%(m)s已入库。") % {"m": line.material}
    if action == "return_to_firm":
        ledger.material_return_to_firm(
            line=line, quantity_returned=d["quantity"], actor=actor, note=d["note"], key=key
        )
        return _("%(m)s已登记退回企业。") % {"m": line.material}
    if action == "scrap":
        worker = _worker(workers, d["holder"]) if d["holder"] is not None else None
        ledger.material_scrap(
            line=line,
            quantity_scrapped=d["quantity"],
            actor=actor,
            reason=d["reason"],
            worker=worker,
            key=key,
        )
        return _("%(m)s已登记报废。") % {"m": line.material}
    worker = _worker(workers, d["worker"])
    if action == "issue":
        share = d.get("share")
        if share is not None and share.worker_id != worker.pk:
            raise ValidationError(_("所选派工不是%(w)s的。") % {"w": worker.name})
        ledger.material_issue(
            line=line,
            worker=worker,
            quantity_issued=d["quantity"],
            actor=actor,
            reason=d["reason"],
            assignment=share,
            key=key,
        )
        return _("已给%(w)s补%(m)s。") % {"w": worker.name, "m": line.material}
    if action == "return":
        ledger.material_return(
            line=line, worker=worker, quantity_returned=d["quantity"], actor=actor, note=d["note"], key=key
        )
        return _("%(w)s的%(m)s已退回仓库。") % {"w": worker.name, "m": line.material}
    moved = flow_materials.material_write_off_flagged(
        actor=actor, job=job, line=line, worker=worker, reason=d["reason"], key=key
    )
    if moved is None:
        return _("%(w)s手上没有%(m)s,不用核销。") % {"w": worker.name, "m": line.material}
    return _("%(w)s手上的%(m)s已核销为损耗。") % {"w": worker.name, "m": line.material}


def _worker(workers: dict, worker_id: int):
    """The job's worker ``worker_id``; someone who never had a share of the job is refused in words."""
    if worker_id not in workers:
        raise ValidationError(_("这位坊工没有这张外发单的派工。"))
    return workers[worker_id]


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_materials(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's materials (物料): per material what it needs, what came (short or over), what is in the
    store and at each worker (issued, consumed, returned, scrapped, loss and 损耗率 against the allowance,
    red above it), returned to the firm, scrapped, lost, and whether it is reconciled (else what is out
    and where). The head's moves are forms posted here, each with a key so a double submit counts once;
    a refused move shows the ledger's words and writes nothing."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_materials", job)
    can_move = request.user.has_perm("dashboard.move_materials", job)
    accounts = material_reads.job_accounts(job)
    shares = _shares(job) if can_move else []
    bound = None
    if request.method == "POST":
        if not can_move:
            raise PermissionDenied(_("只有本工坊的坊长可以登记物料。"))
        action = request.POST.get("action", "")
        if action not in material_forms.MOVES:
            raise Http404(_("没有这个操作。"))
        bound = _move_form(action, accounts, shares, request.POST)
        if bound.is_valid():
            try:
                done = _apply(request, job, shares, action, bound.cleaned_data)
            except REFUSED as exc:
                bound.add_error(None, refused_text(exc))
            else:
                messages.success(request, done)
                return redirect("dashboard:job_materials", pk=job.pk)
    show_workers = request.user.has_perm("dashboard.view_material_workers", job)
    move_forms = []
    if can_move and accounts:
        move_forms = [
            bound if bound is not None and bound.action == action else _move_form(action, accounts, shares)
            for action in material_forms.MOVES
        ]
        move_forms = [f for f in move_forms if f is bound or f.usable]
    context = page_context(
        request,
        job=job,
        accounts=accounts,
        show_workers=show_workers,
        can_move=can_move,
        move_forms=move_forms,
        problems=list(_problems(job)[:20]) if show_workers else [],
    )
    return render(request, "dashboard/job_materials.html", context, status=400 if bound is not None else 200)


def _problems(job):
    return MaterialProblem.objects.filter(line__job=job).select_related("line", "worker")


@require_GET
@dashboard_view
def material_problem_photo(request: HttpRequest, pk: int, problem: int) -> HttpResponse:
    """The photo a worker sent with her report, for the head and the community admin of the job only."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_material_workers", job)
    found = _problems(job).filter(pk=problem).first()
    if found is None or not found.photo:
        raise Http404(_("没有照片。"))
    response = FileResponse(found.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the reconciliation (物料对账单) ----------------------------------------------------------------------


@require_GET
@dashboard_view
def job_materials_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's material reconciliation to print: per material, from the firm = consumed + returned to
    the firm + scrapped + lost (+ what is still in the store or at workers while not reconciled), with a
    row per worker for the head and the community admin."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_materials", job)
    context = page_context(
        request,
        job=job,
        accounts=material_reads.job_accounts(job),
        show_workers=request.user.has_perm("dashboard.view_material_workers", job),
        printed_at=timezone.localtime(),
    )
    return render(request, "dashboard/job_materials_statement.html", context)


def statement_plan(accounts, *, show_workers: bool) -> Plan:
    """The reconciliation as one sheet: a totals row per material, then (for the head and the community
    admin) a row per worker; the figures are those of the printed page."""
    columns = [
        Column(_("物料"), width=16),
        Column(_("单位"), width=6),
        Column(_("行"), width=8),
        Column(_("坊工"), width=10),
        Column(_("应来料(含损耗)"), "qty"),
        Column(_("企业来料"), "qty"),
        Column(_("已耗用"), "qty"),
        Column(_("退回企业"), "qty"),
        Column(_("报废"), "qty"),
        Column(_("核销损耗"), "qty"),
        Column(_("仓库结存"), "qty"),
        Column(_("坊工手上"), "qty"),
        Column(_("已发给坊工"), "qty"),
        Column(_("坊工退料"), "qty"),
        Column(_("损耗率(%)"), "qty"),
        Column(_("允许损耗率(%)"), "qty"),
        Column(_("对账"), width=12),
    ]
    total, worker_row = _("合计"), _("坊工")

    def rows():
        for acc in accounts:
            unit = acc.line.get_unit_display()
            state = _("已对平") if acc.reconciled else _("未对平")
            yield [
                acc.line.material,
                unit,
                total,
                "",
                acc.needed,
                acc.from_firm,
                acc.consumed,
                acc.returned_to_firm,
                acc.scrapped,
                acc.lost,
                acc.in_store,
                acc.at_workers,
                sum((w.issued for w in acc.workers), ZERO),
                sum((w.returned for w in acc.workers), ZERO),
                acc.loss_rate,
                acc.line.loss_pct,
                state,
            ]
            if not show_workers:
                continue
            for w in acc.workers:
                yield [
                    acc.line.material,
                    unit,
                    worker_row,
                    w.name,
                    None,
                    None,
                    w.consumed,
                    None,
                    w.scrapped,
                    w.lost,
                    None,
                    w.holds,
                    w.issued,
                    w.returned,
                    w.loss_rate,
                    w.allowance_pct,
                    _("超出允许损耗") if w.above_allowance else "",
                ]

    n = sum(1 + (len(acc.workers) if show_workers else 0) for acc in accounts)
    return Plan(_("物料对账单"), columns, n, rows)


@require_GET
@dashboard_view
def job_materials_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The reconciliation as an xlsx download, written at once (a job's materials are a few dozen rows:
    no need for the background export queue) with the exports' writer (text never a formula)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_materials", job)
    accounts = material_reads.job_accounts(job)
    plan = statement_plan(
        accounts, show_workers=request.user.has_perm("dashboard.view_material_workers", job)
    )
    out = io.BytesIO()
    write_xlsx(out, plan)
    out.seek(0)
    name = _("物料对账单-%(id)s.xlsx") % {"id": job.pk}
    return FileResponse(out, as_attachment=True, filename=name)


# --- every job's materials (the firm's view) -------------------------------------------------------------


@require_GET
@dashboard_view
def materials_overview(request: HttpRequest) -> HttpResponse:
    """The materials of every job one sees that has a bill of materials, newest first, 50 a page: per
    material received, consumed, returned to the firm, scrapped, lost, still out, reconciled. Totals
    only: no worker's rows on this page, whoever reads it."""
    only_open = request.GET.get("open") == "1"
    page = paginate(request, selectors.jobs_with_materials(request.scope, only_open=only_open))
    totals = material_reads.jobs_totals(list(page.object_list))
    rows = [(job, totals.get(job.pk, [])) for job in page.object_list]
    context = page_context(request, page=page, rows=rows, only_open=only_open)
    return render(request, "dashboard/materials_overview.html", context)
