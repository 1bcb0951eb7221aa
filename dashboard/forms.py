"""Forms for the dashboard's pages. They parse and bound the input; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dispatch import selectors as flow_selectors
from dispatch.fields import PiecesField, YuanField
from dispatch.models import JOB_STAGES, JobState
from dispatch.services.inspections import NOTES_MAX
from dispatch.services.jobs import MAX_JOB_PIECES, max_piece_rate, rate_too_high
from workshop.models import Employment, ProcessKind, WageTier
from workshop.roles import Scope
from workshop.text import CheckedForm, SaneDateField
from workshop.uploads import BoundedImageField

from . import selectors
from .models import ExportKind
from .pay_forms import KeyedForm


def year_start(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()).replace(month=1, day=1)


class _LabelsIterator(forms.models.ModelChoiceIterator):
    """The choices from ``field.labels`` ((id, label) pairs) when set, else from the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.labels:
            for pk, label in self.field.labels:
                yield (forms.models.ModelChoiceIteratorValue(pk, None), label)
            return
        # One plain read of the few workshops: the base class streams them through a server-side cursor
        # (DECLARE … WITH HOLD, FETCH, CLOSE on PostgreSQL), three round trips for a firm's dozen.
        for workshop in self.queryset.only("pk", "community", "name"):
            yield self.choice(workshop)

    def __len__(self):
        if not self.field.labels:
            return super().__len__()
        return len(self.field.labels) + (self.field.empty_label is not None)

    def __bool__(self):
        return bool(self.field.labels) or super().__bool__()


class ScopeWorkshopField(forms.ModelChoiceField):
    """A filter's workshop: the choices are the scope's workshops. For a head or a community admin they
    are drawn from the labels their role lookup read with the ids (``Scope.workshop_labels``), so every
    dashboard page with a filter draws it without a query of its own; other roles (firm staff, a
    superuser) read ``queryset``. A chosen workshop is still checked against ``queryset`` (one query, only
    when one is chosen), and ``cleaned_data`` holds the ``Workshop`` as before."""

    iterator = _LabelsIterator

    def __init__(self, *args, **kwargs):
        self.labels: tuple[tuple[int, str], ...] = ()
        super().__init__(*args, **kwargs)

    def scope_to(self, scope: Scope) -> None:
        self.queryset = selectors.workshops_for(scope)
        self.labels = scope.workshop_labels

    @property
    def has_choice(self) -> bool:
        """More than one workshop to choose from (a page hides the filter otherwise); a query only for a
        role without labels."""
        return len(self.labels) > 1 if self.labels else self.queryset.count() > 1


class PeriodForm(CheckedForm):
    """The date range (default: this year to today) and workshop filter shared by the dashboard's pages.

    ``clean`` holds the range to days that have been: an end after today is read as today and ``notes``
    says so (the page shows it beside the filter); a start after the end or after today, or a range over
    10 years, is refused, and the page shows why and the default range (``period``)."""

    start = SaneDateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = SaneDateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    ws = ScopeWorkshopField(label=_("工坊"), queryset=None, required=False, empty_label=_("全部工坊"))

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["ws"].scope_to(scope)
        # An unfiltered page shows the default range in the date boxes.
        today = timezone.localdate()
        self.fields["start"].initial = year_start(today)
        self.fields["end"].initial = today
        # What clean changed in the range as typed, in the user's language, for the page to say.
        self.notes: list[str] = []

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        # No start: the first of January of the end's year (this year when the end is today or later).
        start = data.get("start") or year_start(min(end, today))
        # An end typed before the start is the reason first; a start after today with no end typed (the
        # end is then today) is refused as a start after today, not as an end before it.
        if data.get("end") and end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        if start > today:
            raise forms.ValidationError(_("开始日期不能晚于今天。"))
        # Days to come have no pay or pieces yet: counting them would shrink every yearly figure.
        capped = min(end, today)
        if (capped - start).days > 3660:
            raise forms.ValidationError(_("日期范围不能超过10年。"))
        if capped < end:
            self.notes.append(_("结束日期晚于今天,已按今天计算。"))
        data["start"], data["end"] = start, capped
        return data

    def range_is_bad(self) -> bool:
        """Whether the dates were refused (a bad date, or a range ``clean`` refused): the page then uses
        the default range. Another bad condition (an unknown state, the workshop of another scope) does
        not touch the range: it is left out alone (``usable``)."""
        self.is_valid()
        return bool(self.non_field_errors() or self.has_error("start") or self.has_error("end"))

    def usable(self) -> dict:
        """The conditions that validated (``cleaned_data`` keeps each field that did), as the page applies
        them; an unbound form (no query string) has none. The bad ones are named on the page."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if not self.has_error(k)}

    @property
    def left_out(self) -> bool:
        """Whether a condition other than the dates was refused and left out (the page says the others
        still apply)."""
        self.is_valid()
        return any(self.has_error(name) for name in self.fields if name not in ("start", "end"))

    def period(self) -> selectors.Period:
        """The cleaned period (with the workshop, when that validated), or the default range when the
        dates were refused."""
        today = timezone.localdate()
        d = self.usable()
        ws = d["ws"].pk if d.get("ws") else None
        if not self.is_bound or self.range_is_bad():
            return selectors.Period(year_start(today), today, ws)
        return selectors.Period(d["start"], d["end"], ws)


class JobFilterForm(PeriodForm):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *JobState.choices]
    )
    # The funnel's stages: the jobs that got at least this far (``Job.reached``), whatever their state now.
    reached = forms.ChoiceField(
        label=_("到过的阶段"),
        required=False,
        choices=[("", _("全部")), *((s, JobState(s).label) for s in JOB_STAGES)],
    )
    sent = forms.ChoiceField(
        label=_("送检"),
        required=False,
        choices=[("", _("全部")), ("on_time", _("按时送检")), ("late", _("逾期送检"))],
    )
    q = forms.CharField(label=_("品名"), required=False, max_length=100)
    auto = forms.BooleanField(label=_("只看自动接单"), required=False)


class RosterFilterForm(CheckedForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、手机尾号或拼音首字母"), "type": "search"}),
    )
    employment = forms.ChoiceField(
        label=_("用工类型"), required=False, choices=[("", _("全部")), *Employment.choices]
    )
    skill = forms.ChoiceField(
        label=_("技能"), required=False, choices=[("", _("全部")), *ProcessKind.choices]
    )
    active = forms.ChoiceField(
        label=_("在岗"), required=False, choices=[("", _("全部")), ("1", _("在岗")), ("0", _("已停用"))]
    )
    low_income = forms.ChoiceField(
        label=_("低收入"), required=False, choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))]
    )
    workshop = ScopeWorkshopField(label=_("工坊"), queryset=None, required=False, empty_label=_("全部工坊"))

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["workshop"].scope_to(scope)
        if not scope.sees_low_income:
            # Heads never see, filter or infer the low-income status.
            del self.fields["low_income"]


class PayFilterForm(PeriodForm):
    employment = forms.ChoiceField(
        label=_("用工类型"), required=False, choices=[("", _("全部")), *Employment.choices]
    )
    low_income = forms.ChoiceField(
        label=_("低收入"), required=False, choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))]
    )

    def __init__(self, data, *, scope: Scope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        if not scope.sees_low_income:
            del self.fields["low_income"]
        if not scope.manages_workers:
            del self.fields["employment"]


def _photo_hint() -> str:
    """The photo's size limit in the reader's language (filled when shown: ``%`` on a lazy string at
    import fixed it in Chinese for every reader)."""
    return gettext("JPG 或 PNG,不超过 %(mb)d MB。") % {"mb": settings.NUANXIN_PHOTO_MAX_MB}


class JobIssueForm(CheckedForm):
    """A firm's new job (企业分发) with an optional sample photo; choices are the firm's paired ones."""

    workshop = forms.ModelChoiceField(label=_("工坊"), queryset=None)
    line = forms.ModelChoiceField(label=_("生产线"), queryset=None)
    title = forms.CharField(label=_("品名/工序"), max_length=200)
    process_kind = forms.ChoiceField(
        label=_("工序类别"),
        required=False,
        choices=[("", _("按生产线")), *ProcessKind.choices],
    )
    quantity = PiecesField(
        label=_("数量(件)"),
        min_value=1,
        max_value=MAX_JOB_PIECES,
        words=_("数量请填整数件数,1 到 100 万件,如 3000。"),
    )
    piece_rate = YuanField(
        label=_("计件单价(元/件)"),
        max_digits=10,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=max_piece_rate(),
        words=_("单价要大于 0 元,最多四位小数,如 0.12。"),
        required_words=_("请填计件单价(元/件),如 0.12。"),
        # Too large is said as such (a trial: 99999999999999 was told "more than 0").
        error_messages={
            code: lazy(rate_too_high, str)() for code in ("max_value", "max_digits", "max_whole_digits")
        },
    )
    due_on = SaneDateField(
        label=_("交货日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    bundle_size = PiecesField(
        label=_("每扎件数"),
        min_value=1,
        max_value=10_000,
        words=_("每扎件数请填 1 到 10000 的整数,如 50。"),
        initial=50,
        required=False,
        help_text=_("坊长按每扎这么多件打印扎票(菲票),最后一扎是余数。不填按 50 件。"),
    )
    # Shown on every worker's phone with the job: a page or two, not a book (a trial pasted 100,000
    # characters).
    instructions = forms.CharField(
        label=_("加工要求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = BoundedImageField(
        label=_("样品照片"),
        required=False,
        help_text=lazy(_photo_hint, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = flow_selectors.workshops_for_issue(user)
        self.fields["line"].queryset = flow_selectors.lines_for_issue(user)
        self.fields["line"].label_from_instance = lambda line: (
            f"{line.name}({line.get_process_kind_display()})"
        )
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_bundle_size(self):
        return self.cleaned_data.get("bundle_size") or 50

    def clean_due_on(self):
        """A past due date is named beside its field with the other problems, in the first round (the
        service refuses it too, but only once the rest of the form was right: a trial met it second)."""
        due_on = self.cleaned_data.get("due_on")
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError(_("交货日期不能早于今天。"))
        return due_on

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.NUANXIN_PHOTO_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("照片不能超过 %(mb)d MB。") % {"mb": settings.NUANXIN_PHOTO_MAX_MB})
        return photo


# Pieces on the inspection forms: zero or more.
PIECES_WORDS = _("件数请填 0 或正整数,如 12。")


class ReasonForm(CheckedForm):
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


REASON_NEEDED = _("有不合格的件,请写明原因(坊工会看到,不合格的件不计工资)。")


def _reason_for_rejects(form: forms.Form, data: dict) -> None:
    """Rejected pieces need the firm's reason: the worker is not paid for them and reads why (a trial
    rejected five pieces with the reason left blank)."""
    if (
        (data.get("rejected") or 0) > 0
        and not (data.get("reason") or "").strip()
        and "reason" not in form.errors
    ):
        form.add_error("reason", REASON_NEEDED)


class InspectionRowForm(CheckedForm):
    """One assignment's verdict, prefixed ``a<assignment id>``."""

    passed = PiecesField(label=_("合格"), min_value=0, words=PIECES_WORDS)
    rejected = PiecesField(label=_("不合格"), min_value=0, initial=0, words=PIECES_WORDS)
    rework = PiecesField(label=_("返工"), min_value=0, initial=0, words=PIECES_WORDS)
    reason = forms.CharField(label=_("不合格原因"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        _reason_for_rejects(self, data)
        return data


class LotInspectionForm(CheckedForm):
    """A verdict on the whole delivered lot (按批验收): rejected and rework pieces of the lot."""

    rejected = PiecesField(label=_("不合格件数"), min_value=0, initial=0, words=PIECES_WORDS)
    rework = PiecesField(label=_("其中返工件数"), min_value=0, initial=0, words=PIECES_WORDS)
    reason = forms.CharField(label=_("不合格原因"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("备注"), max_length=NOTES_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("rework", 0) > data.get("rejected", 0):
            raise forms.ValidationError(_("返工件数不能多于不合格件数。"))
        _reason_for_rejects(self, data)
        return data


class BundleVerdictForm(CheckedForm):
    """One bundle's verdict (按扎验收): passed, rejected and, of the rejected, rework pieces."""

    passed = PiecesField(label=_("合格"), min_value=0, words=PIECES_WORDS)
    rejected = PiecesField(label=_("不合格"), min_value=0, initial=0, required=False, words=PIECES_WORDS)
    rework = PiecesField(label=_("其中返工"), min_value=0, initial=0, required=False, words=PIECES_WORDS)
    reason = forms.CharField(label=_("不合格原因"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        for name in ("rejected", "rework"):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0  # left empty: none
        _reason_for_rejects(self, data)
        return data


class PinForm(CheckedForm):
    pin = forms.CharField(
        label=_("新 PIN(6位数字)"),
        required=False,
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}", "autocomplete": "off"}),
    )
    generate = forms.BooleanField(required=False)


class ExportForm(CheckedForm):
    kind = forms.ChoiceField(label=_("导出内容"), choices=ExportKind.choices)
    start = SaneDateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = SaneDateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    ws = ScopeWorkshopField(label=_("工坊"), queryset=None, required=False, empty_label=_("全部工坊"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ws"].scope_to(scope)
        if scope.is_firm:
            self.fields["kind"].choices = [
                (k, _("对账单(加工费明细)") if k == ExportKind.PAY_LINES else label)
                for k, label in ExportKind.choices
            ]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("start") or year_start(today), data.get("end") or today
        if end < start:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        data["start"], data["end"] = start, end
        return data


HOURLY_WORDS = _("按元/小时填写:大于 0、不超过 200 元,最多两位小数,如 22.50。")


class MinWageForm(CheckedForm):
    """A new part-time minimum hourly wage setting (yuan/hour for the three tiers, the tier of this place,
    and the date it is in force from)."""

    tier = forms.TypedChoiceField(label=_("本地所属档次"), choices=WageTier.choices, coerce=int)
    tier1_hourly = YuanField(
        label=_("第一档(元/小时)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("200"),
        words=HOURLY_WORDS,
    )
    tier2_hourly = YuanField(
        label=_("第二档(元/小时)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("200"),
        words=HOURLY_WORDS,
    )
    tier3_hourly = YuanField(
        label=_("第三档(元/小时)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("200"),
        words=HOURLY_WORDS,
    )
    effective_from = SaneDateField(
        label=_("执行日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    source = forms.CharField(label=_("依据(文件名称或文号)"), max_length=200, required=False)


class StatementPrepareForm(CheckedForm):
    """The head prepares a month's statement (出对账单): one of the pairings of the workshops they head, a
    month typed as ``YYYY-MM`` (default: last month), and a reason when the month has one already (then
    it is a corrected version)."""

    pairing = forms.ModelChoiceField(label=_("企业 · 工坊"), queryset=None)
    month = forms.CharField(
        label=_("月份"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-06"}),
    )
    reason = forms.CharField(label=_("更正原因(已有对账单时填)"), max_length=300, required=False)

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        headed = [ws for ws in scope.workshop_ids if scope.heads(ws)]
        pairings = selectors.pairings_for(scope).filter(workshop_id__in=headed)
        self.fields["pairing"].queryset = pairings.order_by("firm__name", "workshop__name")
        self.fields["pairing"].label_from_instance = lambda p: f"{p.firm.name} · {p.workshop.name}"
        last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        self.fields["month"].initial = f"{last:%Y-%m}"

    def clean_month(self) -> dt.date:
        raw = (self.cleaned_data.get("month") or "").strip()
        try:
            return dt.datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("月份格式:2025-06。")) from None


class StatementDisputeForm(KeyedForm):
    """The firm's clerk disagrees: the firm's figure of 应付合计 (yuan) and why, with the hidden key that
    makes a double submit record one dispute (``pay_forms.KeyedForm``). Both are passed on as typed: the
    service reads the figure with ``pay.money.yuan_typed`` and refuses in its own words (the browser
    asks for both before sending)."""

    clerk_figure = forms.CharField(
        label=_("企业核对的应付合计(元)"),
        required=False,
        widget=forms.TextInput(attrs={"required": True, "inputmode": "decimal", "maxlength": 20}),
    )
    note = forms.CharField(
        label=_("异议说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True, "maxlength": 500}),
    )


class StatementCorrectForm(CheckedForm):
    """The head prepares a corrected version: why."""

    reason = forms.CharField(label=_("更正原因"), max_length=300)
