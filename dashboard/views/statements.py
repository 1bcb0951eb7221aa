"""Firm statements (对账单) on the dashboard: the list, a statement with its lines, versions and disputes,
its print page and xlsx; the head prepares a month's statement or a corrected version, the firm's clerk signs
it or disputes it.

Who: a statement is seen by its firm's staff, its workshop's head and the community admins of that workshop
(``dashboard.view_statement``; anyone else gets a 404 from ``selectors.statement_get``). The head prepares and
corrects (``prepare_statement`` / ``correct_statement``), the firm's clerk signs and disputes
(``sign_statement``); a POST from anyone else is a 403 and writes nothing. The operator's fee (运营服务费) and
the workers' rate are shown to the head and the community admin, to the firm only when the pairing opens the
fee (``view_statement_fee``).
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dispatch.services import statements as statement_services
from dispatch.web import paginate, refused_text
from materials.models import Unit

from .. import forms, selectors
from ..exports import Column, Plan, write_xlsx
from .common import REFUSED, dashboard_view, page_context, require_perm

UNITS = dict(Unit.choices)


@require_GET
@dashboard_view
def statement_list(request: HttpRequest) -> HttpResponse:
    """Every statement one sees, newest month first, 50 a page; for a head, the form to prepare a month's.
    The same number of queries whatever the number of statements."""
    scope = request.scope
    page = paginate(request, selectors.statements_for(scope))
    prepare_form = forms.StatementPrepareForm(scope=scope) if scope.is_head else None
    context = page_context(
        request,
        page=page,
        prepare_form=prepare_form,
        sees_fee=not scope.is_firm,
    )
    return render(request, "dashboard/statement_list.html", context)


@require_POST
@dashboard_view
def statement_prepare(request: HttpRequest) -> HttpResponse:
    """The head prepares the month's statement of one of their pairings (a corrected version, with its
    reason, when the month has one). A form that does not hold (another workshop's pairing) is a 400 and
    writes nothing."""
    require_perm(request, "prepare_statement")
    scope = request.scope
    form = forms.StatementPrepareForm(request.POST, scope=scope)
    if not form.is_valid():  # another workshop's pairing, a month that is not one: nothing is written
        page = paginate(request, selectors.statements_for(scope))
        context = page_context(request, page=page, prepare_form=form, sees_fee=True)
        return render(request, "dashboard/statement_list.html", context, status=400)
    d = form.cleaned_data
    try:
        statement = statement_services.statement_prepare(
            actor=request.user,
            firm=d["pairing"].firm,
            workshop=d["pairing"].workshop,
            month=d["month"],
            reason=d["reason"],
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return redirect("dashboard:statements")
    messages.success(request, _("对账单已出,等企业确认签字。"))
    return redirect("dashboard:statement", statement.pk)


def _lines(statement, *, sees_fee: bool) -> tuple[list[dict], list[dict]]:
    """The statement's frozen lines for a page: Decimals back from their strings, units in words; without
    the fee and the workers' rate unless ``sees_fee``."""
    jobs = []
    for j in statement.figures.get("jobs", []):
        row = {k: (Decimal(v) if isinstance(v, str) and k not in ("title",) else v) for k, v in j.items()}
        if not sees_fee:
            for k in ("fee_per_piece", "fee_yuan", "worker_rate"):
                row.pop(k, None)
        jobs.append(row)
    mats = []
    for m in statement.figures.get("materials", []):
        row = {
            k: (Decimal(v) if isinstance(v, str) and k not in ("job_title", "material", "unit") else v)
            for k, v in m.items()
        }
        row["unit_name"] = UNITS.get(m.get("unit"), m.get("unit"))
        mats.append(row)
    return jobs, mats


def _detail_context(request: HttpRequest, statement) -> dict:
    sees_fee = request.user.has_perm("dashboard.view_statement_fee", statement)
    jobs, mats = _lines(statement, sees_fee=sees_fee)
    is_open = statement.signed_at is None and not statement.corrected
    may = request.user.has_perm
    return page_context(
        request,
        statement=statement,
        jobs=jobs,
        materials=mats,
        sees_fee=sees_fee,
        disputes=list(statement.disputes.select_related("raised_by")),
        can_sign=is_open and may("dashboard.sign_statement", statement),
        can_correct=not statement.corrected and may("dashboard.correct_statement", statement),
        month_open=statement.month >= timezone.localdate().replace(day=1),
        printed_at=timezone.localtime(),
    )


@require_GET
@dashboard_view
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A statement: its job lines, material lines and totals, who signed when, its disputes (both figures)
    and its versions; the clerk's sign and dispute forms, the head's correction form."""
    statement = selectors.statement_get(request.scope, pk)
    context = _detail_context(request, statement)
    context["dispute_form"] = forms.StatementDisputeForm()
    context["correct_form"] = forms.StatementCorrectForm()
    versions = selectors.statements_for(request.scope).filter(
        firm_id=statement.firm_id, workshop_id=statement.workshop_id, month=statement.month
    )
    context["versions"] = list(versions)
    return render(request, "dashboard/statement_detail.html", context)


@require_GET
@dashboard_view
def statement_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement on one A4 page to print and sign by hand (print CSS like the delivery note's)."""
    statement = selectors.statement_get(request.scope, pk)
    return render(request, "dashboard/statement_print.html", _detail_context(request, statement))


@require_POST
@dashboard_view
def statement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The firm's clerk signs the statement (签字确认); a second signature is refused in words."""
    statement = selectors.statement_get(request.scope, pk)
    require_perm(request, "sign_statement", statement)
    try:
        statement_services.statement_sign(actor=request.user, statement=statement)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("已签字确认。"))
    return redirect("dashboard:statement", statement.pk)


@require_POST
@dashboard_view
def statement_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """The firm's clerk records a disagreement: the firm's figure beside the workshop's, and why. The
    form's hidden key makes a double submit record one dispute and tell the head once."""
    statement = selectors.statement_get(request.scope, pk)
    require_perm(request, "sign_statement", statement)
    form = forms.StatementDisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("dashboard:statement", statement.pk)
    try:
        _dispute, created = statement_services.statement_dispute(
            actor=request.user,
            statement=statement,
            clerk_figure=form.cleaned_data["clerk_figure"],
            note=form.cleaned_data["note"],
            key=form.cleaned_data["key"],
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if created:
            messages.success(request, _("异议已记录,坊长会核对后出更正版本。"))
        else:
            messages.info(request, _("这条异议已经记录过了,没有重复提交。"))
    return redirect("dashboard:statement", statement.pk)


@require_POST
@dashboard_view
def statement_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The head prepares a corrected version of the statement's month from the ledgers as they stand."""
    statement = selectors.statement_get(request.scope, pk)
    require_perm(request, "correct_statement", statement)
    form = forms.StatementCorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明更正原因(最多300字)。"))
        return redirect("dashboard:statement", statement.pk)
    try:
        fresh = statement_services.statement_prepare(
            actor=request.user,
            firm=statement.firm,
            workshop=statement.workshop,
            month=statement.month,
            reason=form.cleaned_data["reason"],
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return redirect("dashboard:statement", statement.pk)
    messages.success(request, _("更正版本已出,等企业确认签字。"))
    return redirect("dashboard:statement", fresh.pk)


def statement_plan(statement, jobs: list[dict], mats: list[dict], *, sees_fee: bool) -> Plan:
    """The statement as one sheet: a row per job, a row per material, then the totals; the figures of the
    printed page (the fee and the workers' rate only when ``sees_fee``)."""
    columns = [
        Column(_("类别"), width=10),
        Column(_("外发单号"), "int", 10),
        Column(_("品名/物料"), width=24),
        Column(_("合格件数"), "int"),
        Column(_("返工件数"), "int"),
        Column(_("计件单价(元/件)"), "rate"),
        Column(_("金额(元)"), "money"),
        Column(_("超耗数量"), "qty"),
        Column(_("单位"), width=6),
        Column(_("超耗赔付单价(元/单位)"), "rate"),
    ]
    if sees_fee:
        columns += [Column(_("运营服务费(元/件)"), "rate"), Column(_("运营服务费(元)"), "money")]
    job_kind, mat_kind, total = _("加工"), _("材料超耗"), _("合计")
    no_fee = [None, None] if sees_fee else []

    def rows():
        for j in jobs:
            row = [job_kind, j["job_id"], j["title"], j["pieces_passed"], j["rework_pieces"], j["rate"]]
            row += [j["amount"], None, "", None]
            if sees_fee:
                row += [j["fee_per_piece"], j["fee_yuan"]]
            yield row
        for m in mats:
            row = [mat_kind, m["job_id"], f"{m['job_title']} · {m['material']}", None, None, None]
            row += [-m["deduction_yuan"], m["over"] - m["over_before"], m["unit_name"], m["unit_price"]]
            yield row + no_fee
        for label, value in (
            (_("加工费合计"), statement.processing_yuan),
            (_("材料超耗扣款"), -statement.material_deduction_yuan),
            (_("应付合计"), statement.payable_yuan),
        ):
            yield [total, None, label, None, None, None, value, None, "", None, *no_fee]
        if sees_fee:
            fee = statement.operator_fee_yuan
            yield [total, None, _("运营服务费"), None, None, None, None, None, "", None, None, fee]

    n = len(jobs) + len(mats) + 3 + (1 if sees_fee else 0)
    return Plan(_("对账单"), columns, n, rows)


@require_GET
@dashboard_view
def statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement as an xlsx download, written at once (a month is a few dozen rows) with the exports'
    writer (text never a formula)."""
    statement = selectors.statement_get(request.scope, pk)
    sees_fee = request.user.has_perm("dashboard.view_statement_fee", statement)
    jobs, mats = _lines(statement, sees_fee=sees_fee)
    out = io.BytesIO()
    write_xlsx(out, statement_plan(statement, jobs, mats, sees_fee=sees_fee))
    out.seek(0)
    name = _("对账单-%(firm)s-%(month)s-v%(v)s.xlsx") % {
        "firm": statement.firm_id,
        "month": f"{statement.month:%Y-%m}",
        "v": statement.version,
    }
    return FileResponse(out, as_attachment=True, filename=name)
