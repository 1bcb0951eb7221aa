"""The dashboard (管理后台) at /dashboard/: community admins, workshop heads and firm staff."""

from django.urls import path

from .views import exports, firms, inbox, jobs, materials, notes, overview, tickets, workers

app_name = "dashboard"

urlpatterns = [
    path("", overview.home, name="home"),
    path("board/", overview.board, name="board"),
    path("jobs/", overview.job_list, name="jobs"),
    path("jobs/new/", jobs.job_new, name="job_new"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("jobs/<int:pk>/photo/", jobs.job_photo, name="job_photo"),
    path("jobs/<int:pk>/accept/", jobs.job_accept, name="job_accept"),
    path("jobs/<int:pk>/decline/", jobs.job_decline, name="job_decline"),
    path("jobs/<int:pk>/dispatch/", jobs.job_dispatch, name="job_dispatch"),
    path("jobs/<int:pk>/submit/", jobs.job_submit, name="job_submit"),
    path("jobs/<int:pk>/cancel/", jobs.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/inspect/", jobs.job_inspect, name="job_inspect"),
    path("jobs/<int:pk>/bundles/", tickets.job_bundles, name="job_bundles"),
    path("jobs/<int:pk>/notes/", notes.job_notes, name="job_notes"),
    path("jobs/<int:pk>/notes/<int:note>/print/", notes.note_print, name="note_print"),
    path("notes/<str:token>/", notes.note_by_token, name="note_by_token"),
    path("jobs/<int:pk>/tickets/<int:assignment>/", tickets.ticket_sheet, name="ticket_sheet"),
    path("jobs/<int:pk>/tickets/<int:assignment>/print/", tickets.ticket_print, name="ticket_print"),
    path("jobs/<int:pk>/materials/", materials.job_materials, name="job_materials"),
    path(
        "jobs/<int:pk>/materials/statement/",
        materials.job_materials_statement,
        name="job_materials_statement",
    ),
    path("jobs/<int:pk>/materials/statement.xlsx", materials.job_materials_xlsx, name="job_materials_xlsx"),
    path(
        "jobs/<int:pk>/materials/problems/<int:problem>/photo/",
        materials.material_problem_photo,
        name="material_problem_photo",
    ),
    path("materials/", materials.materials_overview, name="materials"),
    path("workers/", workers.roster, name="roster"),
    path("workers/<int:pk>/", workers.worker_detail, name="worker"),
    path("workers/<int:pk>/pin/", workers.worker_pin, name="worker_pin"),
    path("workers/<int:pk>/qr/", workers.worker_qr, name="worker_qr"),
    path("workers/<int:pk>/revoke/", workers.worker_revoke, name="worker_revoke"),
    path("firms/", firms.firm_list, name="firms"),
    path("firms/<int:pk>/", firms.firm_detail, name="firm"),
    path("pay/", overview.pay_list, name="pay"),
    path("inspections/", overview.inspection_list, name="inspections"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox.inbox_open, name="inbox_open"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("exports/", exports.export_list, name="exports"),
    path("exports/<int:pk>/", exports.export_detail, name="export"),
    path("exports/<int:pk>/status/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
]
