"""The firm directory on the dashboard (企业名录, /dashboard/firms/directory/): the firms a role sees grouped
by industry section (GB/T 4754-2017) with counts, filtered by section, searched; a firm's industry (a
division belongs to its section); the demo firms' industries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import FirmFactory, PairingFactory, WorkshopFactory
from workshop.demo import seed_demo
from workshop.models import PartnerFirm

pytestmark = pytest.mark.django_db

URL = "/dashboard/firms/directory/"


@pytest.fixture
def firms(cast):
    """Besides the cast's firm (C, 41): a farm co-op (A), a wholesaler (F), a firm not classified yet,
    all paired with the head's workshop; and a firm paired only with another workshop."""
    made = {
        "farm": FirmFactory(name="海盐绿野农业专业合作社", industry="A", industry_division="01"),
        "trade": FirmFactory(name="海盐百货批发有限公司", industry="F", industry_division="51"),
        "plain": FirmFactory(name="海盐未登记行业有限公司", industry="", industry_division=""),
    }
    for firm in made.values():
        PairingFactory(firm=firm, workshop=cast.ws)
    made["elsewhere"] = FirmFactory(name="海盐别处电子有限公司", industry="C", industry_division="39")
    PairingFactory(firm=made["elsewhere"], workshop=WorkshopFactory(name="别的坊"))
    return made


def grouped(response) -> list[tuple[str, list[str]]]:
    return [(g.section, [f.name for f in g.firms]) for g in response.context["directory"].groups]


def counts(response) -> dict[str, int]:
    return {c.section: c.count for c in response.context["directory"].counts}


def test_the_heads_firms_are_grouped_by_industry_section_with_counts(client, cast, firms):
    client.force_login(cast.head)
    response = client.get(URL)
    assert grouped(response) == [
        ("A", ["海盐绿野农业专业合作社"]),
        ("C", [cast.firm.name]),
        ("F", ["海盐百货批发有限公司"]),
        ("", ["海盐未登记行业有限公司"]),  # not yet classified: last
    ]
    assert counts(response) == {"A": 1, "C": 1, "F": 1, "": 1}
    body = response.content.decode()
    assert "A 农、林、牧、渔业" in body and "F 批发和零售业" in body and "未分类" in body
    assert "51 批发业" in body
    assert "海盐别处电子有限公司" not in body  # paired with another workshop only


def test_a_section_filter_keeps_the_counts_of_every_section(client, cast, firms):
    client.force_login(cast.head)
    response = client.get(URL, {"industry": "C"})
    assert grouped(response) == [("C", [cast.firm.name])]
    assert counts(response) == {"A": 1, "C": 1, "F": 1, "": 1}
    assert grouped(client.get(URL, {"industry": "none"})) == [("", ["海盐未登记行业有限公司"])]
    assert len(grouped(client.get(URL, {"industry": "Z"}))) == 4  # an unknown letter: every section
    assert grouped(client.get(URL, {"industry": "B"})) == []


def test_the_directory_is_searched_by_name_pinyin_and_credit_code(client, cast, firms):
    client.force_login(cast.head)
    assert grouped(client.get(URL, {"q": "批发"})) == [("F", ["海盐百货批发有限公司"])]
    assert grouped(client.get(URL, {"q": "hylynyzyhzs"})) == [("A", ["海盐绿野农业专业合作社"])]
    assert grouped(client.get(URL, {"q": firms["trade"].credit_code})) == [("F", ["海盐百货批发有限公司"])]
    response = client.get(URL, {"q": "电子"})  # only another workshop's firm is called that
    assert grouped(response) == [] and counts(response) == {}


def test_firm_staff_find_only_their_own_firm(client, cast, firms):
    client.force_login(cast.clerk)
    response = client.get(URL)
    assert grouped(response) == [("C", [cast.firm.name])]
    assert grouped(client.get(URL, {"q": "批发"})) == []


def test_the_directory_costs_the_same_queries_whatever_the_number_of_firms(
    client, cast, firms, django_assert_num_queries
):
    client.force_login(cast.head)
    # session + user, the role (2), the unread messages, the counts per section, the firms
    with django_assert_num_queries(6):
        client.get(URL)
    for i in range(20):
        PairingFactory(firm=FirmFactory(industry="ABC"[i % 3], industry_division=""), workshop=cast.ws)
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.context["directory"].total == 24


def test_a_division_belongs_to_its_section():
    firm = FirmFactory.build(industry="A", industry_division="38")
    with pytest.raises(ValidationError) as refused:
        firm.full_clean()
    assert "行业大类不属于所选的行业门类" in str(refused.value)
    unsectioned = FirmFactory.build(industry="", industry_division="38")
    unsectioned.full_clean()
    assert unsectioned.industry == "C"  # the division's own section
    saved = FirmFactory(industry="C", industry_division="38")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFirm.objects.filter(pk=saved.pk).update(industry="A")


def test_the_firm_page_and_the_firm_list_name_the_industry(client, cast):
    PartnerFirm.objects.filter(pk=cast.firm.pk).update(industry="C", industry_division="38")
    client.force_login(cast.head)
    assert (
        "C 制造业 · 38 电气机械和器材制造业"
        in client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    )
    assert "C 制造业 · 38 电气机械和器材制造业" in client.get("/dashboard/firms/").content.decode()


def test_the_demo_firms_have_their_industries():
    seed_demo()
    firms = dict(PartnerFirm.objects.values_list("name", "industry_division"))
    assert firms == {
        "海盐嘉禾电器有限公司": "38",
        "海盐望海服饰有限公司": "18",
        "海盐盐邦包装有限公司": "22",
        "海盐海滨五金制品有限公司": "33",
        "海盐新街纺织有限公司": "17",
    }
    assert set(PartnerFirm.objects.values_list("industry", flat=True)) == {"C"}
