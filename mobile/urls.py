"""The worker's phone pages (坊工手机端) under /m/."""

from django.urls import path, register_converter

from . import courier, offers, reporting, slips, views


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class MonthConverter(YearConverter):
    regex = "0[1-9]|1[0-2]"

    def to_url(self, value: int) -> str:
        return f"{value:02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "mobile"

urlpatterns = [
    path("", views.today, name="today"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("t/<str:token>/", views.token_login, name="token_login"),
    path("a/<int:pk>/", views.assignment, name="assignment"),
    path("a/<int:pk>/accept/", offers.assignment_accept, name="assignment_accept"),
    path("a/<int:pk>/decline/", offers.assignment_decline, name="assignment_decline"),
    path("a/<int:pk>/report/", reporting.assignment_report, name="assignment_report"),
    path("a/<int:pk>/finish/", reporting.assignment_report, name="assignment_finish"),
    path("a/<int:pk>/undo/<int:report>/", reporting.report_undo, name="report_undo"),
    path("a/<int:pk>/photo/", views.assignment_photo, name="assignment_photo"),
    # A bundle ticket's QR code (扎票): /m/b/<token>/; /m/t/ is the one-tap sign-in link.
    # A courier who scans one sees the bundle and whether it is to be collected on her run today.
    path("b/<str:token>/", courier.bundle, name="bundle"),
    path("b/<str:token>/done/", views.bundle_report, name="bundle_report"),
    path("a/<int:pk>/material/", views.assignment_material, name="assignment_material"),
    path("home-hours/", views.home_hours, name="home_hours"),
    # The courier's run today (配送员): one form per stop; start and finish the run.
    path("run/", courier.run, name="run"),
    path("run/start/", courier.run_start, name="run_start"),
    path("run/finish/", courier.run_finish, name="run_finish"),
    path("run/stop/<int:pk>/", courier.stop_check, name="run_stop"),
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/<yyyy:year>-<mm:month>/", views.earnings, name="earnings_month"),
    path("slip/", slips.slip, name="slip"),
    path("slip/<yyyy:year>-<mm:month>/", slips.slip, name="slip_month"),
    path("slip/<yyyy:year>-<mm:month>/seen/", slips.slip_seen, name="slip_seen"),
    path("slip/<yyyy:year>-<mm:month>/ask/", slips.slip_ask, name="slip_ask"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox_open"),
    path("join/", views.join, name="join"),
    path("join/done/", views.join_done, name="join_done"),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
]
