"""The public wish-to-work page (/m/join/): an entry lands on the supply list as new; the same phone
updates it; the low-income declaration needs consent and is never shown back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from workshop import services as people
from workshop.models import WishStatus, WorkWish

DATA = {
    "name": "张阿姨",
    "phone": "13512345678",
    "skills": ["packaging", "fabric"],
    "hours_per_week": "12",
    "work_place": "home",
    "area": "新街社区三组",
}


def test_the_page_is_public_and_in_chinese(client, db):
    response = client.get("/m/join/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "我想做活" in page and "产品包装" in page and "在家做" in page and "低收入" in page


def test_an_entry_lands_on_the_supply_list_as_new(client, db):
    response = client.post("/m/join/", DATA)
    assert response["Location"] == "/m/join/done/"
    wish = WorkWish.objects.get()
    assert (wish.name, str(wish.phone), wish.status) == ("张阿姨", "+8613512345678", WishStatus.NEW)
    assert wish.skills == ["fabric", "packaging"] and wish.hours_per_week == 12
    assert (wish.work_place, wish.area, wish.low_income) == ("home", "新街社区三组", False)
    assert wish.low_income_consent_at is None and wish.consent_version == ""
    done = client.get("/m/join/done/").content.decode()
    assert "登记好了" in done and "135****5678" in done and "13512345678" not in done


def test_the_same_phone_updates_the_first_entry(client, db):
    client.post("/m/join/", DATA)
    WorkWish.objects.update(status=WishStatus.CONTACTED)
    client.post(
        "/m/join/", DATA | {"phone": "+86 135 1234 5678", "hours_per_week": "40", "skills": ["assembly"]}
    )
    wish = WorkWish.objects.get()
    assert wish.hours_per_week == 40 and wish.skills == ["assembly"]
    assert wish.status == WishStatus.CONTACTED  # being followed up: kept


def test_a_closed_entry_opens_again_as_new(client, db):
    client.post("/m/join/", DATA)
    WorkWish.objects.update(status=WishStatus.CLOSED)
    client.post("/m/join/", DATA)
    assert WorkWish.objects.get().status == WishStatus.NEW


def test_low_income_needs_consent_and_records_when_and_which_text(client, db):
    response = client.post("/m/join/", DATA | {"low_income": "on"})
    assert response.status_code == 200
    assert "申报低收入需要先勾选" in response.content.decode()
    assert not WorkWish.objects.exists()
    client.post("/m/join/", DATA | {"low_income": "on", "consent": "on"})
    wish = WorkWish.objects.get()
    assert wish.low_income and wish.low_income_consent_at is not None
    assert wish.consent_version == WorkWish.CONSENT_VERSION


def test_unticking_low_income_withdraws_it_and_its_consent(client, db):
    client.post("/m/join/", DATA | {"low_income": "on", "consent": "on"})
    client.post("/m/join/", DATA)
    wish = WorkWish.objects.get()
    assert (wish.low_income, wish.low_income_consent_at, wish.consent_version) == (False, None, "")


def test_an_entry_never_shows_what_an_earlier_one_held(client, db):
    client.post("/m/join/", DATA | {"low_income": "on", "consent": "on", "area": "秘密小区"})
    page = client.get("/m/join/").content.decode() + client.get("/m/join/done/").content.decode()
    assert "秘密小区" not in page and "checked" not in page


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"phone": "12345"}, "请填写正确的手机号"),
        ({"skills": []}, "请至少选一样会做的活"),
        ({"name": ""}, "请填写姓名"),
        ({"area": ""}, "请填写住的小区或片区"),
        ({"hours_per_week": "999"}, "请选一下每周能做多久"),
    ],
)
def test_a_bad_entry_says_what_to_fix_and_writes_nothing(client, db, bad, words):
    response = client.post("/m/join/", DATA | bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "还没有登记上" in page and words in page
    assert not WorkWish.objects.exists()


def test_a_workshops_poster_link_notes_the_workshop(client, cast):
    client.post(f"/m/join/?w={cast.ws.pk}", DATA | {"w": str(cast.ws.pk)})
    assert WorkWish.objects.get().workshop == cast.ws


def test_the_service_refuses_low_income_without_consent(db):
    with pytest.raises(ValidationError):
        people.work_wish_submit(
            name="x",
            phone="+8613512345678",
            skills=["assembly"],
            hours_per_week=6,
            work_place="home",
            area="a",
            low_income=True,
            consent=False,
        )
    assert not WorkWish.objects.exists()
