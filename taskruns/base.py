"""The Celery app's task class (``Celery(task_cls=...)`` in ``config.celery``): counts each delivery in the
database before the body runs and refuses a delivery past ``NUANXIN_TASK_MAX_DELIVERIES``.

A task called directly or eagerly (``task(...)``, ``task.apply()``) is not counted: only broker deliveries
are. A class attribute ``counted = False`` opts a task out (the broker ping and the benchmark's no-op).
"""

from __future__ import annotations

from celery import Task
from celery.exceptions import Retry


class CountedTask(Task):
    """A task whose broker deliveries are counted per task id (``taskruns.services``). A refused delivery
    returns None without running the body (and the message is acknowledged: it will not come back)."""

    counted = True

    def __call__(self, *args, **kwargs):
        request = self.request
        if not self.counted or request.called_directly or request.is_eager or not request.id:
            return super().__call__(*args, **kwargs)
        # Imported here, not at the top: Celery resolves this class while the app is set up, before
        # Django's app registry is ready; a delivery only ever runs after it is.
        from .services import delivery_begin, delivery_end

        if not delivery_begin(task_id=request.id, task_name=self.name, args=args, kwargs=kwargs):
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Retry:
            delivery_end(task_id=request.id, outcome="retry")
            raise
        except BaseException as exc:
            delivery_end(task_id=request.id, outcome="error", error=exc)
            raise
        delivery_end(task_id=request.id, outcome="done")
        return result
