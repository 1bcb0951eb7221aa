"""Root URLs: home (redirects by role), login/logout, language switch, the admin, and the flow's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from dispatch import views as dispatch_views
from health import views as health_views
from workshop import views as workshop_views

urlpatterns = [
    path("", dispatch_views.home, name="home"),
    # The health report for a load balancer or a monitor: JSON, no sign-in, 503 when a check fails.
    path("healthz", health_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every first visit: the app's icon, not a 404 in every log.
    path("favicon.ico", RedirectView.as_view(url=static("mobile/icon-192.png"), permanent=True)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView accepts POST only: a link or a prefetch cannot log anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch keeps a signed-in user's choice, for the messages sent to them.
    path("i18n/setlang/", workshop_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("m/", include("mobile.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("lists/", include("matching.urls")),
    path("open/", include("matching.board_urls")),
    path("", include("dispatch.urls")),
]
