"""The flow's pages: /firm/ (firm staff), /head/ (workshop head). The workers' pages are ``mobile``."""

from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("firm/", views.firm_home, name="firm_home"),
    path("firm/jobs/new/", views.firm_job_new, name="firm_job_new"),
    path("firm/jobs/<int:pk>/", views.firm_job, name="firm_job"),
    path("firm/jobs/<int:pk>/cancel/", views.firm_job_cancel, name="firm_job_cancel"),
    path("firm/jobs/<int:pk>/inspect/", views.firm_job_inspect, name="firm_job_inspect"),
    path("head/", views.head_home, name="head_home"),
    path("head/jobs/<int:pk>/", views.head_job, name="head_job"),
    path("head/jobs/<int:pk>/accept/", views.head_job_accept, name="head_job_accept"),
    path("head/jobs/<int:pk>/decline/", views.head_job_decline, name="head_job_decline"),
]
