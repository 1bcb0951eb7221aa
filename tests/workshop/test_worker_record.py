"""A worker's record kept by her head (worker_add, worker_edit, worker_deactivate, worker_reactivate):
checked field by field in words, written whole or not at all, and audited with personal data masked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from stdnum.cn import ric

from dispatch import services as flow
from dispatch.planning import plan_jobs
from pay.models import PayLine
from tests.dashboard.helpers import settled_job
from tests.factories import CommunityAdminFactory
from workshop import services
from workshop.models import Worker, WorkerAction, WorkerEvent
from workshop.services import WorkerDetails

PIN = "482915"


def id_number(body: str = "33042419900101001") -> str:
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def details(**kw) -> WorkerDetails:
    base = {
        "name": "王秀英",
        "phone": "137 0000 1111",
        "employment": "part_time",
        "work_place": "home",
        "skills": ("assembly", "packaging"),
        "hours_per_week": 25,
    }
    return WorkerDetails(**{**base, **kw})


def row_counts() -> tuple[int, int, int]:
    return Worker.objects.count(), get_user_model().objects.count(), WorkerEvent.objects.count()


def signs_in(phone: str, pin: str) -> bool:
    request = RequestFactory().post("/m/login/", {"phone": phone, "pin": pin})
    return authenticate(request, phone=phone, pin=pin) is not None


def test_the_head_adds_a_worker_who_signs_in_with_her_pin(cast):
    worker, warnings = services.worker_add(
        actor=cast.head, workshop=cast.ws, details=details(id_number=id_number()), pin=PIN
    )

    worker.refresh_from_db()
    assert (worker.workshop, worker.name, worker.phone.as_e164) == (cast.ws, "王秀英", "+8613700001111")
    assert worker.active and worker.joined_on == timezone.localdate()
    assert worker.skills == ["assembly", "packaging"] and worker.work_place == "home"
    assert warnings == []
    assert signs_in("13700001111", PIN)
    event = WorkerEvent.objects.get(worker=worker)
    assert (event.action, event.actor) == (WorkerAction.ADDED, cast.head)
    fields = {c["field"]: c["new"] for c in event.changes}
    assert fields["phone"] == "137****1111"
    assert fields["id_number"] == "330***********" + id_number()[-4:]
    stored = json.dumps(event.changes, ensure_ascii=False)
    assert "13700001111" not in stored and id_number() not in stored and PIN not in stored


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"name": "   "}, "name", "请填写姓名"),
        ({"name": "王\x07秀英"}, "name", "控制字符"),
        ({"name": "王秀\u200b英"}, "name", "控制字符"),
        ({"phone": "12345"}, "phone", "11位中国大陆手机号码"),
        ({"phone": "alice"}, "phone", "11位中国大陆手机号码"),
        ({"id_number": "330424198001010010"}, "id_number", "校验位"),
        ({"id_number": "33042419801301001X"}, "id_number", "出生日期"),
        ({"skills": ()}, "skills", "会做的活"),
        ({"hours_per_week": 90}, "hours_per_week", "1到84"),
        # A year typed wrong: the dashboard's yearly figures would count her days from 2030.
        ({"joined_on": dt.date.today() + dt.timedelta(days=400)}, "joined_on", "加入日期最晚是"),
        # Found in a trial: 1900-01-01 was taken and spread her yearly figures over a century.
        ({"joined_on": dt.date(1900, 1, 1)}, "joined_on", "加入日期最早是2000-01-01"),
        ({"joined_on": services.JOIN_EARLIEST - dt.timedelta(days=1)}, "joined_on", "加入日期最早是"),
    ],
)
def test_bad_input_is_refused_by_field_in_words_and_nothing_is_written(cast, change, field, words):
    before = row_counts()

    with pytest.raises(ValidationError) as refused:
        services.worker_add(actor=cast.head, workshop=cast.ws, details=details(**change), pin=PIN)

    assert field in refused.value.message_dict
    assert any(words in m for m in refused.value.message_dict[field])
    assert row_counts() == before


def test_a_join_date_within_the_month_ahead_is_taken(cast):
    soon = timezone.localdate() + dt.timedelta(days=services.JOIN_AHEAD_DAYS)
    worker, _warnings = services.worker_add(
        actor=cast.head, workshop=cast.ws, details=details(joined_on=soon), pin=PIN
    )
    assert worker.joined_on == soon
    services.worker_edit(actor=cast.head, worker=worker, details=details(joined_on=services.JOIN_EARLIEST))
    worker.refresh_from_db()
    assert worker.joined_on == services.JOIN_EARLIEST
    with pytest.raises(ValidationError) as refused:
        services.worker_edit(
            actor=cast.head, worker=worker, details=details(joined_on=soon + dt.timedelta(days=1))
        )
    assert "joined_on" in refused.value.message_dict


def test_a_phone_already_a_workers_or_a_couriers_is_refused(cast):
    services.courier_create(actor=cast.head, workshop=cast.ws, name="王师傅", phone="13800001234", pin=PIN)
    before = row_counts()
    for phone in (str(cast.alice.phone.national_number), "138-0000-1234", str(cast.mallory.phone)):
        with pytest.raises(ValidationError) as refused:
            services.worker_add(actor=cast.head, workshop=cast.ws, details=details(phone=phone), pin=PIN)
        assert "这个手机号已经登记过了" in refused.value.message_dict["phone"][0]
    assert row_counts() == before


def test_every_bad_field_is_named_at_once(cast):
    with pytest.raises(ValidationError) as refused:
        services.worker_add(
            actor=cast.head,
            workshop=cast.ws,
            details=details(name="", phone="1", id_number="123"),
            pin="111111",
        )
    assert set(refused.value.message_dict) == {"name", "phone", "id_number", "pin"}  # the weak PIN too


def test_a_weak_pin_is_refused_on_its_field(cast):
    with pytest.raises(ValidationError) as refused:
        services.worker_add(actor=cast.head, workshop=cast.ws, details=details(), pin="123456")
    assert "pin" in refused.value.message_dict
    assert not Worker.objects.filter(name="王秀英").exists()


def test_an_old_residents_area_code_is_kept_with_a_warning(cast):
    # An area code python-stdnum does not know: GB 11643 accepts the number; we warn, never refuse.
    number = id_number("99042419500101001")
    worker, warnings = services.worker_add(
        actor=cast.head, workshop=cast.ws, details=details(id_number=number), pin=PIN
    )
    assert worker.id_number == number
    assert warnings and "地区代码" in warnings[0]


def test_an_edit_records_each_change_old_to_new_masked(cast):
    old_phone = str(cast.alice.phone.national_number)

    services.worker_edit(
        actor=cast.head,
        worker=cast.alice,
        details=details(name="艾丽丝", phone="13912340000", hours_per_week=40, id_number=None),
    )

    cast.alice.refresh_from_db()
    assert (cast.alice.name, cast.alice.phone.as_e164) == ("艾丽丝", "+8613912340000")
    assert cast.alice.user.first_name == "艾丽丝"
    event = WorkerEvent.objects.get(worker=cast.alice, action=WorkerAction.EDITED)
    changes = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert changes["name"] == ("alice", "艾丽丝")
    assert changes["phone"] == (old_phone[:3] + "****" + old_phone[-4:], "139****0000")
    assert changes["employment"] == ("fixed", "part_time")
    assert "hours_per_week" not in changes  # 40 before and after
    assert "id_number" not in changes  # None keeps the number on file
    assert old_phone not in json.dumps(event.changes)


def test_a_renamed_worker_is_found_by_her_new_name_and_phone_tail(cast):
    services.worker_edit(
        actor=cast.head, worker=cast.alice, details=details(name="艾丽丝", phone="13912348765")
    )

    found = Worker.objects.filter(search_text__contains="als")  # 艾丽丝's pinyin initials
    assert list(found) == [cast.alice]
    assert Worker.objects.filter(search_text__contains="#8765#").get() == cast.alice


def test_saving_an_unchanged_record_writes_no_audit_row(cast):
    same = details(
        name=cast.alice.name,
        phone=str(cast.alice.phone),
        employment=cast.alice.employment,
        work_place=cast.alice.work_place,
        skills=tuple(cast.alice.skills),
        hours_per_week=cast.alice.hours_per_week,
        id_number=None,
    )
    services.worker_edit(actor=cast.head, worker=cast.alice, details=same)
    assert not WorkerEvent.objects.filter(worker=cast.alice).exists()


def test_an_edit_with_a_bad_field_changes_nothing(cast):
    with pytest.raises(ValidationError):
        services.worker_edit(
            actor=cast.head, worker=cast.alice, details=details(name="艾丽丝", phone=str(cast.bob.phone))
        )
    cast.alice.refresh_from_db()
    assert cast.alice.name == "alice"
    assert not WorkerEvent.objects.exists()


def test_only_a_community_admin_sets_low_income(cast):
    with pytest.raises(PermissionDenied):
        services.worker_edit(actor=cast.head, worker=cast.alice, details=details(low_income=True))
    admin = CommunityAdminFactory().user

    services.worker_edit(actor=admin, worker=cast.alice, details=details(low_income=True, id_number=None))

    cast.alice.refresh_from_db()
    assert cast.alice.low_income
    event = WorkerEvent.objects.get(worker=cast.alice)
    assert {"field": "low_income", "old": "0", "new": "1"} in event.changes


def test_another_head_and_a_firm_clerk_may_not_touch_her_record(cast):
    before = row_counts()
    for outsider in (cast.mallory.workshop.head, cast.clerk, cast.bob.user):
        with pytest.raises(PermissionDenied):
            services.worker_add(actor=outsider, workshop=cast.ws, details=details(), pin=PIN)
        with pytest.raises(PermissionDenied):
            services.worker_edit(actor=outsider, worker=cast.alice, details=details(name="x"))
        with pytest.raises(PermissionDenied):
            services.worker_deactivate(actor=outsider, worker=cast.alice)
    cast.alice.refresh_from_db()
    assert cast.alice.active and cast.alice.name == "alice"
    assert row_counts() == before


def test_a_stopped_worker_cannot_sign_in_and_is_planned_no_work_but_keeps_her_pay(cast, issue_job):
    settled_job(cast, issue_job, pieces=(100, 100, 100))
    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin=PIN)
    link = services.signin_link_issue(actor=cast.head, worker=cast.alice)
    pay = list(PayLine.objects.filter(worker=cast.alice).values_list("pk", "amount"))
    assert pay and signs_in(str(cast.alice.phone), PIN)

    services.worker_deactivate(actor=cast.head, worker=cast.alice, reason="搬去外地")

    cast.alice.refresh_from_db()
    assert not cast.alice.active and not cast.alice.user.is_active
    assert not signs_in(str(cast.alice.phone), PIN)
    assert services.signin_token_worker(link) is None
    job = issue_job(quantity=600, due_on=timezone.localdate() + dt.timedelta(days=10))
    flow.job_accept(actor=cast.head, job=job)
    planned = {s.worker_id for s in plan_jobs([job], today=timezone.localdate()).get(job.pk, [])}
    assert planned and cast.alice.pk not in planned
    assert list(PayLine.objects.filter(worker=cast.alice).values_list("pk", "amount")) == pay
    event = WorkerEvent.objects.get(worker=cast.alice, action=WorkerAction.DEACTIVATED)
    assert (event.note, event.actor, event.changes) == (
        "搬去外地",
        cast.head,
        [{"field": "active", "old": "1", "new": "0"}],
    )


def test_a_signed_in_phone_is_signed_out_when_she_is_stopped(client, cast):
    client.force_login(cast.alice.user)
    assert client.get("/m/").status_code == 200

    services.worker_deactivate(actor=cast.head, worker=cast.alice)

    assert client.get("/m/")["Location"].startswith("/m/login/")


def test_a_restarted_worker_signs_in_with_her_pin_again(cast):
    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin=PIN)
    services.worker_deactivate(actor=cast.head, worker=cast.alice)

    services.worker_reactivate(actor=cast.head, worker=cast.alice, reason="回来了")

    cast.alice.refresh_from_db()
    assert cast.alice.active and cast.alice.user.is_active
    assert signs_in(str(cast.alice.phone), PIN)
    actions = list(WorkerEvent.objects.filter(worker=cast.alice).order_by("at", "id").values_list("action"))
    assert actions == [("pin",), ("deactivated",), ("reactivated",)]


def test_stopping_twice_or_restarting_an_active_worker_is_refused_in_words(cast):
    with pytest.raises(ValidationError, match="现在就在岗"):
        services.worker_reactivate(actor=cast.head, worker=cast.alice)
    services.worker_deactivate(actor=cast.head, worker=cast.alice)
    with pytest.raises(ValidationError, match="已经停用了"):
        services.worker_deactivate(actor=cast.head, worker=cast.alice)
    assert WorkerEvent.objects.filter(worker=cast.alice).count() == 1


def test_a_new_bank_account_is_audited_masked_and_a_pin_never_written(cast):
    services.worker_set_bank(
        actor=cast.head, worker=cast.alice, bank_account="6222 0212 3456 7890", bank_name="农业银行海盐支行"
    )
    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin=PIN)

    bank, pin = WorkerEvent.objects.filter(worker=cast.alice).order_by("id")
    assert bank.action == WorkerAction.BANK
    assert {"field": "bank_account", "old": "", "new": "**** 7890"} in bank.changes
    assert "6222021234567890" not in json.dumps(bank.changes)
    assert (pin.action, pin.changes) == (WorkerAction.PIN, [])
