"""The project's wiring: settings (all from the environment), the root URLs and the Celery app. Only the
root URLs import the apps, and only the lab imports the Celery app's helpers (import-linter contracts)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
