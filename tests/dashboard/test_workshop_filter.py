"""The dashboard's workshop filter: a head sees her own workshop, a community admin every workshop of her
community by name, firm staff the workshops paired with their firm; choosing one narrows the page, and a
workshop that is not the user's is refused with the default shown. Heads' and admins' choices come from
their role lookup (no query of the filter's own), and must read exactly as the workshops' own list."""

from __future__ import annotations

import re

import pytest
from django import forms

from dashboard import selectors
from dashboard.forms import PeriodForm
from tests.factories import CommunityAdminFactory, UserFactory, WorkshopFactory
from workshop.roles import scope_for

pytestmark = pytest.mark.django_db

DEFAULT_SHOWN = "筛选条件有误,已按默认范围显示。"
LEFT_OUT = "这些条件有误,没有用上,其余条件照常查找。"


def options(html: str, name: str = "ws") -> list[tuple[str, str, bool]]:
    """The (value, label, selected) of the page's ``<select name=...>`` options."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, label.strip(), "selected" in attrs)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


def as_the_workshops_list(scope) -> list[tuple[str, str]]:
    """What a plain ModelChoiceField over the scope's workshops offers (the reference)."""
    field = forms.ModelChoiceField(queryset=selectors.workshops_for(scope), empty_label="全部工坊")
    return [(str(value), str(label)) for value, label in field.choices]


@pytest.fixture
def admin(cast):
    # A third workshop of the same community whose name sorts first, and one of another community.
    WorkshopFactory(name="阿福坊", head=UserFactory(username="head-a"))
    WorkshopFactory(name="别处坊", community="别的社区", head=UserFactory(username="head-b"))
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


def test_the_admin_picks_from_her_communitys_workshops_by_name_and_the_page_narrows(client, cast, admin):
    client.force_login(admin)
    page = client.get("/dashboard/")
    shown = options(page.content.decode())
    assert [(v, label) for v, label, _sel in shown] == as_the_workshops_list(scope_for(admin))
    labels = [label for _v, label, _sel in shown]
    assert labels[0] == "全部工坊" and "别的社区·别处坊" not in labels
    assert {"新街社区·暖心坊", f"新街社区·{cast.mallory.workshop.name}", "新街社区·阿福坊"} <= set(labels)

    page = client.get(f"/dashboard/?ws={cast.ws.pk}")
    assert page.context["form"].period().workshop_id == cast.ws.pk
    chosen = [v for v, _label, selected in options(page.content.decode()) if selected]
    assert chosen == [str(cast.ws.pk)]


def test_a_head_sees_her_own_workshop_and_is_refused_another(client, cast, admin):
    client.force_login(cast.head)
    page = client.get("/dashboard/")
    assert [(v, label) for v, label, _s in options(page.content.decode())] == [
        ("", "全部工坊"),
        (str(cast.ws.pk), "新街社区·暖心坊"),
    ]
    page = client.get(f"/dashboard/?ws={cast.mallory.workshop.pk}")
    body = page.content.decode()
    # Another workshop is named as refused and left out; her dates were fine, so they stand.
    assert "工坊:" in body and LEFT_OUT in body and DEFAULT_SHOWN not in body
    assert page.context["form"].period().workshop_id is None


def test_firm_staff_pick_from_their_paired_workshops(client, cast, admin):
    client.force_login(cast.clerk)
    shown = options(client.get("/dashboard/").content.decode())
    assert [(v, label) for v, label, _s in shown] == as_the_workshops_list(scope_for(cast.clerk))
    assert (str(cast.ws.pk), "新街社区·暖心坊") in [(v, label) for v, label, _s in shown]


def test_the_filter_reads_the_same_and_costs_no_query_of_its_own(cast, admin, django_assert_num_queries):
    scope = scope_for(admin)  # the role lookup (its queries are the request's, counted elsewhere)
    form = PeriodForm(None, scope=scope)
    with django_assert_num_queries(0):
        html = str(form["ws"])
    assert [(v, label) for v, label, _s in options(html)] == as_the_workshops_list(scope)
