"""A firm sees pieces and quality, never why the planner chose a worker: the reasons on a share speak of her
income and situation (本月收入偏低 · 居家加工 · 近期派工少), for the head and the community only."""

from __future__ import annotations

from dispatch import services
from dispatch.models import Assignment


def test_the_firm_clerk_does_not_see_the_planners_reasons_on_a_job_page(client, cast, issue_job):
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=10))
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=10)
    Assignment.objects.filter(pk=share.pk).update(reasons="本月收入偏低 · 居家加工 · 近期派工少")

    client.force_login(cast.clerk)
    firm_page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    client.force_login(cast.head)
    head_page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert "本月收入偏低" in head_page
    assert "alice" in firm_page  # the firm still sees who has the share and her pieces
    for words in ("本月收入偏低", "居家加工", "近期派工少"):
        assert words not in firm_page
