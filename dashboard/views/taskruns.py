"""The failed-tasks page (待处理任务): bookings still pending because their task was refused after too
many deliveries, each with a retry button (the workshop's head or a community admin), and for admins
every other failed task. Retrying resets the runs and queues the task again through the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taskruns import services as taskrun_services

from .. import task_selectors
from .common import dashboard_view, page_context


def _require_desk(request: HttpRequest) -> None:
    # Heads and community admins (and superusers): the roles that run a workshop's pay.
    if not request.scope.manages_workers:
        raise PermissionDenied(_("没有权限做这个操作。"))


@require_GET
@dashboard_view
def failed_tasks(request: HttpRequest) -> HttpResponse:
    """Pending bookings of the user's workshops whose task failed, and (admins) other failed tasks."""
    _require_desk(request)
    return render(
        request,
        "dashboard/failed_tasks.html",
        page_context(
            request,
            bookings=task_selectors.pending_bookings(request.scope),
            others=task_selectors.other_failed(request.scope),
        ),
    )


@require_POST
@dashboard_view
def task_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry failed run ``pk`` (``taskruns.services.taskrun_retry``): 403 for a role without a desk, 404
    for a run not failed or not the user's to retry. Back to the page with a message."""
    _require_desk(request)
    run = task_selectors.failed_run_for(request.scope, pk)
    if taskrun_services.taskrun_retry(task_name=run.task_name, args=run.args, kwargs=run.kwargs or None):
        messages.success(request, _("已重新排队,稍后刷新查看结果。"))
    else:
        messages.info(request, _("这个任务已经在重试了。"))
    return redirect("dashboard:failed_tasks")
