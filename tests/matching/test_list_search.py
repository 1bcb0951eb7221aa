"""Search and industries on the two lists' own pages: the demand list searched and filtered by its firms'
industry section (with counts), the supply list searched, and the lists' firm directory (/lists/firms/)
with each firm's open demands, all within the role's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import FirmFactory, PairingFactory, WorkerFactory
from tests.matching.conftest import DemandFactory, WishFactory
from workshop.models import FirmStaff

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(cast):
    """Demands of the head's workshop from a manufacturer (the cast's firm, C) and a wholesaler (F);
    an unclassified firm's demand; wishes and a worker with names alike."""
    trade = FirmFactory(name="海盐百货批发有限公司", industry="F", industry_division="51")
    plain = FirmFactory(name="海盐某某有限公司", industry="", industry_division="")
    for firm in (trade, plain):
        PairingFactory(firm=firm, workshop=cast.ws)
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="开关面板装配")
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="插座组件装配")
    DemandFactory(workshop=cast.ws, firm=trade, title="礼盒分装", process_kind="packaging")
    DemandFactory(workshop=cast.ws, firm=plain, title="毛巾折叠", process_kind="packaging")
    WishFactory(workshop=cast.ws, name="王桂香", phone="+8613700004321")
    WishFactory(workshop=cast.ws, name="李秀珍")
    WorkerFactory(workshop=cast.ws, name="王芳", phone="+8613900008765", hours_per_week=40)
    return trade, plain


def titles(response) -> list[str]:
    return sorted(d.title for d in response.context["page"].object_list)


def test_the_demand_list_is_searched_by_title_firm_and_pinyin(client, cast, lists):
    client.force_login(cast.head)
    assert titles(client.get("/lists/demands/", {"q": "装配"})) == ["开关面板装配", "插座组件装配"]
    assert titles(client.get("/lists/demands/", {"q": "批发"})) == ["礼盒分装"]
    assert titles(client.get("/lists/demands/", {"q": "mjzd"})) == ["毛巾折叠"]


def test_the_demand_list_is_filtered_by_industry_section_with_counts(client, cast, lists):
    client.force_login(cast.head)
    response = client.get("/lists/demands/")
    assert [(c.section, c.count) for c in response.context["sections"]] == [("C", 2), ("F", 1), ("", 1)]
    body = response.content.decode()
    assert "C 制造业" in body and "F 批发和零售业" in body and "未分类" in body
    assert titles(client.get("/lists/demands/", {"industry": "F"})) == ["礼盒分装"]
    assert titles(client.get("/lists/demands/", {"industry": "none"})) == ["毛巾折叠"]
    filtered = client.get("/lists/demands/", {"industry": "C", "q": "开关"})
    assert titles(filtered) == ["开关面板装配"]
    assert [(c.section, c.count) for c in filtered.context["sections"]] == [("C", 1)]


def test_a_clerk_filtering_the_demand_list_sees_only_their_firms_demands(client, cast, lists):
    client.force_login(cast.clerk)
    assert titles(client.get("/lists/demands/", {"q": "批发"})) == []
    assert titles(client.get("/lists/demands/", {"industry": "F"})) == []
    response = client.get("/lists/demands/")
    assert [(c.section, c.count) for c in response.context["sections"]] == [("C", 2)]


def test_the_supply_list_is_searched_by_name_pinyin_and_phone_tail(client, cast, lists):
    client.force_login(cast.head)
    response = client.get("/lists/supply/", {"q": "wgx"})
    assert [w.name for w in response.context["page"].object_list] == ["王桂香"]
    response = client.get("/lists/supply/", {"q": "王"})
    assert [w.name for w in response.context["page"].object_list] == ["王桂香"]
    assert [s.worker.name for s in response.context["spare"]] == ["王芳"]
    response = client.get("/lists/supply/", {"q": "8765"})
    assert list(response.context["page"].object_list) == []
    assert [s.worker.name for s in response.context["spare"]] == ["王芳"]


def test_the_lists_firm_directory_counts_each_firms_open_demands_in_scope(client, cast, lists):
    trade, plain = lists
    other = cast.mallory.workshop
    PairingFactory(firm=trade, workshop=other)
    DemandFactory(workshop=other, firm=trade, title="别处的需求")  # not the head's to see
    DemandFactory(workshop=cast.ws, firm=trade, title="已关闭", status="closed")
    DemandFactory(
        workshop=cast.ws,
        firm=trade,
        title="已过期",
        ends_on=dt.date(2020, 1, 1),
        starts_on=dt.date(2019, 1, 1),
    )
    client.force_login(cast.head)
    response = client.get("/lists/firms/")
    groups = {
        g.section: {f.name: f.open_demands for f in g.firms} for g in response.context["directory"].groups
    }
    assert groups == {"C": {cast.firm.name: 2}, "F": {"海盐百货批发有限公司": 1}, "": {"海盐某某有限公司": 1}}
    body = response.content.decode()
    assert f"/lists/demands/?q={trade.credit_code}" in body
    filtered = client.get("/lists/firms/", {"industry": "F"}).context["directory"]
    assert [g.section for g in filtered.groups] == ["F"]


def test_a_clerk_sees_only_their_own_firm_in_the_lists_directory(client, cast, lists):
    client.force_login(cast.clerk)
    directory = client.get("/lists/firms/").context["directory"]
    assert [[f.name for f in g.firms] for g in directory.groups] == [[cast.firm.name]]
    client.force_login(cast.eve)
    eve_firm = FirmStaff.objects.get(user=cast.eve).firm
    directory = client.get("/lists/firms/").context["directory"]
    assert [[f.name for f in g.firms] for g in directory.groups] == [[eve_firm.name]]
