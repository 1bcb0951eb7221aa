"""The mainland mobile as a model field and a form field, both held to the one rule of
``workshop.validators.parse_mainland_mobile`` (not libphonenumber's per-segment validity).

``MobileNumberField`` stores E.164 (``+8614912345678``) for every number the rule accepts, where the
library's own field would store what was typed for a number its metadata does not know; its form field is
``MobileNumberFormField``, which the forms that ask for a phone use too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field import formfields, modelfields
from phonenumber_field.phonenumber import PhoneNumber, to_python

from .validators import is_mainland_mobile, parse_mainland_mobile, validate_mainland_mobile


class MobileNumberFormField(formfields.PhoneNumberField):
    """A form's mainland mobile: text as people type it → a PhoneNumber, or "请输入11位中国大陆手机号码。"."""

    default_validators: list = []  # to_python holds the rule; the library's per-segment check is left out
    default_error_messages = {"invalid": _("请输入11位中国大陆手机号码。")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("region", "CN")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        try:
            return parse_mainland_mobile(value)
        except ValidationError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class MobileNumberField(modelfields.PhoneNumberField):
    """A model's mainland mobile, validated by ``validate_mainland_mobile`` alone, stored as E.164."""

    default_validators = [validate_mainland_mobile]

    def to_python(self, value):
        if isinstance(value, str) and is_mainland_mobile(value):
            return parse_mainland_mobile(value)
        return super().to_python(value)

    def get_prep_value(self, value):
        value = to_python(value, region=self.region) if isinstance(value, str) else value
        if isinstance(value, PhoneNumber) and is_mainland_mobile(value):
            return parse_mainland_mobile(value).as_e164
        return super().get_prep_value(value)

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", MobileNumberFormField)
        return super().formfield(**kwargs)
