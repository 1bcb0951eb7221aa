"""Hostile text: names NFKC-normalised and refused with control, bidi or zero-width characters (the error
names the field, never the characters); PINs ASCII or full-width digits only; filter dates kept within a
sane range; an overlong login name never reaches axes' username column whole."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import ric

from dashboard import logistics_forms
from matching import forms as list_forms
from mobile import forms as mobile_forms
from workshop.lockout import LOCKOUT_KEY_MAX, lockout_key
from workshop.models import Worker
from workshop.services import validate_pin
from workshop.text import clean_pin, clean_text

BAD = ["王\u202e英", "王\u200b英", "王\u200f英", "王\x07英", "王\u2066英\u2069", "王\ufeff英", "王\n英"]


@pytest.mark.parametrize("value", BAD)
def test_names_with_control_bidi_or_zero_width_characters_are_refused_without_echoing_them(value):
    with pytest.raises(ValidationError) as err:
        clean_text(value, field="姓名")
    text = " ".join(err.value.messages)
    assert "姓名" in text
    assert not any(ch in text for ch in value if ch not in "王英")


def test_names_are_nfkc_normalised_and_keep_ordinary_spaces():
    assert clean_text(" ＡＢＣ 王秀英 ", field="姓名") == "ABC 王秀英"
    assert clean_text("一行\n两行", field="备注", multiline=True) == "一行\n两行"


@pytest.mark.parametrize("pin", ["¹²³⁴⁵⁶", "١٢٣٤٥٦", "①②③④⑤⑥", "12345６7", "12 345", "48291", "4829150"])
def test_pins_other_than_six_ascii_or_full_width_digits_are_refused(pin):
    with pytest.raises(ValidationError):
        clean_pin(pin)


def test_full_width_pin_digits_are_accepted_as_ascii():
    assert clean_pin("４８２９１５") == "482915"
    assert validate_pin("４８２９１５") == "482915"
    with pytest.raises(ValidationError):
        validate_pin("⁴⁸²⁹¹⁵")


def test_a_login_name_longer_than_axes_column_is_counted_under_a_short_key():
    key = lockout_key(None, {"username": "x" * 5000})
    assert len(key) <= LOCKOUT_KEY_MAX
    assert lockout_key(None, {"username": "head"}) == "head"


@pytest.mark.django_db
def test_an_overlong_staff_login_name_is_a_form_error_and_no_attempt_row_holds_it(client):
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "x" * 300, "password": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AccessAttempt.objects.filter(username__startswith="x" * 256).exists()


def test_the_head_cannot_add_a_worker_whose_name_carries_a_right_to_left_override(client, cast):
    client.force_login(cast.head)
    body = "33042419900101001"
    form = {
        "name": "王\u202e英",
        "phone": "137 0000 1111",
        "employment": "part_time",
        "work_place": "home",
        "skills": ["assembly", "packaging"],
        "hours_per_week": "25",
        "home_area": "新街3幢",
        "id_number": body + ric.calc_check_digit(body + "0"),
    }
    before = Worker.objects.count()
    response = client.post("/dashboard/workers/new/", form)
    assert response.status_code == 400
    assert "姓名" in str(response.context["form"].errors["name"])
    assert Worker.objects.count() == before
    form["name"] = "王秀英"
    form["home_area"] = "新街\u200b3幢"
    response = client.post("/dashboard/workers/new/", form)
    assert "home_area" in response.context["form"].errors
    assert Worker.objects.count() == before


def test_a_worker_cannot_sign_in_with_superscript_pin_digits(client, cast):
    from workshop.services import worker_set_pin

    worker_set_pin(actor=cast.head, worker=cast.alice, pin="482915")
    phone = str(cast.alice.phone)
    response = client.post("/m/login/", {"phone": phone, "pin": "⁴⁸²⁹¹⁵"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    response = client.post("/m/login/", {"phone": phone, "pin": "４８２９１５"})
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/jobs/", "/dashboard/board/", "/dashboard/pay/"])
def test_a_filter_date_at_the_calendars_end_is_a_message_not_a_500(client, cast, path, day):
    client.force_login(cast.head)
    for params in ({"start": day}, {"end": day}, {"start": day, "end": day}):
        response = client.get(path, params)
        assert response.status_code < 500, (path, params)


@pytest.mark.parametrize(
    "make, field, words",
    [
        (
            lambda v: mobile_forms.PinLoginForm({"phone": v, "pin": "123456"}),
            "phone",
            "手机号最多 20 个字(现在 23 个)",
        ),
        (
            lambda v: logistics_forms.CourierForm({"name": "王", "phone": v, "pin": "1"}),
            "phone",
            "手机号最多 20 个字",
        ),
        (
            lambda v: logistics_forms.DepotForm({"lat": v, "lng": "1", "shift_min": "1"}),
            "lat",
            "纬度最多 20 个字",
        ),
        (
            lambda v: list_forms.NewSkillForm({"name": v, "process_kind": "assembly"}),
            "name",
            "技能最多 20 个字",
        ),
    ],
)
def test_23_characters_in_a_20_character_box_are_refused_in_our_words(make, field, words):
    with translation.override("zh-hans"):
        form = make("1" * 23)
        assert not form.is_valid()
        assert words in form.errors[field][0] and "确保" not in form.errors[field][0]
    with translation.override("en"):
        form = make("1" * 23)
        assert not form.is_valid()
        assert "at most 20 characters (it has 23)" in form.errors[field][0]


def test_a_label_with_a_percent_sign_is_said_as_it_is():
    from django import forms

    from workshop.text import CheckedForm

    class RateNote(CheckedForm):
        note = forms.CharField(label="损耗率(%)", max_length=5)

    with translation.override("zh-hans"):
        form = RateNote({"note": "x" * 6})
        assert not form.is_valid()
        assert form.errors["note"] == ["损耗率(%)最多 5 个字(现在 6 个)。"]


def test_a_blank_name_or_a_unit_not_offered_is_named_in_our_words():
    """Found in a trial: the staff forms still said Django's "这个字段是必填项" and "选择一个有效的选项"."""
    from dashboard.material_forms import BomRowForm
    from dashboard.worker_forms import WorkerForm

    with translation.override("zh-hans"):
        form = WorkerForm({"phone": "13800000000"}, adding=True, sees_low_income=False)
        assert not form.is_valid()
        assert form.errors["name"] == ["请填写姓名。"]
        assert form.errors["employment"] == ["请选用工类型。"]
        row = BomRowForm({"material": "面板", "unit": "斤", "per_piece": "1"})
        assert not row.is_valid()
        assert row.errors["unit"] == ["单位请从列表里选。"]
    with translation.override("en"):
        row = BomRowForm({"material": "面板", "unit": "斤", "per_piece": "1"})
        assert not row.is_valid()
        assert "Unit" in row.errors["unit"][0] and "list" in row.errors["unit"][0]


def test_a_fields_own_words_are_kept():
    from dashboard.pay_forms import AdjustmentForm
    from workshop.models import Worker

    with translation.override("zh-hans"):
        form = AdjustmentForm({"kind": "nope"}, workers=Worker.objects.none())
        assert not form.is_valid()
        assert form.errors["kind"] == ["请选类型。"] and form.errors["worker"] == ["请选坊工。"]


def test_numbers_dates_and_pins_out_of_bounds_are_named_in_our_words():
    """Found by a fresh-user trial: "确保该值小于或等于84。", "输入一个有效的日期。" and
    "确保该变量包含不超过 6 字符" on the new-worker form."""
    from dashboard.worker_forms import WorkerForm

    typed = {"name": "王秀英", "hours_per_week": "85", "joined_on": "明天", "pin": "1234567"}
    with translation.override("zh-hans"):
        form = WorkerForm(typed, adding=True, sees_low_income=False)
        assert not form.is_valid()
        assert form.errors["hours_per_week"] == ["每周可用工时(小时)最多 84。"]
        assert form.errors["joined_on"] == ["加入日期请按 2026-03-01 这样填日期。"]
        assert form.errors["pin"] == ["PIN(6位数字,不填则随机生成)最多 6 个字(现在 7 个)。"]
        form = WorkerForm({**typed, "hours_per_week": "二十"}, adding=True, sees_low_income=False)
        assert not form.is_valid() and form.errors["hours_per_week"] == ["每周可用工时(小时)要填整数。"]
    with translation.override("en"):
        form = WorkerForm(typed, adding=True, sees_low_income=False)
        assert not form.is_valid()
        assert "84" in form.errors["hours_per_week"][0] and "at most" in form.errors["hours_per_week"][0]
