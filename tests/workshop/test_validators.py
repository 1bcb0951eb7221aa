"""Identifier validators: credit codes (GB 32100), resident ID numbers (GB 11643), mainland mobiles, masks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from phonenumber_field.phonenumber import PhoneNumber
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from tests.factories import FirmFactory, UserFactory, WorkerFactory, WorkshopFactory, credit_code
from workshop.validators import (
    check_id_number,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_mainland_mobile,
)


def id_number(body: str) -> str:
    """Complete a 17-digit body with its GB 11643 check character.

    ``ric.calc_check_digit`` reads all but the last character of what it is given, so it is handed the
    body plus a placeholder for the check position.
    """
    assert len(body) == 17
    return body + ric.calc_check_digit(body + "0")


# The standard's own example (北京市朝阳区, born 1949-12-31).
VALID_ID = "11010519491231002X"
# A real-format 海盐县 number: code 330424 dates from 1983, its holder was born in 1950.
HAIYAN_1950 = id_number("33042419500315123")


# --- credit codes ------------------------------------------------------------------------------------


def test_a_well_formed_credit_code_is_accepted():
    validate_credit_code(credit_code(42))


def _wrong_check(code: str) -> str:
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(_wrong_check(credit_code(42)))

    assert exc.value.code == "invalid_credit_code"


@pytest.mark.parametrize("value", ["", "91330424MA2B0004", "91330424MA2B000042X", "9133042IMA2B00042"])
def test_a_credit_code_of_the_wrong_shape_is_refused(value):
    with pytest.raises(ValidationError):
        validate_credit_code(value)


def test_a_firm_with_a_bad_credit_code_fails_full_clean(db):
    firm = FirmFactory.build(credit_code=_wrong_check(credit_code(7)))

    with pytest.raises(ValidationError) as exc:
        firm.full_clean()

    assert "credit_code" in exc.value.message_dict


# --- resident ID numbers -----------------------------------------------------------------------------


def test_a_valid_id_number_is_accepted_without_warnings():
    assert ric.is_valid(VALID_ID)
    assert check_id_number(VALID_ID) == []
    validate_id_number(VALID_ID)


def test_a_lower_case_x_check_character_is_accepted():
    assert check_id_number(VALID_ID.lower()) == []


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    wrong = VALID_ID[:-1] + "1"

    with pytest.raises(ValidationError) as exc:
        check_id_number(wrong)

    assert exc.value.code == "id_checksum"


@pytest.mark.parametrize(
    "body",
    [
        "33042419500230123",  # 30 February
        "33042419501315123",  # month 13
        "33042419500300123",  # day 0
    ],
)
def test_an_id_number_with_an_impossible_birth_date_is_refused(body):
    with pytest.raises(ValidationError) as exc:
        check_id_number(id_number(body))

    assert exc.value.code == "id_birth_date"


def test_an_id_number_born_in_the_future_is_refused():
    future = dt.date.today() + dt.timedelta(days=400)

    with pytest.raises(ValidationError) as exc:
        check_id_number(id_number(f"330424{future:%Y%m%d}123"))

    assert exc.value.code == "id_birth_date"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_length"),
        ("11010519491231002", "id_length"),
        ("1101051949123100XX", "id_format"),
        ("A" * 18, "id_format"),
    ],
)
def test_an_id_number_of_the_wrong_shape_is_refused(value, code):
    with pytest.raises(ValidationError) as exc:
        check_id_number(value)

    assert exc.value.code == code


def test_a_haiyan_number_of_someone_born_before_its_area_code_is_accepted_with_a_warning():
    # python-stdnum refuses it: 330424 was assigned "after" the holder's birth year.
    assert not ric.is_valid(HAIYAN_1950)
    with pytest.raises(InvalidComponent):
        ric.validate(HAIYAN_1950)

    warnings = check_id_number(HAIYAN_1950)

    assert len(warnings) == 1
    assert "地区代码" in warnings[0]
    validate_id_number(HAIYAN_1950)


def test_a_haiyan_number_of_someone_born_after_1983_has_no_warning():
    number = id_number("33042419900315123")

    assert ric.is_valid(number)
    assert check_id_number(number) == []


def test_an_unknown_area_code_is_accepted_with_a_warning():
    number = id_number("99999919800101123")

    assert len(check_id_number(number)) == 1


def test_a_worker_with_a_haiyan_number_of_1950_passes_full_clean(db):
    worker = WorkerFactory.build(user=UserFactory(), workshop=WorkshopFactory(), id_number=HAIYAN_1950)

    worker.full_clean()


def test_a_worker_with_a_wrong_check_digit_fails_full_clean(db):
    worker = WorkerFactory.build(
        user=UserFactory(), workshop=WorkshopFactory(), id_number=VALID_ID[:-1] + "1"
    )

    with pytest.raises(ValidationError) as exc:
        worker.full_clean()

    assert "id_number" in exc.value.message_dict


# --- masks -------------------------------------------------------------------------------------------


def test_an_id_number_is_masked_to_its_first_three_and_last_four():
    assert mask_id_number(VALID_ID) == "110" + "*" * 11 + "002X"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (PhoneNumber.from_string("+8613912345678"), "139****5678"),
        ("13912345678", "139****5678"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_phone_is_masked_to_its_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


def test_a_worker_shows_only_masked_identifiers(db):
    worker = WorkerFactory(phone="+8613912345678", id_number=VALID_ID)

    assert worker.phone_masked == "139****5678"
    assert worker.id_number_masked == "110***********002X"


# --- mainland mobiles --------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+8613912345678", "+8617012345678", "+8619912345678"])
def test_a_mainland_mobile_passes_full_clean(db, phone):
    worker = WorkerFactory.build(user=UserFactory(), workshop=WorkshopFactory(), phone=phone)

    worker.full_clean()


@pytest.mark.parametrize(
    "phone",
    [
        "+85291234567",  # a Hong Kong mobile: a valid number, but not a mainland one
        "+862164321234",  # a Shanghai landline
        "+8612345678901",  # 12x is no mobile prefix
        "+861391234567",  # ten digits
    ],
)
def test_a_number_that_is_not_a_mainland_mobile_fails_full_clean(db, phone):
    worker = WorkerFactory.build(user=UserFactory(), workshop=WorkshopFactory(), phone=phone)

    with pytest.raises(ValidationError) as exc:
        worker.full_clean()

    assert "phone" in exc.value.message_dict


@pytest.mark.parametrize("phone", ["+85291234567", "+862164321234", "+8611912345678"])
def test_the_mobile_validator_itself_refuses_valid_numbers_that_are_not_mainland_mobiles(phone):
    with pytest.raises(ValidationError) as exc:
        validate_mainland_mobile(PhoneNumber.from_string(phone))

    assert exc.value.code == "mobile"


def test_the_mobile_validator_accepts_a_mainland_mobile():
    validate_mainland_mobile(PhoneNumber.from_string("+8613912345678"))
