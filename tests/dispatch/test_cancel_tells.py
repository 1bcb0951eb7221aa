"""A firm that withdraws a job tells the people it was given to: the workshop's head (with the firm's
reason) and every worker whose offer it withdrew, each in her own language (a trial cancelled a job with 20
offers out and nobody heard of it; the workers found their offers "expired")."""

from __future__ import annotations

from dispatch import services
from notices.messages import render
from notices.models import Notification, NotificationKind


def test_cancelling_an_accepted_job_tells_the_head_and_every_worker_offered_it(cast, issue_job):
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=200, title="礼盒折叠"))
    offers = [services.assignment_offer(job=job, worker=w, pieces=100) for w in (cast.alice, cast.bob)]

    services.job_cancel(actor=cast.clerk, job=job, reason="客户撤单")

    head = Notification.objects.get(recipient=cast.head, kind=NotificationKind.JOB_CANCELLED)
    assert (
        render(head.kind, head.params, "zh-hans")
        == f"{cast.firm.name} 取消了外发单:礼盒折叠 200 件。客户撤单"
    )
    assert render(head.kind, head.params, "en").startswith(f"{cast.firm.name} cancelled the job")
    told = Notification.objects.filter(kind=NotificationKind.OFFER_WITHDRAWN).order_by("recipient_id")
    assert sorted((n.recipient_id, n.link) for n in told) == sorted(
        (a.worker.user_id, f"/m/a/{a.pk}/") for a in offers
    )
    assert (
        render(told[0].kind, told[0].params, "zh-hans") == "礼盒折叠 已被企业取消,派给您的 100 件不用做了。"
    )


def test_cancelling_a_job_no_one_was_offered_tells_only_the_head(cast, issue_job):
    job = issue_job(quantity=50)

    services.job_cancel(actor=cast.clerk, job=job)

    assert list(
        Notification.objects.filter(kind__in=("job_cancelled", "offer_withdrawn")).values_list(
            "recipient_id", "kind"
        )
    ) == [(cast.head.pk, "job_cancelled")]


def test_the_withdrawn_offer_opens_as_cancelled_without_a_due_date_or_pay(client, cast, issue_job):
    # Found by a fresh-user trial: the message's link opened a page saying 已过期 with the due date and
    # the pay of the whole share, as if it were still hers to make.
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=110, title="礼盒折叠"))
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    declined = services.assignment_offer(job=job, worker=cast.bob, pieces=10)
    services.assignment_decline(actor=cast.bob.user, assignment=declined, reason="")
    client.force_login(cast.alice.user)
    before = client.get(f"/m/a/{offer.pk}/").content.decode()
    # An offer says what it is and pays, not what she still owes ("还差" is for work she took).
    assert "全部合格共" in before and 'data-key="to-do"' not in before

    services.job_cancel(actor=cast.clerk, job=job, reason="客户撤单")

    page = client.get(f"/m/a/{offer.pk}/").content.decode()
    assert "状态:<strong>已取消</strong>" in page and "企业取消了这一单,不用做了。" in page
    assert "全部合格共" not in page and "交货" not in page and "已过期" not in page
    client.force_login(cast.bob.user)
    page = client.get(f"/m/a/{declined.pk}/").content.decode()
    assert 'data-closed="declined"' in page and "全部合格共" not in page
    # She declined before the firm cancelled: that is what her page says (a trial found 企业取消 here).
    assert "您已婉拒这一单" in page and "企业取消" not in page and "data-materials" not in page
