"""Concurrent movements of one holder's material on PostgreSQL: the balance row is locked, so two returns
of the same worker's material at once cannot take more than she holds, and never drive her negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from materials import selectors
from materials import services as materials
from materials.models import Balance, Movement
from materials.services import BomInput
from tests.dispatch.test_concurrency import race
from tests.materials.conftest import line, share

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_returns_of_the_same_workers_material_at_once_cannot_drive_her_negative(
    postgres_only, cast, material_job, published
):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    panel = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel, quantity_received=100, actor=cast.head)
    materials.kit_issue(assignment=share(job, cast.alice, 100), actor=cast.head)  # she holds 100

    outcomes = race(
        lambda: materials.material_return(
            line=panel, worker=cast.alice, quantity_returned=70, actor=cast.head
        ),
        lambda: materials.material_return(
            line=panel, worker=cast.alice, quantity_returned=70, actor=cast.head
        ),
    )

    errors = [value for kind, value in outcomes if kind == "error"]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
    held = Balance.objects.get(line=panel, holder_key=f"worker:{cast.alice.pk}").quantity
    assert held == Decimal("30")
    assert Movement.objects.filter(line=panel, kind="return").count() == 1
    assert selectors.balances_agree(job)


def test_a_return_and_an_issue_between_the_same_holders_at_once_both_land_without_deadlock(
    postgres_only, cast, material_job, published
):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1")])
    panel = line(job, "面板")
    materials.material_receive(confirm_over=True, line=panel, quantity_received=200, actor=cast.head)
    materials.kit_issue(assignment=share(job, cast.alice, 100), actor=cast.head)

    outcomes = race(
        *[
            lambda: materials.material_return(
                line=panel, worker=cast.alice, quantity_returned=5, actor=cast.head
            ),
            lambda: materials.material_issue(
                line=panel, worker=cast.alice, quantity_issued=5, actor=cast.head, reason="补料"
            ),
        ]
        * 4
    )

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Balance.objects.get(line=panel, holder_key=f"worker:{cast.alice.pk}").quantity == Decimal("100")
    assert selectors.balances_agree(job)
