"""The foundation's /firm/ and /head/ addresses: redirects to the dashboard that replaced them."""

from django.urls import path
from django.views.generic import RedirectView

app_name = "dispatch"

urlpatterns = [
    path("firm/", RedirectView.as_view(url="/dashboard/", permanent=True)),
    path("head/", RedirectView.as_view(url="/dashboard/", permanent=True)),
    path("firm/jobs/<int:pk>/", RedirectView.as_view(url="/dashboard/jobs/%(pk)s/", permanent=True)),
    path("head/jobs/<int:pk>/", RedirectView.as_view(url="/dashboard/jobs/%(pk)s/", permanent=True)),
]
