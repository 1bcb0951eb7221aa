"""People and money for the pay pages' tests: a head of a workshop in another community with her own
worker, a community admin of the cast's community, and a month of booked pay (piece wages, a bonus, a
deduction) built with the real services."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from pay import services as pay
from pay.models import LineKind
from tests.factories import CommunityAdminFactory, UserFactory, WorkerFactory, WorkshopFactory
from tests.pay.conftest import booked, key


def faraway(db):
    """The head of 五星坊 in 五星村 (another community), with one worker of her own."""
    head = UserFactory(username="faraway")
    ws = WorkshopFactory(name="五星坊", community="五星村", head=head)
    worker = WorkerFactory(workshop=ws, name="远方坊工")
    return head, ws, worker


def community_admin():
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


def month_url(ws, month=None, tail: str = "") -> str:
    month = month or timezone.localdate().replace(day=1)
    return f"/dashboard/pay/periods/{month:%Y-%m}/{tail}?ws={ws.pk}"


def booked_month(cast, issue_job):
    """This month's pay of the cast: alice 130 and bob 170 pieces passed at 0.035 (4.55 and 5.95 yuan),
    alice a bonus of 20.00 and bob a deduction of 1.50. Returns the job and its shares."""
    job, shares = booked(cast, issue_job)
    # Bob can be paid by transfer (an account of his own); alice's is set where a test needs it.
    cast.bob.__class__.objects.filter(pk=cast.bob.pk).update(bank_account="6217000010012345678")
    pay.adjustment_add(
        worker=cast.alice,
        kind=LineKind.BONUS,
        amount="20",
        reason="准时奖:按期交货",
        actor=cast.head,
        key=key(),
    )
    pay.adjustment_add(
        worker=cast.bob, kind=LineKind.DEDUCTION, amount="1.5", reason="损坏面板", actor=cast.head, key=key()
    )
    return job, shares


EXPECTED = {"alice": Decimal("24.55"), "bob": Decimal("4.45")}
