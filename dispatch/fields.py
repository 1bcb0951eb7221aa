"""Number fields for the staff's forms (dashboard, the lists), refusing in words a clerk understands.

Django's own messages speak of values and digits ("确保该值大于或等于0.0001。", "确保小数点后不超过 4 位。",
"输入整数。"); a firm's clerk or a workshop head reads instead what to type and an example: "单价要大于 0
元,最多四位小数,如 0.12。". Each field takes one sentence, ``words``, said for every way the number can be
wrong (not a number, too small, too large, too many places); ``required`` keeps its own.

- ``YuanField``: yuan as people write them, "0.12", "0.12元", "0.12元/件", "¥0.12", full-width digits
  (read by ``pay.money.yuan_typed``; "1e3" is refused), in a text box that opens the phone's number pad.
- ``PiecesField``: a whole number of pieces (or hours, people), in a number box.
- ``number_messages``: the same words for a model form's number fields (``Meta.error_messages``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pay import money

# Every code Django's number fields and their validators raise with, besides "required".
NUMBER_CODES = (
    "invalid",
    "min_value",
    "max_value",
    "step_size",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
)


def number_messages(words, required=None, given=None) -> dict:
    """``error_messages`` for a number field (a model form's too) that say ``words`` for every way the
    number can be wrong, ``required`` when it is missing (None: Django's), then ``given`` as they are."""
    messages = {code: words for code in NUMBER_CODES}
    if required is not None:
        messages["required"] = required
    messages.update(given or {})
    return messages


def _said_once(run, value) -> None:
    """Run the validators; one sentence is said once, even when two of them refuse (too small and too
    many places)."""
    try:
        run(value)
    except ValidationError as exc:
        first = exc.error_list[0]
        raise ValidationError(first.message, code=first.code, params=first.params) from None


class InWords:
    """A number field (mixed in before Django's) that says ``words`` for every way the number can be
    wrong (``number_messages``), once even when two validators refuse it."""

    def __init__(self, *, words, required_words=None, **kwargs):
        kwargs["error_messages"] = number_messages(words, required_words, kwargs.get("error_messages"))
        super().__init__(**kwargs)

    def run_validators(self, value):
        _said_once(super().run_validators, value)


class YuanField(InWords, forms.DecimalField):
    """Yuan (a ``Decimal``) as a person types it; ``words`` for every way it can be wrong.

    Units and currency around the number are read ("0.12元/件" is 0.12); trailing zeros beyond
    ``decimal_places`` are dropped ("0.120000" is 0.12), other extra places are refused in ``words``.
    """

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        for unit in ("/件", "/小时", "每件", "每小时"):
            text = text.removesuffix(unit).strip()
        number = money.yuan_typed(text)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if self.decimal_places is not None:
            step = Decimal(1).scaleb(-self.decimal_places)
            try:
                if number == number.quantize(step):
                    number = number.quantize(step)
            except InvalidOperation:  # more digits than the decimal context holds: no amount of yuan
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return number

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput):
            attrs.setdefault("inputmode", "decimal")
            attrs.setdefault("autocomplete", "off")
        return attrs


class PiecesField(InWords, forms.IntegerField):
    """A whole number (pieces, hours, people); ``words`` for every way it can be wrong. Without a
    ``max_value`` of its own it is at most ``DEFAULT_MAX``: far above any count of pieces, hours or people,
    and within every integer column (a trial's twenty nines overflowed one: an error page, not words); a
    number above it is refused as too large (``TOO_LARGE``). A minus sign is refused, "-0" too."""

    DEFAULT_MAX = 10_000_000
    # Said for a number above ``DEFAULT_MAX``: the field's own ``words`` ("0 或正整数") would not say why.
    TOO_LARGE = _("件数太大了,请看一下是不是多按了几个数字。")

    def __init__(self, *, words, required_words=None, **kwargs):
        if "max_value" not in kwargs:
            kwargs["max_value"] = self.DEFAULT_MAX
            kwargs["error_messages"] = {"max_value": self.TOO_LARGE, **kwargs.get("error_messages", {})}
        super().__init__(words=words, required_words=required_words, **kwargs)

    def to_python(self, value):
        # int() reads "-0" as 0, which on a correction cancels a report: a count never has a minus sign.
        if isinstance(value, str) and value.strip().startswith("-"):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
