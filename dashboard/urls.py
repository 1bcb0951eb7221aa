"""The dashboard (管理后台) at /dashboard/: community admins, workshop heads and firm staff."""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board, name="board"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/new/", views.job_new, name="job_new"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/photo/", views.job_photo, name="job_photo"),
    path("jobs/<int:pk>/accept/", views.job_accept, name="job_accept"),
    path("jobs/<int:pk>/decline/", views.job_decline, name="job_decline"),
    path("jobs/<int:pk>/dispatch/", views.job_dispatch, name="job_dispatch"),
    path("jobs/<int:pk>/submit/", views.job_submit, name="job_submit"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/inspect/", views.job_inspect, name="job_inspect"),
    path("workers/", views.roster, name="roster"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/pin/", views.worker_pin, name="worker_pin"),
    path("workers/<int:pk>/qr/", views.worker_qr, name="worker_qr"),
    path("workers/<int:pk>/revoke/", views.worker_revoke, name="worker_revoke"),
    path("firms/", views.firm_list, name="firms"),
    path("firms/<int:pk>/", views.firm_detail, name="firm"),
    path("pay/", views.pay_list, name="pay"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
