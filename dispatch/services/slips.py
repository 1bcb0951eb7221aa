"""The wage slip's two messages (工资条): a worker's question reaches her head, the head's answer reaches her.

The rows are pay's (``pay.services.slip_ask`` / ``slip_answer``); pay does not send messages, so these
wrap them and notify in the same transaction (delivered after commit). A message names the worker and
the month only: her words stay on the slip page, out of the message's parameters and the delivery task.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from notices.messages import NotificationKind
from notices.services import notify
from pay.models import SlipNote
from pay.services import slip_answer, slip_ask
from workshop.models import Worker


@transaction.atomic
def slip_question(*, actor, worker: Worker, month: dt.date, text: str, key: str) -> tuple[SlipNote, bool]:
    """The worker asks about ``month``'s wage slip (``pay.services.slip_ask``: words ≤ 200 characters,
    idempotent on ``key``) and her workshop's head is told once per question, with a link to the
    dashboard's list of questions. Returns (question, created). Raises PermissionDenied, ValidationError
    in words; nothing is written then."""
    note, created = slip_ask(worker=worker, month=month, text=text, actor=actor, key=key)
    head_id = worker.workshop.head_id
    if created and head_id is not None:
        notify(
            recipient=worker.workshop.head,
            kind=NotificationKind.SLIP_QUESTION,
            params={"w": worker.name, "m": f"{note.month:%Y-%m}"},
            link="/dashboard/pay/questions/",
            dedupe_key=f"slip-question:{note.pk}",
        )
    return note, created


@transaction.atomic
def slip_reply(*, actor, question: SlipNote | int, text: str) -> tuple[SlipNote, bool]:
    """The head answers a worker's question about her wage slip (``pay.services.slip_answer``: one answer
    per question, idempotent) and she is told, with a link to that month's slip. Returns (answer,
    created). Raises PermissionDenied, ValidationError in words; nothing is written then."""
    answer, created = slip_answer(question=question, text=text, actor=actor)
    if created:
        worker = Worker.objects.select_related("user").get(pk=answer.worker_id)
        notify(
            recipient=worker.user,
            kind=NotificationKind.SLIP_ANSWERED,
            params={"m": f"{answer.month:%Y-%m}"},
            link=f"/m/slip/{answer.month:%Y-%m}/",
            dedupe_key=f"slip-answer:{answer.answers_id}",
        )
    return answer, created
