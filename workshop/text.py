"""Hostile-input rules for text people type: names, addresses, free text, PINs and dates.

``clean_text(value, field=...)`` → the text NFKC-normalised and stripped, or ``ValidationError`` naming
the field (never echoing the refused characters, so neither the page nor a log carries them).
Refused: control and format characters (Unicode categories Cc and Cf, which include the bidi marks and
overrides U+200E/F, U+202A–202E, U+2066–2069 and the zero-width characters U+200B–200D, U+2060, U+FEFF),
and any other whitespace than the ordinary space (tabs and newlines only where ``multiline`` allows them).

``clean_pin(value, length=6)`` → the PIN as ASCII digits. The one stated normalisation: only ASCII digits
0–9 and full-width digits ０–９ (U+FF10–FF19, what a Chinese input method types) are accepted, and NFKC
turns the full-width ones into ASCII; anything else (superscripts ¹²³, Arabic-Indic ٣, circled ①, ...)
is refused *before* normalising, although NFKC would map some of them to digits too.

``sane_date(value)`` → the date, or ``ValidationError`` unless it lies in 1900-01-01 … 2100-12-31, so a
page that adds days to a filter date never overflows (``date.max + timedelta`` raises OverflowError).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

_FULL_WIDTH_DIGITS = frozenset(chr(c) for c in range(0xFF10, 0xFF1A))
_ASCII_DIGITS = frozenset("0123456789")
# Bidi and zero-width characters: all category Cf already, listed so the rule is readable and holds even
# if a future Unicode version moves one.
_INVISIBLE = frozenset(
    [chr(c) for c in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def list_separator() -> str:
    """What goes between the items of a list in the reader's language: ``、`` in Chinese, ``, `` in
    English (the template tags use the same msgid, ``{% translate "、" context "list separator" %}``)."""
    return pgettext("list separator", "、")


def joined(items) -> str:
    """``items`` as text joined by :func:`list_separator`: ``甲、乙`` / ``A, B``."""
    return list_separator().join(str(item) for item in items)


def bad_character(value: str, *, multiline: bool = False) -> bool:
    """True when ``value`` holds a control, format, bidi or zero-width character (or, unless
    ``multiline``, a line break or tab)."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for ch in value:
        if ch in allowed:
            continue
        if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return True
    return False


# A text answer longer than its field allows, in our words: said by ``clean_text`` (after normalising) and,
# with the field's name filled in, by Django's own length check before it (``CheckedTextMixin``).
TOO_LONG = _("%(field)s最多 %(limit_value)d 个字(现在 %(show_value)d 个)。")
# A blank answer or a choice not offered, in our words, where a field still has Django's stock message
# ("这个字段是必填项" / "选择一个有效的选项", found in a trial on the staff forms).
MISSING = _("请填写%(field)s。")
NOT_PICKED = _("请选%(field)s。")
NOT_OFFERED = _("%(field)s请从列表里选。")
AT_MOST = _("%(field)s最多 %(limit_value)s。")
AT_LEAST = _("%(field)s最少 %(limit_value)s。")
NOT_A_WHOLE_NUMBER = _("%(field)s要填整数。")
NOT_A_DATE = _("%(field)s请按 2026-03-01 这样填日期。")


def clean_text(value, *, field: str = "", multiline: bool = False, max_length: int | None = None) -> str:
    """NFKC-normalise and strip ``value``; refuse control/bidi/zero-width characters and text longer
    than ``max_length`` (characters, after normalising) with a Chinese message naming ``field``."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    name = field or _("此项")
    if bad_character(text, multiline=multiline):
        raise ValidationError(
            _("%(field)s含有特殊字符(控制字符、换行、从右到左标记或零宽字符),请删去后重填。"),
            code="bad_characters",
            params={"field": name},
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            TOO_LONG,
            code="max_length",
            params={"field": name, "limit_value": max_length, "show_value": len(text)},
        )
    return text


def clean_pin(value, *, length: int = 6) -> str:
    """ASCII digits or full-width digits only (refused before normalising otherwise), then NFKC to ASCII;
    the result must be exactly ``length`` digits. Raises ValidationError (code ``pin_format``)."""
    raw = str(value or "").strip()
    if not raw or any(ch not in _ASCII_DIGITS and ch not in _FULL_WIDTH_DIGITS for ch in raw):
        raise ValidationError(_("PIN 必须是%(n)d位数字。") % {"n": length}, code="pin_format")
    pin = unicodedata.normalize("NFKC", raw)
    if len(pin) != length:
        raise ValidationError(_("PIN 必须是%(n)d位数字。") % {"n": length}, code="pin_format")
    return pin


def sane_date(value: dt.date | None, *, field: str = "") -> dt.date | None:
    """``value`` unchanged when it is None or within EARLIEST_DATE … LATEST_DATE, else ValidationError."""
    if value is None or EARLIEST_DATE <= value <= LATEST_DATE:
        return value
    raise ValidationError(
        _("%(field)s应在%(lo)s至%(hi)s之间。"),
        code="date_range",
        params={"field": field or _("日期"), "lo": EARLIEST_DATE.isoformat(), "hi": LATEST_DATE.isoformat()},
    )


# Form fields whose text is a secret or a key, not words: never NFKC'd or refused here.
_NOT_TEXT = frozenset({"pin", "password", "password1", "password2", "key", "token", "csrfmiddlewaretoken"})


def _is_text(name: str, field) -> bool:
    from django import forms

    return (
        isinstance(field, forms.CharField)
        and name not in _NOT_TEXT
        and not isinstance(field.widget, forms.PasswordInput)
    )


def _stock(field, code: str) -> bool:
    """Whether ``field`` says Django's own message for ``code`` (none of its form's words)."""
    if code not in field.error_messages:
        return False
    for cls in type(field).__mro__:
        stock = getattr(cls, "default_error_messages", {}).get(code)
        if stock is not None:
            return str(field.error_messages[code]) == str(stock)
    return False


class CheckedTextMixin:
    """A form mixin: every text answer (a ``CharField`` that is not a password, PIN or key) goes through
    :func:`clean_text` after the form's own cleaning, with its label as the field's name, line breaks
    allowed only in a ``Textarea``, and the field's ``max_length`` (the model column's, for a ModelForm)
    checked again after normalising. Where a field still has Django's own words, they are ours, naming
    the field: text too long (a PIN's too) ``TOO_LONG``, a blank required answer ``MISSING``
    (``NOT_PICKED`` for a choice), a choice not offered ``NOT_OFFERED``, a number out of bounds
    ``AT_MOST`` / ``AT_LEAST``, a number or date that is none ``NOT_A_WHOLE_NUMBER`` / ``NOT_A_DATE``.
    Errors land on the field; nothing is written when any is refused."""

    def full_clean(self):
        from django import forms

        for name, field in self.fields.items():  # here, not in __init__: a subclass may add fields there
            label = str(field.label or name)
            escaped = label.replace("%", "%%")  # a message said with params is %-formatted after
            if isinstance(field, forms.CharField) and field.max_length is not None:  # a PIN's too
                field.error_messages.setdefault("max_length", str(TOO_LONG).replace("%(field)s", escaped))
            for code, words in (("max_value", AT_MOST), ("min_value", AT_LEAST)):
                # A bound's message comes from its validator unless the field names one for its code.
                if getattr(field, code, None) is not None and code not in field.error_messages:
                    field.error_messages[code] = str(words).replace("%(field)s", escaped)
            whole = isinstance(field, forms.IntegerField) and not isinstance(
                field, forms.FloatField | forms.DecimalField
            )
            if _stock(field, "invalid") and (whole or isinstance(field, forms.DateField)):
                words = NOT_A_DATE if isinstance(field, forms.DateField) else NOT_A_WHOLE_NUMBER
                field.error_messages["invalid"] = str(words) % {"field": label}
            choice = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            if _stock(field, "required"):  # said without params: the label as it is
                field.error_messages["required"] = str(NOT_PICKED if choice else MISSING) % {"field": label}
            if _stock(field, "invalid_choice"):  # said with the value as a param: % escaped
                words = str(NOT_OFFERED).replace("%(field)s", label.replace("%", "%%"))
                field.error_messages["invalid_choice"] = words
        super().full_clean()

    def _post_clean(self):
        from django import forms

        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if not isinstance(value, str) or not _is_text(name, field):
                continue
            try:
                self.cleaned_data[name] = clean_text(
                    value,
                    field=str(field.label or name),
                    multiline=isinstance(field.widget, forms.Textarea),
                    max_length=field.max_length,
                )
            except ValidationError as exc:
                self.add_error(name, exc)
        super()._post_clean()


def _checked_forms():
    from django import forms

    class CheckedForm(CheckedTextMixin, forms.Form):
        """``forms.Form`` with :class:`CheckedTextMixin`."""

    class CheckedModelForm(CheckedTextMixin, forms.ModelForm):
        """``forms.ModelForm`` with :class:`CheckedTextMixin`."""

    return CheckedForm, CheckedModelForm


def hidden_key_field(words):
    """The hidden idempotency key a page is rendered with (its double-submit guard): up to 64 characters,
    missing or too long only on a page tampered with or cut short, so refused in ``words`` (what to do,
    never "key may have at most 64 characters", a trial)."""
    from django import forms

    return forms.CharField(
        max_length=64, widget=forms.HiddenInput, error_messages={"required": words, "max_length": words}
    )


def _sane_date_field():
    from django import forms

    class SaneDateField(forms.DateField):
        """A form date held to EARLIEST_DATE … LATEST_DATE (:func:`sane_date`), so a filter or an answer
        near the calendar's end is a form error, never an OverflowError further on."""

        def validate(self, value):
            super().validate(value)
            sane_date(value, field=str(self.label or ""))

    return SaneDateField


SaneDateField = _sane_date_field()
CheckedForm, CheckedModelForm = _checked_forms()
