"""The impact page (增收降本) and its xlsx: who may open them, for which workshops, what they show (figures,
never a person) and what they cost in queries."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dashboard.templatetags.dash import cell
from pay.models import LineKind
from pay.services import adjustment_add
from tests.dashboard.helpers import settled_job
from tests.factories import (
    CommunityAdminFactory,
    UserFactory,
    WorkerFactory,
    WorkshopFactory,
)
from workshop.models import CountyOfficial

PAGE, XLSX = "/dashboard/impact/", "/dashboard/impact.xlsx"


@pytest.fixture
def county(db):
    """An official of 海盐县, the county of the cast's workshops."""
    return CountyOfficial.objects.create(user=UserFactory(username="county"), county="海盐县").user


@pytest.fixture
def paid(cast, issue_job):
    """The cast's three workers paid 3.50 each on one job, and a deduction of 1.00 from alice."""
    for w, baseline in ((cast.alice, "1200"), (cast.bob, "2400"), (cast.carol, "0")):
        w.baseline_income_yuan, w.joined_on = Decimal(baseline), timezone.localdate() - dt.timedelta(days=9)
        w.save()
    settled_job(cast, issue_job, pieces=(100, 100, 100), rate="0.0350")
    adjustment_add(
        worker=cast.alice, kind=LineKind.DEDUCTION, amount="1.00", reason="损坏材料", actor=cast.head, key="d"
    )


def _table(html: str, key: str) -> list[list[str]]:
    body = re.search(rf'data-table="impact-{key}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            htmllib.unescape(re.sub(r"<[^>]+>", "", c).strip())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_the_county_official_sees_every_workshop_of_her_county_and_no_person(client, cast, county, paid):
    elsewhere = WorkshopFactory(name="平湖坊", county="平湖市", subdistrict="当湖街道")
    WorkerFactory(workshop=elsewhere, name="zoe")
    client.force_login(county)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    shops = [row[3] for row in _table(html, "workshop")]
    assert shops == sorted([cast.ws.name, cast.mallory.workshop.name])  # not 平湖坊
    assert _table(html, "county") == [
        # 县, 在册 (with mallory), 有收入, 工资 (3.50 × 3 − 1.00), 人均月收入, 增长, 无基线 (carol, mallory),
        # 低收入人数, 其工资, 其增长, 降本 (300 × (0.30 − 0.035)). Annualised over 30 days (joined 10
        # days ago): alice 2.50 → 30.42, bob and carol 3.50 → 42.58; a month per earner 115.58 / 12 / 3 =
        # 3.21; growth (30.42 + 42.58) / (1200 + 2400) = 2.03 %.
        ["海盐县", "4", "3", "9.50", "3.21", "2.0%", "2", "0", "0.00", "—", "79.50"]
    ]
    for person in (cast.alice, cast.bob, cast.carol, cast.mallory):
        assert person.name not in html
        assert str(person.phone.national_number) not in html
    assert 'href="/dashboard/workers/' not in html and 'href="/dashboard/pay/' not in html
    assert "&lt;3" in html or "<3" in html  # mallory's workshop has one worker


def test_the_xlsx_opens_and_its_sheets_hold_the_pages_figures(client, cast, county, paid):
    WorkerFactory(workshop=cast.mallory.workshop)
    WorkerFactory(workshop=cast.mallory.workshop)  # three there: both workshops are shown
    client.force_login(county)
    html = client.get(PAGE).content.decode()
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames[:4] == ["县汇总", "街道", "工坊", "分组"]
    for sheet, key in (
        ("县汇总", "county"),
        ("街道", "subdistrict"),
        ("工坊", "workshop"),
        ("分组", "groups"),
    ):
        rows = list(wb[sheet].iter_rows(values_only=True))
        kinds = [_kind(h) for h in rows[0]]
        as_on_page = [[cell(_number(v, k), k) for v, k in zip(r, kinds, strict=True)] for r in rows[1:]]
        assert as_on_page == _table(html, key), sheet
    total = list(wb["县汇总"].iter_rows(values_only=True))
    assert total[0][3] == "累计工资(元)" and total[1][3] == pytest.approx(9.50)
    shops = list(wb["工坊"].iter_rows(values_only=True))[1:]
    assert sum(r[6] for r in shops) == pytest.approx(total[1][3])  # the workshops add up to the county


def test_a_workshop_whose_only_sibling_is_hidden_is_hidden_too(client, cast, county, paid):
    # mallory is alone in her workshop; with only 暖心坊 beside it, 望海街道 minus 暖心坊 would be her pay.
    client.force_login(county)
    html = client.get(PAGE).content.decode()
    rows = {r[3]: r for r in _table(html, "workshop")}
    assert rows[cast.mallory.workshop.name][4:6] == ["<3", "—"]
    assert rows[cast.ws.name][4:6] == ["<3", "—"]
    (sub,) = _table(html, "subdistrict")
    assert sub[2:5] == ["4", "3", "9.50"]


def _kind(header: str) -> str:
    if header.endswith("(%)"):
        return "pct"
    if header.endswith("(元)"):
        return "money"
    return "int" if header.endswith("人数") else "text"


def _number(value, kind):
    # openpyxl reads a money or % cell back as a float; the page shows the Decimal it was written from.
    if isinstance(value, int | float) and kind in ("money", "pct"):
        return Decimal(str(value)).quantize(Decimal("0.01") if kind == "money" else Decimal("0.1"))
    return value


def test_groups_of_one_or_two_people_show_as_fewer_than_three(client, cast, county, paid):
    cast.carol.low_income = True
    cast.carol.save()
    client.force_login(county)
    html = client.get(PAGE).content.decode()
    groups = {(r[1], r[2]): r for r in _table(html, "groups")}
    low = groups[("望海街道·新街社区·" + cast.ws.name, "低收入")]
    assert low[3:] == ["<3", "—", "—", "—", "—", "—"]
    assert "不足 3 人" in html
    (shop,) = _table(html, "subdistrict")
    assert shop[2] == "4" and shop[8:11] == ["<3", "—", "—"]  # the subdistrict's low-income columns


def test_a_community_admin_sees_her_communitys_workshops_and_a_head_only_his_own(client, cast, paid):
    WorkshopFactory(name="别村坊", community="别的社区")
    admin = CommunityAdminFactory().user
    client.force_login(admin)
    shops = [r[3] for r in _table(client.get(PAGE).content.decode(), "workshop")]
    assert shops == sorted([cast.ws.name, cast.mallory.workshop.name])
    client.force_login(cast.head)
    shops = [r[3] for r in _table(client.get(PAGE).content.decode(), "workshop")]
    assert shops == [cast.ws.name]
    assert client.get(XLSX).status_code == 200


@pytest.mark.parametrize("who", ["clerk", "alice", "nobody"])
def test_firm_staff_workers_and_users_without_a_role_are_refused(client, cast, who):
    user = {"clerk": cast.clerk, "alice": cast.alice.user, "nobody": UserFactory()}[who]
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(XLSX).status_code == 302


def test_the_front_door_sends_the_county_official_to_the_report(client, county):
    client.force_login(county)
    assert client.get("/").url == PAGE


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_costs_the_same_queries_for_3_or_30_workers(
    client, cast, county, paid, django_assert_num_queries, n
):
    for _ in range(n):
        WorkerFactory(workshop=cast.ws)
    client.force_login(county)
    client.get(PAGE)  # the session's first read
    # session, user, scope (one joined row), and the report's three: workshops, workers, months; the page
    # also shows her inbox's unread count.
    with django_assert_num_queries(6):
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(XLSX).status_code == 200
