"""The public transparency board (公开透明) at /open/<workshop id>/: no login, no personal data."""

from django.urls import path

from . import views

app_name = "open"

urlpatterns = [
    path("<int:workshop_id>/", views.board, name="board"),
]
