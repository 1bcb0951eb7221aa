"""Roster search (name, phone tail, pinyin), the worker's page (PIN, QR, revoke), low-income visibility,
masking, and the home figures read from the ledger rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from dispatch import reports
from pay import money
from tests.dashboard.helpers import settled_job
from tests.factories import CommunityAdminFactory, WorkerFactory
from workshop.models import Employment, Worker
from workshop.search import name_keys
from workshop.services import signin_token_worker

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [w.name for w in response.context["page"]]


def test_pinyin_keys_cover_initials_spelling_and_several_readings():
    keys = name_keys("张晓明")
    assert "zxm" in keys and "zhangxiaoming" in keys
    assert {"zl", "cl"} <= set(name_keys("曾丽"))  # 曾 reads zeng or ceng
    assert "ali" in name_keys("阿Li")  # latin letters count one by one


@pytest.fixture
def people(cast):
    # A 138 number: WorkerFactory numbers its phones +86139<n>, and a session that has made 4321 workers
    # would hand +8613900004321 to someone else.
    WorkerFactory(workshop=cast.ws, name="张晓明", phone="+8613800004321", employment=Employment.PART_TIME)
    # The others' numbers are fixed too: a factory's n-th phone ends in n, and the 4321st would match "4321".
    WorkerFactory(workshop=cast.ws, name="曾丽", phone="+8613800001111", low_income=True, skills=["fabric"])
    WorkerFactory(workshop=cast.ws, name="李娜", phone="+8613800002222", active=False)
    # And the cast's own workers': made by the factory too, one of them took the 4321st in a longer run.
    for n, worker in enumerate((cast.alice, cast.bob, cast.carol), start=5):
        worker.phone = f"+861370000{n}{n}{n}{n}"
        # search_text too: a key is computed in pre_save, which update_fields limits to the fields named.
        worker.save(update_fields=["phone", "search_text"])
        worker.refresh_from_db(fields=["search_text"])
        assert f"#{n}{n}{n}{n}#" in worker.search_text
    return cast


@pytest.mark.parametrize(
    "query, names",
    [
        ("zxm", ["张晓明"]),
        ("ZX", ["张晓明"]),
        ("zhangx", ["张晓明"]),
        ("cl", ["曾丽"]),
        ("4321", ["张晓明"]),
        ("138 0000 4321", ["张晓明"]),
        ("晓明", ["张晓明"]),
        ("ali", ["alice"]),
        ("nobody", []),
    ],
)
def test_roster_search(client, people, query, names):
    client.force_login(people.head)
    assert listed(client.get("/dashboard/workers/", {"q": query})) == names


def test_roster_filters(client, people):
    client.force_login(people.head)
    assert listed(client.get("/dashboard/workers/", {"employment": "part_time"})) == ["张晓明"]
    assert listed(client.get("/dashboard/workers/", {"skill": "fabric"})) == ["曾丽"]
    assert listed(client.get("/dashboard/workers/", {"active": "0"})) == ["李娜"]


def test_low_income_is_for_community_admins_only(client, people):
    client.force_login(people.head)
    page = client.get("/dashboard/workers/", {"low_income": "1"})
    body = page.content.decode()
    assert "低收入" not in body
    assert len(listed(page)) == 6  # the filter is ignored, not applied: nothing can be inferred
    zeng = Worker.objects.get(name="曾丽")
    assert "低收入" not in client.get(f"/dashboard/workers/{zeng.pk}/").content.decode()
    assert "低收入" not in client.get("/dashboard/").content.decode()
    client.force_login(people.clerk)
    assert "低收入" not in client.get("/dashboard/").content.decode()

    client.force_login(CommunityAdminFactory().user)
    assert listed(client.get("/dashboard/workers/", {"low_income": "1"})) == ["曾丽"]
    assert "低收入" in client.get(f"/dashboard/workers/{zeng.pk}/").content.decode()
    home = client.get("/dashboard/").content.decode()
    assert 'data-goal="low_income"' in home


def test_phones_are_masked_in_lists_and_the_id_number_everywhere(client, people):
    alice = people.alice
    alice.id_number = "11010519491231002X"
    alice.save()
    national = str(alice.phone.national_number)
    client.force_login(people.head)
    roster = client.get("/dashboard/workers/").content.decode()
    assert alice.phone_masked in roster and national not in roster
    page = client.get(f"/dashboard/workers/{alice.pk}/").content.decode()
    assert national in page  # the head calls the worker: the manager's page shows the number
    assert "11010519491231002X" not in page and alice.id_number_masked in page


def test_the_head_sets_a_pin_or_gets_a_random_one(client, cast):
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "482915"})
    cast.alice.refresh_from_db()
    assert check_password("482915", cast.alice.pin_hash)
    response = client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "111111"})
    assert "太容易被猜到" in response.wsgi_request._messages._queued_messages[0].message
    cast.alice.refresh_from_db()
    assert check_password("482915", cast.alice.pin_hash)
    response = client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"generate": "on"})
    message = response.wsgi_request._messages._queued_messages[0].message
    pin = message.split("新 PIN 是 ")[1][:6]
    cast.alice.refresh_from_db()
    assert check_password(pin, cast.alice.pin_hash)


def test_the_qr_sheet_carries_a_working_link_until_revoked(client, cast):
    client.force_login(cast.head)
    page = client.post(f"/dashboard/workers/{cast.alice.pk}/qr/")
    assert page["Cache-Control"] == "no-store"
    url = page.context["url"]
    assert url.startswith("http://testserver/m/t/")
    token = url.rsplit("/m/t/", 1)[1].strip("/")
    assert signin_token_worker(token).pk == cast.alice.pk
    assert "<svg" in page.content.decode()
    client.post(f"/dashboard/workers/{cast.alice.pk}/revoke/")
    assert signin_token_worker(token) is None


def test_a_stopped_workers_sign_in_qr_is_refused_in_words_not_printed(client, cast):
    """Found in a trial: the head printed a stopped worker's QR without a word, and the sheet only said
    she was stopped when scanned. Her page offers no print button and says why; a POST is refused too."""
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/", {"reason": "搬去外地"})
    nonce = Worker.objects.get(pk=cast.alice.pk).signin_nonce

    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert 'data-action="print-qr"' not in page
    assert "该坊工已停用,恢复在岗后再打印登录码。" in page

    response = client.post(f"/dashboard/workers/{cast.alice.pk}/qr/", follow=True)

    assert response.redirect_chain[-1][0] == f"/dashboard/workers/{cast.alice.pk}/"
    assert [str(m) for m in response.context["messages"]] == ["该坊工已停用,恢复在岗后再打印登录码。"]
    assert "<svg" not in response.content.decode() and "/m/t/" not in response.content.decode()
    assert Worker.objects.get(pk=cast.alice.pk).signin_nonce == nonce

    client.post(f"/dashboard/workers/{cast.alice.pk}/reactivate/")
    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert 'data-action="print-qr"' in page and "data-no-qr" not in page
    assert "<svg" in client.post(f"/dashboard/workers/{cast.alice.pk}/qr/").content.decode()


def test_home_figures_come_from_the_rows(client, cast, issue_job):
    client.force_login(cast.head)
    empty = client.get("/dashboard/").context["f"]
    assert empty["wages_total"] == Decimal("0.00") and empty["pass"]["rate"] is None
    settled_job(cast, issue_job, pieces=(100, 100), rejected=10, rate="0.5000")
    f = client.get("/dashboard/").context["f"]
    assert f["wages_total"] == Decimal("95.00")  # 190 passed × 0.50
    assert f["pass"] == {"passed": 190, "rejected": 10, "rate": 0.95}
    assert f["pieces_month"] == {"reported": 200, "passed": 190}
    assert f["on_time"]["sent"] == 1 and f["on_time"]["rate"] == 1.0
    assert f["income"]["fixed"]["goal"] == reports.GOAL_INCOME_FIXED_YUAN == Decimal("40000")
    assert f["income"]["fixed"]["total"] == Decimal("95.00")
    assert dict(f["funnel"])["settled"] == 1
    # Savings: (0.30 in-house − 0.50 rate) × 190 — negative, the firm pays more than its own cost.
    assert f["savings"]["by_firm"][0][1] == Decimal("-38.00")
    settled_job(cast, issue_job, pieces=(100,), rate="0.1000")
    f = client.get("/dashboard/").context["f"]
    assert f["wages_total"] == Decimal("105.00")
    assert f["savings"]["by_firm"][0][1] == Decimal("-18.00")


def test_home_scales_a_year_from_the_day_the_first_worker_joined_not_from_the_periods_start(
    client, cast, issue_job
):
    """A workshop whose workers joined 30 days ago earned nothing before: the yearly figure is its 30
    days' pay × 365 / 30, not the same pay spread over the whole period (a third of it, in September)."""
    today = timezone.localdate()
    Worker.objects.filter(workshop=cast.ws).update(joined_on=today - dt.timedelta(days=29))
    settled_job(cast, issue_job, pieces=(100, 100), rate="0.5000")
    client.force_login(cast.head)
    period = {"start": f"{today - dt.timedelta(days=99)}", "end": f"{today}"}
    response = client.get("/dashboard/", period)
    f = response.context["f"]
    assert (f["days"], f["active_days"]) == (100, 30)
    fixed = f["income"]["fixed"]
    assert fixed["per_worker"] > 0
    assert fixed["annualised"] == money.annualise(fixed["per_worker"], 30)
    assert f["savings"]["per_firm_annualised"] == money.annualise(f["savings"]["by_firm"][0][1], 30)
    assert "按 30 天的收入折算为一年" in response.content.decode()

    Worker.objects.filter(workshop=cast.ws).update(joined_on=today - dt.timedelta(days=500))
    f = client.get("/dashboard/", period).context["f"]
    assert f["active_days"] == 100
    assert f["income"]["fixed"]["annualised"] == money.annualise(f["income"]["fixed"]["per_worker"], 100)


def test_a_filter_outside_the_period_shows_no_rows(client, cast, issue_job):
    settled_job(cast, issue_job, pieces=(100,))
    client.force_login(cast.head)
    f = client.get("/dashboard/", {"start": "2020-01-01", "end": "2020-12-31"}).context["f"]
    assert f["wages_total"] == Decimal("0.00") and f["jobs_in_range"] == 0
    other = CommunityAdminFactory().user
    client.force_login(other)
    response = client.get("/dashboard/", {"ws": cast.mallory.workshop_id})
    assert response.context["f"]["jobs_in_range"] == 0


def test_firms_page_shows_pairings_and_the_savings_goal(client, cast, issue_job):
    cast.pairing.auto_accept = True
    cast.pairing.auto_accept_max_pieces = 500
    cast.pairing.save()
    settled_job(cast, issue_job, pieces=(100,), rate="0.1000")
    client.force_login(cast.clerk)
    page = client.get("/dashboard/firms/").content.decode()
    assert cast.firm.name in page and "≤ 500 件" in page and "180,000.00" in page
    assert "¥20.00" in page  # (0.30 − 0.10) × 100


def test_home_lists_what_waits_for_each_role(client, cast, issue_job):
    from tests.dashboard.helpers import inspecting_job

    issue_job(title="待接单")
    late = issue_job(title="逾期")
    type(late).objects.filter(pk=late.pk).update(due_on="2020-01-01")
    inspecting_job(cast, issue_job, pieces=(30,))
    client.force_login(cast.head)
    todo = client.get("/dashboard/").context["todo"]
    assert (todo["issued"], todo["inspecting"], todo["overdue"]) == (2, 1, 1)
    client.force_login(cast.clerk)
    page = client.get("/dashboard/").content.decode()
    assert "待验收 1" in page and "逾期未交货 1" in page and "待点收 0" in page


def test_the_date_boxes_show_the_period_in_the_format_a_date_input_takes(client, cast):
    client.force_login(cast.head)
    page = client.get("/dashboard/", {"start": "2026-02-03", "end": "2026-03-04"}).content.decode()
    assert 'value="2026-02-03"' in page and 'value="2026-03-04"' in page
    from django.utils import timezone

    page = client.get("/dashboard/").content.decode()
    assert f'value="{timezone.localdate():%Y}-01-01"' in page


def test_the_two_lists_are_one_click_from_the_dashboard_for_the_roles_that_keep_them(client, cast):
    client.force_login(cast.head)
    page = client.get("/dashboard/").content.decode()
    assert 'href="/lists/demands/"' in page and 'href="/lists/supply/"' in page

    client.force_login(cast.clerk)
    page = client.get("/dashboard/").content.decode()
    assert 'href="/lists/demands/"' in page and 'href="/lists/supply/"' not in page


def test_a_bad_filter_is_named_on_the_page_and_the_other_conditions_still_apply(client, people):
    client.force_login(people.head)
    page = client.get("/dashboard/workers/", {"q": "zxm", "skill": "juggling"})
    assert listed(page) == ["张晓明"]  # the search held although the skill was unknown
    error = page.content.decode().split("data-filter-error>")[1].split("</p>")[0]
    assert "技能" in error and "搜索" not in error
    page = client.get("/dashboard/workers/", {"q": "z" * 51, "employment": "part_time"})
    assert listed(page) == ["张晓明"]  # the employment filter held although the query was too long
    assert "搜索" in page.content.decode().split("data-filter-error>")[1].split("</p>")[0]
    assert "data-filter-error" not in client.get("/dashboard/workers/", {"q": "zxm"}).content.decode()


def test_the_english_roster_lists_skills_with_commas_and_says_what_its_open_column_counts(client, people):
    zeng = Worker.objects.get(name="曾丽")
    zeng.skills = ["fabric", "packaging"]
    zeng.save(update_fields=["skills"])
    client.force_login(people.head)
    assert "布料加工、产品包装" in client.get("/dashboard/workers/", {"q": "cl"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/dashboard/workers/", {"q": "cl"}).content.decode()
    assert "Fabric work, Product packing" in english and "、" not in english
    assert "Given, not reported (pcs)" in english and "including offers" in english


def test_the_english_filter_error_names_each_bad_condition_after_a_spaced_colon(client, people):
    client.force_login(people.head)
    client.cookies["django_language"] = "en"
    page = client.get("/dashboard/workers/", {"active": "9", "skill": "fabric"})
    error = page.content.decode().split("data-filter-error>")[1].split("</p>")[0]
    assert "Active: " in error and "Active:S" not in error
    assert listed(page) == ["曾丽"]
