"""The search page (/lists/search/, the box on the dashboard and the lists): demands, wishes, workers and
firms found by Chinese text, pinyin initials or spelling and phone tail, grouped by kind, within each
role's scope, with masked phones and links that open."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    CommunityAdminFactory,
    FirmFactory,
    PairingFactory,
    UserFactory,
    WorkerFactory,
    WorkshopFactory,
)
from tests.matching.conftest import DemandFactory, WishFactory
from workshop.models import CountyOfficial, FirmStaff

pytestmark = pytest.mark.django_db

URL = "/lists/search/"


@pytest.fixture
def town(cast, admin):
    """The head's workshop (ws) and mallory's (same community), and a workshop of another community,
    each with a worker, a wish and a demand whose names look alike and whose phones end in 5678."""
    other = cast.mallory.workshop
    far = WorkshopFactory(name="老街坊", community="老街社区")
    eve_firm = FirmStaff.objects.get(user=cast.eve).firm
    PairingFactory(firm=eve_firm, workshop=other)
    WorkerFactory(workshop=cast.ws, name="张秀梅", phone="+8613912345678")
    WorkerFactory(workshop=other, name="张秀英", phone="+8613812345678")
    WorkerFactory(workshop=far, name="张秀芳", phone="+8613612345678")
    WishFactory(workshop=cast.ws, name="张秀兰", phone="+8613700005678")
    WishFactory(workshop=other, name="张小梅", phone="+8613700015678")
    WishFactory(workshop=None, name="张晓梅", phone="+8613700025678")  # the community's common pool
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="童装辅料缝制", process_kind="fabric")
    DemandFactory(workshop=other, firm=eve_firm, title="童装纽扣分拣", process_kind="assembly")
    return cast


def found(response) -> dict[str, list[str]]:
    r = response.context["results"]
    return {
        "demands": [d.title for d in r.demands.rows],
        "wishes": [w.name for w in r.wishes.rows],
        "workers": [w.name for w in r.workers.rows],
        "firms": [f.name for f in r.firms.rows],
    }


def test_a_head_finds_her_people_by_chinese_text(client, town):
    client.force_login(town.head)
    got = found(client.get(URL, {"q": "秀"}))
    assert got["workers"] == ["张秀梅"] and got["wishes"] == ["张秀兰"]


def test_a_head_finds_zhang_xiumei_by_initials_and_by_spelling(client, town):
    client.force_login(town.head)
    assert found(client.get(URL, {"q": "zxm"}))["workers"] == ["张秀梅"]
    assert found(client.get(URL, {"q": "ZXM"}))["workers"] == ["张秀梅"]
    got = found(client.get(URL, {"q": "zhangxiu"}))
    assert got["workers"] == ["张秀梅"] and got["wishes"] == ["张秀兰"]


def test_a_head_finds_people_by_phone_tail_and_the_page_says_so(client, town):
    client.force_login(town.head)
    response = client.get(URL, {"q": "5678"})
    got = found(response)
    assert got["workers"] == ["张秀梅"] and got["wishes"] == ["张秀兰"]
    assert "按手机尾号“5678”查找" in response.content.decode()
    assert found(client.get(URL, {"q": "139 1234 5678"}))["workers"] == ["张秀梅"]
    assert found(client.get(URL, {"q": "0000"}))["workers"] == []


def test_a_head_never_finds_another_workshops_people_or_demands(client, town):
    client.force_login(town.head)
    for q in ("张秀英", "zxy", "张小梅", "张晓梅", "张秀芳", "纽扣"):
        got = found(client.get(URL, {"q": q}))
        assert got == {"demands": [], "wishes": [], "workers": [], "firms": []}, q


def test_a_community_admin_finds_every_workshop_of_the_community_and_no_other(client, town, admin):
    client.force_login(admin)
    got = found(client.get(URL, {"q": "张"}))
    assert got["workers"] == ["张秀梅", "张秀英"]  # not 张秀芳 of 老街社区
    assert got["wishes"] == ["张小梅", "张晓梅", "张秀兰"]  # the common pool's too
    assert sorted(found(client.get(URL, {"q": "童装"}))["demands"]) == ["童装纽扣分拣", "童装辅料缝制"]
    stranger = CommunityAdminFactory(user=UserFactory(username="laojie"), community="老街社区").user
    client.force_login(stranger)
    got = found(client.get(URL, {"q": "张"}))
    assert got["workers"] == ["张秀芳"] and got["demands"] == []
    assert got["wishes"] == ["张晓梅"]  # only the pool without a workshop, as on the supply list


def test_a_firm_clerk_finds_its_own_firm_and_demands_and_never_a_person(client, town):
    client.force_login(town.clerk)
    response = client.get(URL, {"q": "张"})
    got = found(response)
    assert got["workers"] == [] and got["wishes"] == []
    body = response.content.decode()
    assert 'data-kind="workers"' not in body and 'data-kind="wishes"' not in body
    assert "张秀兰" not in body and "张秀英" not in body and "****" not in body
    assert found(client.get(URL, {"q": "5678"}))["workers"] == []
    got = found(client.get(URL, {"q": "童装"}))
    assert got["demands"] == ["童装辅料缝制"]  # not eve's firm's
    assert found(client.get(URL, {"q": "企业"}))["firms"] == [town.firm.name]


def test_a_demand_is_found_by_its_firms_name_and_pinyin(client, town):
    firm = FirmFactory(name="海盐嘉禾电器有限公司")
    PairingFactory(firm=firm, workshop=town.ws)
    DemandFactory(workshop=town.ws, firm=firm, title="开关面板装配")
    client.force_login(town.head)
    got = found(client.get(URL, {"q": "嘉禾"}))
    assert got["demands"] == ["开关面板装配"] and got["firms"] == ["海盐嘉禾电器有限公司"]
    assert found(client.get(URL, {"q": "hyjhdq"}))["demands"] == ["开关面板装配"]


def test_results_show_masked_phones_only(client, town, admin):
    client.force_login(admin)
    body = client.get(URL, {"q": "5678"}).content.decode()
    assert "139****5678" in body and "137****5678" in body
    assert "13912345678" not in body and "1234" not in body


def test_every_result_links_to_a_page_that_opens_for_the_same_role(client, town):
    client.force_login(town.head)
    body = "".join(client.get(URL, {"q": q}).content.decode() for q in ("z", "童装", "企业"))
    links = set(re.findall(r'href="(/(?:lists|dashboard)/(?:demands|supply|workers|firms)/\d+/)"', body))
    assert {link.split("/")[2] for link in links} == {"demands", "supply", "workers", "firms"}
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_search_page_costs_the_same_queries_whatever_the_rows(client, town, django_assert_num_queries):
    client.force_login(town.head)
    # session + user, the role (2), then one query per kind: demands, wishes, workers, firms
    with django_assert_num_queries(7):
        client.get(URL, {"q": "张"})
    for i in range(30):
        WorkerFactory(workshop=town.ws, name=f"张{i}")
        WishFactory(workshop=town.ws, name=f"张{i}")
    with django_assert_num_queries(7):
        response = client.get(URL, {"q": "张"})
    results = response.context["results"]
    assert results.workers.count == 20 and results.workers.more
    assert "只显示前20条" in response.content.decode()
    with django_assert_num_queries(3):  # a blank query looks for nothing
        client.get(URL)


def test_the_search_page_is_for_staff_roles_only(client, town):
    assert client.get(URL, {"q": "张"}).status_code == 302  # to the login page
    client.force_login(town.alice.user)
    assert client.get(URL, {"q": "张"}).status_code == 403
    county = UserFactory(username="county")
    CountyOfficial.objects.create(user=county, county="海盐县")
    client.force_login(county)
    assert client.get(URL, {"q": "张"}).status_code == 403


def test_the_dashboard_and_the_lists_carry_the_search_box(client, town):
    client.force_login(town.head)
    for page in ("/dashboard/", "/lists/demands/"):
        body = client.get(page).content.decode()
        assert 'action="/lists/search/"' in body, page
