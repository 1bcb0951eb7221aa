"""The two lists (两清单) for staff at /lists/; the public transparency board is ``board_urlpatterns``."""

from django.urls import path

from . import import_views, views

app_name = "matching"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("firms/", views.firm_directory, name="firms"),
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/status/", views.demand_status, name="demand_status"),
    path("supply/", views.supply_list, name="supply"),
    path("supply/new/", views.wish_new, name="wish_new"),
    path("supply/<int:pk>/", views.wish_detail, name="wish"),
    path("supply/<int:pk>/status/", views.wish_status, name="wish_status"),
    path("supply/<int:pk>/enrol/", views.wish_enrol, name="wish_enrol"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<str:token>/", import_views.import_preview, name="import_preview"),
    path("import/<str:token>/columns/", import_views.import_columns, name="import_columns"),
    path("import/<str:token>/skills/", import_views.import_skill, name="import_skill"),
    path("import/<str:token>/confirm/", import_views.import_confirm, name="import_confirm"),
]
