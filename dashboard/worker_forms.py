"""The form a head (or a community admin) fills to add a worker or change her record. It parses and bounds
the input; ``workshop.services.worker_add`` / ``worker_edit`` check it (one rule for phones, GB 11643 for ID
numbers, no control characters in a name) and say what is wrong, field by field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workshop.models import Employment, ProcessKind, WorkPlace
from workshop.services import JOIN_EARLIEST, WorkerDetails, worker_details_problems
from workshop.text import CheckedForm, SaneDateField
from workshop.validators import parse_mainland_mobile


class WorkerForm(CheckedForm):
    """Name, phone, ID number, employment, where she works, skills, hours, area, date joined; ``pin`` when
    adding (blank: a random one, shown once); ``low_income`` only for those who see it; ``clear_id``
    when editing (the ID box is blank on the edit page, since the page never shows the number whole:
    a blank box keeps it)."""

    name = forms.CharField(label=_("姓名"), max_length=200, strip=False)
    phone = forms.CharField(
        label=_("手机号"), max_length=30, widget=forms.TextInput({"inputmode": "tel", "autocomplete": "off"})
    )
    id_number = forms.CharField(
        label=_("身份证号(可不填)"),
        max_length=30,
        required=False,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    clear_id = forms.BooleanField(label=_("清除身份证号"), required=False)
    employment = forms.ChoiceField(
        label=_("用工类型"), choices=Employment.choices, initial=Employment.PART_TIME
    )
    work_place = forms.ChoiceField(
        label=_("做工地点"), choices=WorkPlace.choices, initial=WorkPlace.WORKSHOP, widget=forms.RadioSelect
    )
    skills = forms.MultipleChoiceField(
        label=_("会做的活"), choices=ProcessKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    hours_per_week = forms.IntegerField(label=_("每周可用工时(小时)"), min_value=1, max_value=84, initial=20)
    home_area = forms.CharField(label=_("居住片区"), max_length=100, required=False)
    joined_on = SaneDateField(
        label=_("加入日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "min": JOIN_EARLIEST.isoformat()}),
    )
    low_income = forms.BooleanField(label=_("低收入"), required=False)
    pin = forms.CharField(
        label=_("PIN(6位数字,不填则随机生成)"),
        max_length=6,
        required=False,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, data=None, *, adding: bool, sees_low_income: bool, id_on_file: str = "", **kwargs):
        super().__init__(data, **kwargs)
        if not sees_low_income:
            del self.fields["low_income"]
        if adding:
            del self.fields["clear_id"]
        else:
            del self.fields["pin"]
            if id_on_file:
                self.fields["id_number"].widget.attrs["placeholder"] = _("已登记 %(n)s,不改请留空") % {
                    "n": id_on_file
                }
            else:
                del self.fields["clear_id"]

    def clean_phone(self) -> str:
        """The phone as typed, refused here already when it is not a mainland mobile (the one rule,
        ``workshop.phones``), so a bad phone is named on the same page as a bad name; the service checks
        it again and refuses one already registered."""
        phone = self.cleaned_data["phone"]
        try:
            parse_mainland_mobile(phone)
        except ValidationError as exc:
            raise ValidationError(_("请输入11位中国大陆手机号码。")) from exc
        return phone

    def details(self) -> WorkerDetails:
        """The cleaned form as the services' input (call after ``is_valid``). After a failed ``is_valid``,
        the fields the form refused are stand-ins whose problems ``also_check`` drops."""
        d = self.cleaned_data
        adding = "pin" in self.fields
        id_number: str | None = (d.get("id_number") or "").strip()
        if not adding and not id_number:
            id_number = "" if d.get("clear_id") else None  # blank keeps the number on file
        return WorkerDetails(
            name=d.get("name", ""),
            phone=d.get("phone", ""),
            id_number=id_number,
            employment=d.get("employment", ""),
            work_place=d.get("work_place", ""),
            skills=tuple(d.get("skills") or ()),
            hours_per_week=d.get("hours_per_week", 20),
            home_area=d.get("home_area", ""),
            joined_on=d.get("joined_on"),
            low_income=d.get("low_income") if "low_income" in self.fields else None,
        )

    def also_check(self, *, actor, worker=None) -> None:
        """After a failed ``is_valid``: the service's own checks (``worker_details_problems``: a phone already
        registered, a join date out of range, a weak PIN) on the fields the form took, so one round names
        every problem. ``worker``: the one edited, None when adding."""
        pin = self.cleaned_data.get("pin") or None  # blank: a random one is made
        problems = worker_details_problems(actor=actor, details=self.details(), worker=worker, pin=pin)
        for field, messages in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)

    def take_errors(self, exc) -> None:
        """Put a service's ValidationError on the fields it names (the rest on the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, getattr(exc, "messages", None) or [str(exc)])

    def error_lines(self) -> list[str]:
        """Every error as ``label: message``, for the summary at the top of the form."""
        lines = [str(e) for e in self.non_field_errors()]
        for name, errors in self.errors.items():
            if name in self.fields:
                label = str(self.fields[name].label).split("(")[0]
                said = [
                    e if e.startswith(label) else _("%(label)s:%(error)s") % {"label": label, "error": e}
                    for e in map(str, errors)
                ]
                lines += said
        return lines
