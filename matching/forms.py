"""Forms of the list pages. They parse and bound the input; the services decide what is allowed.

The wish form uses the same validators as the public form at ``/m/join/`` (a mainland mobile parsed as a
phone number, then ``validate_mainland_mobile``); the services run the models' ``full_clean``.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dispatch.fields import PiecesField, number_messages
from workshop.fields import MobileNumberFormField
from workshop.models import Employment, ProcessKind, WorkPlace
from workshop.text import CheckedForm, CheckedModelForm, joined

from .models import DEMAND_FIELDS, DemandEntry, ImportKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DemandForm(CheckedModelForm):
    """A firm's need. ``workshop`` and ``firm`` are offered only on a new entry, limited to the user's
    scope (a firm's own staff never choose the firm)."""

    workshop = forms.ModelChoiceField(label=_("工坊"), queryset=None)
    firm = forms.ModelChoiceField(label=_("企业"), queryset=None)

    class Meta:
        model = DemandEntry
        fields = ["workshop", "firm", *DEMAND_FIELDS]
        widgets = {"starts_on": DATE, "ends_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "pieces_per_week": number_messages(_("每周件数请填整数,如 5000。")),
            "hours_per_week": number_messages(_("每周工时请填整数小时,如 20。")),
            "people_needed": number_messages(_("需要人数请填整数,如 6。")),
        }

    def __init__(self, *args, workshops=None, firms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["workshop"], self.fields["firm"]
        else:
            self.fields["workshop"].queryset = workshops
            self.fields["firm"].queryset = firms
            if firms is not None and len(firms) == 1:
                self.fields["firm"].initial = firms[0].pk
                self.fields["firm"].widget = forms.HiddenInput()
            if not self.initial.get("starts_on"):
                self.initial["starts_on"] = timezone.localdate()

    def _post_clean(self):
        # The service runs full_clean with the firm and workshop set; here only the fields are parsed.
        pass

    def demand_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("workshop", None)
        data.pop("firm", None)
        return data


class StatusForm(CheckedForm):
    """A status move with a note (the history says who, when and why)."""

    to = forms.ChoiceField(label=_("改为"), choices=())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = list(choices)


class WishStatusForm(StatusForm):
    """A wish's follow-up outcome, optionally naming the demand it was matched with."""

    demand = forms.ModelChoiceField(label=_("对接的企业需求"), queryset=None, required=False)

    def __init__(self, *args, demands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = demands


class EnrolForm(CheckedForm):
    """Enrol a resident as a worker (入坊)."""

    workshop = forms.ModelChoiceField(label=_("入哪个工坊"), queryset=None)
    employment = forms.ChoiceField(
        label=_("用工类型"), choices=Employment.choices, initial=Employment.PART_TIME
    )
    demand = forms.ModelChoiceField(label=_("对接的企业需求"), queryset=None, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, workshops=None, demands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops
        self.fields["demand"].queryset = demands


class WishEntryForm(CheckedForm):
    """A resident's wish entered by community staff (e.g. after a home visit)."""

    workshop = forms.ModelChoiceField(label=_("工坊"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = MobileNumberFormField(
        label=_("手机号"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
        error_messages={"invalid": _("请填写正确的手机号。")},
    )
    skills = forms.MultipleChoiceField(
        label=_("会做的活"), choices=ProcessKind.choices, widget=forms.CheckboxSelectMultiple
    )
    hours_per_week = PiecesField(
        label=_("每周能做(小时)"), min_value=1, max_value=84, words=_("每周小时数请填 1 到 84 的整数,如 20。")
    )
    work_place = forms.ChoiceField(label=_("做工地点"), choices=WorkPlace.choices, widget=forms.RadioSelect)
    area = forms.CharField(label=_("居住片区"), max_length=100)
    low_income = forms.BooleanField(label=_("低收入(本人申报)"), required=False)
    consent = forms.BooleanField(label=_("居民本人已同意社区使用低收入信息"), required=False)

    def __init__(self, *args, workshops=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops

    def clean(self):
        data = super().clean()
        if data.get("low_income") and not data.get("consent"):
            self.add_error("consent", _("申报低收入需要居民本人同意。"))
        return data


class ImportForm(CheckedForm):
    kind = forms.ChoiceField(
        label=_("导入哪个清单"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.WISHES,
    )
    workshop = forms.ModelChoiceField(label=_("工坊"), queryset=None)
    file = forms.FileField(label=_("表格文件(.xlsx 或 .csv)"))
    attest = forms.BooleanField(
        label=_("表中标为低收入的居民,均已书面同意社区使用这一信息(没有“本人同意”列时勾选)"), required=False
    )

    def __init__(self, *args, workshops=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops


class ColumnsForm(CheckedForm):
    """The mapping page: which field each column of the header row is (one select per column, "不导入"
    for a column to leave out), the guess preselected. ``columns()`` gives field → column index."""

    def __init__(self, *args, headers=(), labels=None, initial_columns=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels or {}
        chosen = {i: name for name, i in (initial_columns or {}).items()}
        choices = [("", _("不导入"))] + [(name, label) for name, label in labels.items()]
        self.headers = list(headers)
        self.labels = labels
        for i, header in enumerate(self.headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header or _("(无表头)"), choices=choices, required=False, initial=chosen.get(i, "")
            )

    def clean(self):
        data = super().clean()
        used: dict[str, list[int]] = {}
        for i in range(len(self.headers)):
            name = data.get(f"col_{i}")
            if name:
                used.setdefault(name, []).append(i)
        for name, cols in used.items():
            if len(cols) > 1:
                raise forms.ValidationError(
                    _("“%(f)s”选了%(n)d列(%(h)s),一个字段只能对应一列。")
                    % {
                        "f": self.labels[name],
                        "n": len(cols),
                        "h": joined(self.headers[i] or "—" for i in cols),
                    }
                )
        self._columns = {name: cols[0] for name, cols in used.items()}
        return data

    def columns(self) -> dict[str, int]:
        return dict(self._columns)

    def selects(self):
        """The bound select of each column, in sheet order."""
        return [self[f"col_{i}"] for i in range(len(self.headers))]


class NewSkillForm(CheckedForm):
    """A word of an uploaded sheet added as the community's new skill, under a process kind."""

    name = forms.CharField(label=_("技能"), max_length=20)
    process_kind = forms.ChoiceField(label=_("属于哪类工序"), choices=ProcessKind.choices)
