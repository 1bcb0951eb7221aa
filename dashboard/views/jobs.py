"""One job's pages and moves: issue (firm), the job page and its photo, accept / decline / send for
inspection / cancel from the page or the board, the head's dispatch and the firm's inspection."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch import selectors as flow_selectors
from dispatch import services as flow
from dispatch.models import DISPATCHING_STATES, JobState
from dispatch.services.corrections import REPORT_OPEN_STATES
from dispatch.web import id_param, redirect_back, refused_text
from materials import selectors as material_reads
from tickets import selectors as ticket_reads
from workshop import selectors as people

from .. import forms, material_forms, selectors, services
from .. import pay_selectors as pay_reads
from .common import REFUSED, dashboard_view, page_context, require_perm

# --- issue a job ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_new(request: HttpRequest) -> HttpResponse:
    """Firm staff issue a job (企业分发) with an optional sample photo and the bill of materials the firm
    supplies (来料: rows of material, unit, quantity per piece, allowed loss). The rows start from the
    last job of the line given in ``?line=`` (or the first line); a small script refills them from the
    chosen line's last job while they are untouched. A wrong row is refused in words and nothing is
    written."""
    require_perm(request, "issue_job")
    lines = list(flow_selectors.lines_for_issue(request.user))
    boms = material_reads.last_boms([line.pk for line in lines])
    chosen = id_param(request, "line")
    chosen = next((line for line in lines if line.pk == chosen), lines[0] if lines else None)
    form = forms.JobIssueForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"line": chosen.pk} if chosen else None,
    )
    rows = max(material_forms.MIN_BOM_ROWS, max((len(b) for b in boms.values()), default=0) + 2)
    # A post without any row (an older form, a script) issues a job without materials; one with rows but
    # no row count is refused (it dropped the rows, found in a trial).
    posted_rows = request.method == "POST" and any(
        key.startswith(f"{material_forms.BOM_PREFIX}-") for key in request.POST
    )
    prefill = material_forms.bom_initial(boms.get(chosen.pk, []) if chosen else [])
    bom_rows = material_forms.bom_formset(request.POST if posted_rows else None, initial=prefill, rows=rows)
    rows_ok = bom_rows.is_valid() if posted_rows else True
    if request.method == "POST" and form.is_valid() and rows_ok:
        d = form.cleaned_data
        try:
            job = flow.job_issue(
                actor=request.user,
                workshop=d["workshop"],
                line=d["line"],
                title=d["title"],
                quantity=d["quantity"],
                piece_rate=d["piece_rate"],
                due_on=d["due_on"],
                instructions=d["instructions"],
                process_kind=d["process_kind"] or None,
                photo=d.get("photo"),
                bundle_size=d["bundle_size"],
                bom=bom_rows.bom if posted_rows else [],
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(
                request, _("外发单 #%(id)s 已分发给 %(w)s。") % {"id": job.pk, "w": job.workshop.name}
            )
            return redirect("dashboard:job", pk=job.pk)
    context = page_context(
        request,
        form=form,
        bom_rows=bom_rows,
        prefilled=bool(prefill) and not posted_rows,
        last_boms={str(k): material_forms.bom_initial(v) for k, v in boms.items()},
    )
    return render(request, "dashboard/job_new.html", context)


# --- one job -------------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job with its facts, photo, assignments, inspections and its FlowEvent timeline, and the actions
    the user's role may take on it now. Its rate as an hourly figure against the local minimum hourly wage
    (``dispatch.minwage``), with a warning when below: it informs, never blocks accepting. Pieces the
    planner could give no one are said in words, with the manual dispatch (``Job.left_unplaced``)."""
    job = selectors.job_get(request.scope, pk)
    assignments = selectors.job_assignments(job)
    inspections = list(selectors.with_result_sums(job.inspections.select_related("inspector")))
    reported = sum(a.pieces_reported for a in assignments)
    job.reported = reported  # the actions partial offers 完工送检 once everything is reported
    can_bundles = request.user.has_perm("dashboard.view_bundles", job)
    summaries = ticket_reads.ticket_summaries(job) if can_bundles else {}
    can_reports = request.user.has_perm("dashboard.view_reports", job)
    reports = pay_reads.job_reports(job) if can_reports else {}
    for a in assignments:
        a.tickets = summaries.get(a.pk)
        a.report_rows = reports.get(a.pk, [])
    rate_check, rate_words = selectors.job_rate_check(request.scope, job)
    can_correct_result = request.user.has_perm("dashboard.correct_result", job)
    can_print = request.user.has_perm("dashboard.print_tickets", job)
    can_take_back = job.state in DISPATCHING_STATES and request.user.has_perm(
        "dashboard.take_back_share", job
    )
    # Pieces the planner could place with no one (``Job.left_unplaced``): read with the job, no query.
    unplaced = job.pieces_unassigned if job.left_unplaced and job.state in DISPATCHING_STATES else 0
    context = page_context(
        request,
        job=job,
        assignments=assignments,
        inspections=inspections,
        events=_unnamed(
            request.scope,
            flow_selectors.job_timeline(
                job, assignments, label=request.scope.worker_label, share_notes=not request.scope.is_firm
            ),
        ),
        reported=reported,
        pending=len(flow_selectors.inspection_pending(assignments)),
        can_firm=request.user.has_perm("dashboard.inspect_job", job),
        can_print=can_print,
        # Bundle tickets travel with the pieces to the firm: numbers first where it sees workers by number.
        numbered=can_print
        and not people.firm_sees_names(firm_id=job.line.firm_id, workshop_id=job.workshop_id),
        can_bundles=can_bundles,
        bundles_reported=sum(s.scanned for s in summaries.values()),
        bom=material_reads.job_bom(job),
        rate_check=rate_check,
        rate_words=rate_words,
        can_reports=can_reports,
        can_correct_report=can_reports and request.user.has_perm("dashboard.correct_report", job),
        report_open=job.state in REPORT_OPEN_STATES,
        can_take_back=can_take_back,
        # Who may take over rework its worker will not finish (转给别人返工): read only when there is some.
        rework_takers=selectors.dispatch_workers(job)
        if can_take_back and any(a.rest_to_pass_on for a in assignments)
        else [],
        unplaced=unplaced,
        can_dispatch=bool(unplaced) and request.user.has_perm("dashboard.dispatch_job", job),
        can_correct_result=can_correct_result,
        results=pay_reads.job_results(job) if inspections and (can_reports or can_correct_result) else [],
    )
    return render(request, "dashboard/job_detail.html", context)


@require_GET
@dashboard_view
def job_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's sample photo, served only to those who see the job (not a public media URL)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_photo", job)
    if not job.photo:
        raise Http404(_("没有照片。"))
    response = FileResponse(job.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _job_action(request: HttpRequest, pk: int, perm: str, act, done: str) -> HttpResponse:
    """A one-click move on a job from its page or the board: check ``perm`` on the job, run
    ``act(job, reason)`` (the form's optional reason), say ``done`` (``%(t)s`` is the job's title) or why
    the move was refused, and go back where the user came from."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, perm, job)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        act(job, reason)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, done % {"t": job.title})
    return redirect_back(request, reverse("dashboard:job", args=[job.pk]))


@require_POST
@dashboard_view
def job_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "accept_job",
        lambda job, _reason: flow.job_accept(actor=request.user, job=job),
        _("已接单:%(t)s。系统会把活派给合适的坊工。"),
    )


@require_POST
@dashboard_view
def job_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "accept_job",
        lambda job, reason: flow.job_decline(actor=request.user, job=job, reason=reason),
        _("已拒单:%(t)s。"),
    )


@require_POST
@dashboard_view
def job_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The head marks every piece reported (完工): ready to hand over; the delivery note comes next."""
    return _job_action(
        request,
        pk,
        "submit_job",
        lambda job, _reason: flow.job_complete(actor=request.user, job=job),
        _("已完工:%(t)s。收齐货后开送货单交企业。"),
    )


@require_POST
@dashboard_view
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "cancel_job",
        lambda job, reason: flow.job_cancel(actor=request.user, job=job, reason=reason),
        _("外发单已取消。"),
    )


def _parse_shares(post, workers, most: int) -> tuple[dict[int, int], dict[int, str], list[str]]:
    """Read ``w<worker id>`` piece counts for the workshop's ``workers``: (shares, raw values, errors).
    A count above ``most`` (the job's unassigned pieces) is refused on its own row, by name: twenty nines
    are one worker's slip, not a wrong total."""
    shares, raw, errors = {}, {}, []
    for w in workers:
        wid = w.pk
        value = (post.get(f"w{wid}") or "").strip()
        raw[wid] = value
        if value in ("", "0"):
            continue
        if not value.isdecimal():  # not isdigit(): int() refuses the superscript "²" it lets through
            errors.append(_("%(w)s:请输入不小于0的整数件数。") % {"w": w.name})
            continue
        digits = value.lstrip("0")
        if len(digits) > len(str(most)) or int(digits or "0") > most:
            too_many = ngettext(
                "%(w)s:件数太大了,这张单未派的只有 %(n)d 件。",
                "%(w)s:件数太大了,这张单未派的只有 %(n)d 件。",
                most,
            )
            errors.append(too_many % {"w": w.name, "n": most})
            continue
        shares[wid] = int(value)
    # Pieces typed for someone who is not a row (another workshop's worker, one stopped since the page
    # was drawn): refuse the split rather than offer the rest without a word, and say so even when she
    # was the only one (a trial read "give at least one worker pieces" after typing hers).
    known = {f"w{w.pk}" for w in workers}
    stray = [
        k for k in post if re.fullmatch(r"w\d+", k) and k not in known and post[k].strip() not in ("", "0")
    ]
    if stray:
        errors.append(_("有坊工不属于此工坊或已停用。"))
    return shares, raw, errors


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """The head's dispatch (派工): the planned split of the unassigned pieces, editable per worker with
    the totals checked as you type (and again here on the server), offered in one transaction. An issued
    job is accepted in the same transaction. The workers the planner picked are listed first; the others
    are folded (``<details>``, no script needed); the total, its warning and the button stay in a bar at
    the bottom of the window however long the list."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "dispatch_job", job)
    if job.state not in (JobState.ISSUED, *DISPATCHING_STATES) or job.pieces_unassigned <= 0:
        messages.info(request, _("这个外发单现在没有待派的件数。"))
        return redirect("dashboard:job", pk=job.pk)
    workers = selectors.dispatch_workers(job)
    errors: list[str] = []
    raw: dict[int, str] = {}
    shares: dict[int, int] = {}
    if request.method == "POST":
        shares, raw, errors = _parse_shares(request.POST, workers, job.pieces_unassigned)
        if not errors:
            try:
                made = services.dispatch_shares(actor=request.user, job=job, shares=shares)
            except REFUSED as exc:
                errors.append(refused_text(exc))
            else:
                # What the head just gave, not the offers' totals: an open offer of the job grows by
                # its share (``offer_jobs``), and "共 463 件" read as 463 just dispatched (a trial).
                offered = ngettext(
                    "已派出 %(n)d 份工,共 %(p)d 件,等待坊工接受。",
                    "已派出 %(n)d 份工,共 %(p)d 件,等待坊工接受。",
                    len(made),
                )
                messages.success(request, offered % {"n": len(made), "p": sum(shares.values())})
                return redirect("dashboard:job", pk=job.pk)
    # The plan (the optimiser's run) only for the page: shown fresh, or again with what the head typed.
    # The planner's picks come first; the rest are folded, and open only when the head typed pieces there.
    rows = selectors.dispatch_plan(job, workers=workers)
    for row in rows:
        row["value"] = raw.get(row["worker"].pk, "") if request.method == "POST" else row["planned"] or ""
    # What was read as pieces (a refused row is not counted: a 5,000-digit one would not even convert).
    total = sum(shares.values()) if request.method == "POST" else sum(r["planned"] or 0 for r in rows)
    suggested = [r for r in rows if r["planned"]]
    others = [r for r in rows if not r["planned"]]
    context = page_context(
        request,
        job=job,
        rows=rows,
        suggested=suggested,
        others=others,
        others_open=any(str(r["value"]) not in ("", "0") for r in others),
        errors=errors,
        total=total,
        left=job.pieces_unassigned - total,
        unassigned=job.pieces_unassigned,
        # Materials the firm has not sent in full: a worker's report uses them up and is refused while
        # the books hold none (a trial dispatched a job 未到料 and its worker's first report was refused).
        short_materials=[t for t in material_reads.jobs_totals([job]).get(job.pk, []) if t.short > 0],
    )
    return render(request, "dashboard/job_dispatch.html", context, status=400 if errors else 200)


def _as_stored(reason: str, short_reason) -> str:
    """The reason as it is stored: the prefilled 短少, left as the page wrote it in the clerk's language,
    is stored as its msgid so each worker reads it in hers (``stored_words``); her own words stay as typed."""
    return gettext_noop("短少") if reason.strip() == str(short_reason) else reason


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Firm staff record the inspection (质检): per assignment, or per lot (split in proportion, see
    ``dashboard.services.lot_results``); rejected pieces can go back as rework (返工). As the clerk types
    the rejected pieces, a small script lowers the passed ones and redraws the lot's split per worker
    (the same rule as ``split_proportionally``); the numbers posted are checked again here."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "inspect_job", job)
    pending = flow_selectors.inspection_pending(selectors.job_assignments(job))
    if job.state != JobState.INSPECTING or not pending:
        messages.info(request, _("这个外发单现在没有待验收的件数。"))
        return redirect("dashboard:job", pk=job.pk)
    mode = request.POST.get("mode", "assignment") if request.method == "POST" else "assignment"
    data = request.POST if request.method == "POST" else None
    # The firm counted fewer than were sent: the missing pieces come prefilled as rejected (短少), split in
    # proportion, so nobody is paid for a piece that never arrived; the clerk moves them if she knows whose.
    short_reason = _("短少")
    prefill = {
        r.assignment_id: r
        for r in services.lot_results(
            pending=pending,
            rejected=min(job.pieces_short, sum(a.pieces_to_inspect for a in pending)),
            rework=0,
            reason=short_reason,
        )
    }
    rows = [
        (
            a,
            forms.InspectionRowForm(
                data if mode == "assignment" else None,
                prefix=f"a{a.pk}",
                initial={
                    "passed": prefill[a.pk].passed,
                    "rejected": prefill[a.pk].rejected,
                    "reason": prefill[a.pk].reason,
                },
            ),
        )
        for a in pending
    ]
    lot_form = forms.LotInspectionForm(
        data if mode == "lot" else None,
        initial={"rejected": job.pieces_short, "reason": short_reason if job.pieces_short else ""},
    )
    lot_preview = prefill
    lot_form.is_valid()
    typed = getattr(lot_form, "cleaned_data", {})
    if mode == "lot" and "rejected" in typed and "rework" in typed:
        # The split of the numbers she typed, even when the form is refused for its words (no reason).
        try:
            lot_preview = {
                r.assignment_id: r
                for r in services.lot_results(
                    pending=pending, rejected=typed["rejected"], rework=typed["rework"]
                )
            }
        except ValidationError:
            pass  # out of range: the page says so below, the preview stays as first drawn
    error = ""
    if request.method == "POST":
        try:
            if mode == "lot":
                if not lot_form.is_valid():
                    said = [m for errors in lot_form.errors.values() for m in errors]
                    raise ValidationError(said or _("请填写不小于0的整数件数。"))
                d = lot_form.cleaned_data
                services.inspect_lot(
                    actor=request.user,
                    job=job,
                    rejected=d["rejected"],
                    rework=d["rework"],
                    reason=_as_stored(d["reason"], short_reason),
                    notes=d["notes"],
                )
            else:
                bad = [(a, f) for a, f in rows if not f.is_valid()]
                if bad:
                    # Each wrong row by her name and its own words: in a lot of 14 the clerk finds it.
                    raise ValidationError(
                        [
                            _("%(w)s 这一行:%(e)s")
                            % {
                                # As the page labels her row: a firm that does not see names sees none.
                                "w": request.scope.worker_label(a.worker),
                                "e": " ".join(m for es in f.errors.values() for m in es),
                            }
                            for a, f in bad
                        ]
                    )
                results = [
                    flow.ResultInput(
                        assignment_id=a.pk,
                        passed=f.cleaned_data["passed"],
                        rejected=f.cleaned_data["rejected"],
                        rework=f.cleaned_data["rework"],
                        reason=_as_stored(f.cleaned_data["reason"], short_reason),
                    )
                    for a, f in rows
                ]
                flow.job_inspect(
                    actor=request.user,
                    job=job,
                    results=results,
                    notes=request.POST.get("notes", "").strip(),
                )
        except REFUSED as exc:
            error = refused_text(exc)
        else:
            messages.success(request, _("验收结果已提交,工资和返工会自动入账。"))
            return redirect("dashboard:job", pk=job.pk)
    context = page_context(
        request,
        job=job,
        rows=rows,
        lot_form=lot_form,
        lot_total=sum(a.pieces_to_inspect for a in pending),
        lot_passed=sum(r.passed for r in lot_preview.values()),
        lot_preview=[(a, lot_preview[a.pk]) for a in pending],
        lot_note=job.delivery_notes.order_by("-lot").first(),
        mode=mode,
        error=error,
        # A refused per-share verdict comes back with the notes she typed, as its counts do.
        typed_notes=request.POST.get("notes", "") if mode == "assignment" else "",
    )
    return render(request, "dashboard/job_inspect.html", context, status=400 if error else 200)


def _unnamed(scope, events: list) -> list:
    # A note may name a worker who has no share of this job ("更正验收 … · 王秀英报错了"): a firm that sees
    # her workshop by number reads her number there too (``Scope.unname``).
    for e in events:
        e.note = scope.unname(e.note)
    return events
