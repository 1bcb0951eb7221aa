"""The demo's staff have a person's name, not their role as their name (the dashboard read 坊长 坊长)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from workshop.demo import OLD_PLACEHOLDERS, STAFF_NAMES, seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_staff_are_named_as_people(db):
    seed_demo()
    staff = get_user_model().objects.filter(username__in=STAFF_NAMES)
    names = dict(staff.values_list("username", "first_name"))
    assert names == {"admin": "周丽萍", "head": "沈秀英", "county": "陈建华"}
    assert not set(names.values()) & set(OLD_PLACEHOLDERS.values())


def test_a_demo_seeded_with_role_names_gets_the_peoples_names_once(db):
    seed_demo()
    users = get_user_model().objects
    for username, placeholder in OLD_PLACEHOLDERS.items():
        users.filter(username=username).update(first_name=placeholder)

    assert seed_demo().created == 0
    assert users.get(username="head").first_name == "沈秀英"
    users.filter(username="head").update(first_name="沈秀英(坊长)")  # renamed by hand afterwards
    seed_demo()
    assert users.get(username="head").first_name == "沈秀英(坊长)"  # a person's own change stays
