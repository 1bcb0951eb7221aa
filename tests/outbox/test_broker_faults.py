"""A broker that accepts connections and never answers: the head's accept and a worker's report still
return in under 1 s, their messages wait in the outbox, and once the broker answers again the relay puts
each in the real Redis queue exactly once."""

from __future__ import annotations

import time
import uuid

import pytest

from outbox import services
from outbox.models import OutboxMessage
from tests.mobile.conftest import accepted_job, in_hand
from tests.outbox.conftest import queued_ids

pytestmark = pytest.mark.faults


def _timed_post(client, url: str, data: dict | None = None):
    started = time.monotonic()
    response = client.post(url, data or {})
    return response, time.monotonic() - started


def test_accept_and_report_return_at_once_on_a_hung_broker_and_are_sent_once_after(
    transactional_db, client, cast, issue_job, redis_server, hung_broker, broker_at
):
    to_accept = issue_job(quantity=100, title="待接的单")
    share = in_hand(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    for user, page in ((cast.head, f"/dashboard/jobs/{to_accept.pk}/"), (cast.alice.user, "/m/")):
        client.force_login(user)
        assert client.get(page).status_code == 200  # a warm process: the first page's imports are not timed
    OutboxMessage.objects.update(sent_at=None)  # the setup's own messages go out with the rest...
    redis_server.flushdb()  # ...from an empty queue
    real_broker = redis_server.connection_pool.connection_kwargs
    broker_at(hung_broker.url)

    client.force_login(cast.head)
    accepted, accept_took = _timed_post(client, f"/dashboard/jobs/{to_accept.pk}/accept/")
    services.resume_fast_path()  # the report tries the hung broker too, not just the paused fast path
    client.force_login(cast.alice.user)
    reported, report_took = _timed_post(
        client, f"/m/a/{share.pk}/report/", {"pieces": 100, "key": uuid.uuid4().hex, "confirmed": "1"}
    )

    assert accepted.status_code == 302 and reported.status_code == 302
    assert accept_took < 1.0 and report_took < 1.0, (accept_took, report_took)
    assert hung_broker.accepted  # the fast path did reach the hung broker
    unsent = list(
        OutboxMessage.objects.filter(sent_at__isnull=True).order_by("id").values_list("pk", flat=True)
    )
    assert len(unsent) >= 2  # the accept's planning and the report's follow-ups wait in the outbox

    broker_at(f"redis://{real_broker['host']}:{real_broker['port']}/{real_broker['db']}")
    assert services.relay(grace=services.dt.timedelta(0)) == {"sent": len(unsent), "failed": 0}
    assert services.relay(grace=services.dt.timedelta(0)) == {"sent": 0, "failed": 0}

    assert queued_ids(redis_server) == [f"outbox-{pk}" for pk in unsent]  # each exactly once, oldest first
    assert redis_server.llen("celery") == len(unsent)
