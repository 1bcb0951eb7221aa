"""Validators for identifiers the workshop records: credit codes, resident ID numbers, phones.

Each raises ``django.core.exceptions.ValidationError`` with a Chinese message (translatable).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters and a check character.

    Raises ValidationError when python-stdnum's ``cn.uscc`` refuses it.
    """
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("统一社会信用代码无效(应为18位,且校验位正确)。"), code="invalid_credit_code"
        ) from exc


def check_id_number(value: str) -> list[str]:
    """Check a resident identity number (居民身份证号码) to GB 11643-1999.

    Refuses (ValidationError): not 18 characters; the first 17 not digits; the last not a digit or X;
    a birth date that does not exist or lies in the future; a wrong ISO 7064 MOD 11-2 check character.

    Returns a list of warnings (strings), never refusing for them: an area code that python-stdnum does not
    know, or that it believes was assigned only after the birth year. Numbers were issued from 1984 on with
    the area codes of that time, so older residents' real numbers (e.g. every 海盐县 number, code 330424 since
    1983, of anyone born before 1983) carry codes "later" than their birth; ``stdnum.cn.ric.validate`` would
    refuse them, which is why it is not used alone.
    """
    number = ric.compact(value or "")
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位。"), code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号码前17位应为数字,最后一位为数字或X。"), code="id_format")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(_("身份证号码中的出生日期不存在。"), code="id_birth_date") from exc
    if birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("身份证号码中的出生日期不合理。"), code="id_birth_date")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(_("身份证号码校验位不正确,请核对。"), code="id_checksum")
    warnings: list[str] = []
    try:
        ric.get_birth_place(number)
    except StdnumError:
        warnings.append(_area_warning(number, birth.year))
    return warnings


def _area_warning(number: str, born: int) -> str:
    """Why python-stdnum's area table (``cn/loc``, each county with the years its code was used) did not
    confirm the number's area code: assigned only after the birth year, or not in the table at all."""
    from stdnum import numdb

    code = number[:6]
    counties = [props["county"] for _part, props in numdb.get("cn/loc").info(code) if props.get("county")]
    for entry in ",".join(counties).split(","):
        if entry.startswith("[") and "]" in entry:
            years, place = entry[1:].split("]", 1)
            since = years.split("-")[0]
            if since.isdigit() and born < int(since):
                return str(
                    _(
                        "身份证号码的地区代码%(code)s(%(place)s)%(since)s年起才使用,晚于出生年份%(born)d年:"
                        "早年出生的居民常见(按后来的区划发证),已接受,请核对。"
                    )
                    % {"code": code, "place": place, "since": since, "born": born}
                )
    return str(
        _("身份证号码的地区代码%(code)s未能核对(可能为早年或新设的行政区划),已接受,请留意。") % {"code": code}
    )


def validate_id_number(value: str) -> None:
    """Model/form validator form of :func:`check_id_number`: refuses only what GB 11643 refuses."""
    check_id_number(value)


def mask_id_number(value: str) -> str:
    """Show an ID number as its first 3 and last 4 characters, e.g. ``330***********123X``."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value) -> str:
    """Show a mainland mobile number as ``138****1234``."""
    if not value:
        return ""
    digits = str(getattr(value, "national_number", value))
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def bank_account_digits(value: str) -> str:
    """A bank card or account number as typed, without its spaces (and the hyphens some print)."""
    return "".join((value or "").split()).replace("-", "")


def validate_bank_account(value: str) -> None:
    """A mainland bank card or account number (收款账号): 12 to 19 digits once spaces are removed
    (debit cards are 16–19 digits under the UnionPay numbering, older passbook accounts shorter)."""
    digits = bank_account_digits(value)
    if not (digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19):
        raise ValidationError(_("收款账号应为12到19位数字。"), code="bank_account")


def mask_bank_account(value: str) -> str:
    """Show a bank account as its last 4 digits only, e.g. ``**** 1234``."""
    if not value:
        return ""
    return "**** " + value[-4:]


# --- mainland mobiles: one rule for the models, every form and the imports --------------------------------

# 11 digits, 1 then 3–9: every segment MIIT has opened for public mobile service (13x–19x; 14x data and
# IoT, 16x, 17x virtual operators, 19x since 2019). Deliberately not libphonenumber's per-segment metadata,
# which lags MIIT's allocations and differs between releases (9.0 refuses 149 and most of 174, numbers
# people use), so a number the forms took could be refused by a model's full_clean, or the reverse.
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_MOBILE_NOISE = re.compile(r"[\s\-—–.·()()]")


def mobile_digits(text) -> str:
    """What a person typed as a mainland mobile, reduced to its national digits: NFKC (full-width digits),
    without spaces, dashes, dots or brackets, and without a leading +86, 0086 or 86. The digits may still
    be no mobile: :func:`parse_mainland_mobile` decides."""
    compact = _MOBILE_NOISE.sub("", unicodedata.normalize("NFKC", str(text or "")))
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    if len(compact) == 13 and compact.startswith("86"):
        return compact[2:]
    return compact


def is_mainland_mobile(value) -> bool:
    """Whether ``value`` (text, or a PhoneNumber) is a mainland mobile by :data:`MOBILE_RE`."""
    if isinstance(value, phonenumbers.PhoneNumber):
        return value.country_code == 86 and bool(MOBILE_RE.fullmatch(str(value.national_number or "")))
    return bool(MOBILE_RE.fullmatch(mobile_digits(value)))


def parse_mainland_mobile(value) -> PhoneNumber:
    """A mainland mobile (手机号) as a ``PhoneNumber`` (``as_e164`` is ``+86`` and the 11 digits), from
    text as people type it ("138 0013 8000", "+86-138…", "0086…", full-width digits) or a PhoneNumber.
    The one rule (:data:`MOBILE_RE`) behind :func:`validate_mainland_mobile`, the forms' and models'
    mobile fields (``workshop.fields``) and the lists' import. Raises ValidationError (code "mobile")."""
    if isinstance(value, phonenumbers.PhoneNumber):
        if not is_mainland_mobile(value):
            raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")
        digits = str(value.national_number)
    else:
        digits = mobile_digits(value)
        if not MOBILE_RE.fullmatch(digits):
            raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")
    return PhoneNumber(country_code=86, national_number=int(digits), raw_input=f"+86{digits}")


def validate_mainland_mobile(value) -> None:
    """A mainland China mobile number (:func:`parse_mainland_mobile`'s rule): 11 digits starting with
    1[3-9], country code +86 allowed. Raises ValidationError (code "mobile")."""
    parse_mainland_mobile(value)


def clean_person_name(raw: str, *, field: str = "name", label: str | None = None) -> str:
    """A person's name as typed, with runs of spaces (a full-width one too) made one space and the ends
    trimmed. Refuses an empty name, one over 50 characters, and any control or invisible character (a
    tab, a line break, a zero-width space: they break exports and searches later). Raises
    ValidationError keyed by ``field``, naming it (``label``, 姓名 by default)."""
    label = label or _("姓名")
    text = " ".join((raw or "").split())
    if not text:
        raise ValidationError({field: _("请填写%(f)s。") % {"f": label}}, code="required")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn") for ch in text):
        raise ValidationError(
            {field: _("%(f)s里有看不见的控制字符(如换行、制表符),请删掉后重新输入。") % {"f": label}},
            code="control_character",
        )
    if len(text) > 50:
        raise ValidationError({field: _("%(f)s最多50个字。") % {"f": label}}, code="max_length")
    return text
