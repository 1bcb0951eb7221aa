"""xlsx exports: the list and the form for a new one (queued on the ``exports`` Celery queue after
commit), the progress page and its JSON status, the download."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outbox.services import outbox_enqueue

from .. import export_runs, forms, selectors
from ..models import Export, ExportStatus
from .common import dashboard_view, page_context, require_perm


@require_http_methods(["GET", "POST"])
@dashboard_view
def export_list(request: HttpRequest) -> HttpResponse:
    """My exports, and the form for a new one. A new export is queued on the ``exports`` Celery queue
    through the outbox after commit; this request returns at once."""
    require_perm(request, "export")
    form = forms.ExportForm(request.POST or None, scope=request.scope)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            params = {"from": d["start"].isoformat(), "to": d["end"].isoformat()}
            if d.get("ws"):
                params["workshop"] = d["ws"].pk
            export = Export.objects.create(user=request.user, kind=d["kind"], params=params)
            outbox_enqueue("dashboard.tasks.run_export", args=(export.pk,))
            return redirect("dashboard:export", pk=export.pk)
        messages.error(request, " ".join(form.non_field_errors()) or _("请检查导出条件。"))
    exports = list(selectors.exports_for(request.user)[:20])
    return render(request, "dashboard/export_list.html", page_context(request, form=form, exports=exports))


@require_GET
@dashboard_view
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(request.user, pk)
    require_perm(request, "view_export", export)
    return render(request, "dashboard/export_detail.html", page_context(request, export=export))


def _export_status(export: Export) -> dict:
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "percent": export.percent,
        "error": export.error,
        "retry": reverse("dashboard:export_retry", args=[export.pk])
        if export.status == ExportStatus.FAILED
        else None,
        "download": reverse("dashboard:export_download", args=[export.pk])
        if export.status == ExportStatus.DONE
        else None,
    }


@require_GET
@dashboard_view
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The export's progress as JSON, polled by the progress bar: status, rows, percent, download URL."""
    export = selectors.export_get(request.user, pk)
    require_perm(request, "view_export", export)
    response = JsonResponse(_export_status(export))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@dashboard_view
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(request.user, pk)
    require_perm(request, "view_export", export)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404(_("文件还没有生成。"))
    name = _("暖心坊-%(kind)s-%(id)s.xlsx") % {"kind": export.get_kind_display(), "id": export.pk}
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


@require_POST
@dashboard_view
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the user's own failed export again (``export_runs.export_retry``); another user's export is a
    404. Back to the progress page."""
    export = selectors.export_get(request.user, pk)
    require_perm(request, "view_export", export)
    if export_runs.export_retry(export=export):
        messages.success(request, _("已重新排队导出。"))
    else:
        messages.info(request, _("这个导出没有失败,不用重试。"))
    return redirect("dashboard:export", pk=export.pk)
