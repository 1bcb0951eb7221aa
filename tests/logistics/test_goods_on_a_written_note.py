"""The job's 货在哪里 table says what is true at each step: pieces on a delivery note that is written but not
yet sent are still at the workshop, not 已交企业 (found by the fresh-user trial of issue 13)."""

from __future__ import annotations

import re
import uuid

import pytest

from dispatch import services
from logistics import services as logistics
from logistics.models import StopState
from tests.dashboard.helpers import accepted_job
from tests.lots import completed

pytestmark = pytest.mark.django_db


def _row(client, job, share):
    page = client.get(f"/dashboard/jobs/{job.pk}/notes/").content.decode()
    row = re.search(rf'<tr data-share="{share.pk}">(.*?)</tr>', page, re.S).group(1)
    at = re.search(r"data-at-workshop>(\d+)<", row).group(1)
    sent = re.search(r"data-at-firm>(\d+)<", row).group(1)
    return int(at), int(sent)


def test_pieces_on_a_written_note_stay_at_the_workshop_until_it_is_sent(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=120)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=120)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=120, key=uuid.uuid4().hex)
    job = completed(job)
    client.force_login(cast.head)
    assert _row(client, job, share) == (120, 0)

    note = logistics.note_prepare(actor=cast.head, job=job)
    assert _row(client, job, share) == (120, 0)  # written, still on the workshop's shelf

    logistics.note_send(actor=cast.head, note=note)
    assert _row(client, job, share) == (0, 120)


def test_pieces_a_courier_collected_are_not_called_by_the_take_back_word(client, cast, issue_job):
    """Found in a trial: the 货在哪里 column of the pieces a courier collected from home said 已收回, the
    state of a share the head took back (on the job page beside it). Collection is 已收件 (Collected)."""
    job = accepted_job(cast, issue_job, quantity=120)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=120)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=30, key=uuid.uuid4().hex)
    client.force_login(cast.head)

    page = client.get(f"/dashboard/jobs/{job.pk}/notes/").content.decode()
    head = re.search(r'<table data-table="goods">\s*<thead>(.*?)</thead>', page, re.S).group(1)
    assert '<th class="num">已收件</th>' in head and "已收回" not in head
    assert StopState.COLLECTED.label == "已收件" and share.get_state_display() != "已收件"
    client.cookies["django_language"] = "en"
    page = client.get(f"/dashboard/jobs/{job.pk}/notes/").content.decode()
    assert '<th class="num">Collected</th>' in page
