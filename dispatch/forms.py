"""Forms for the flow's pages. They parse and bound the input; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors


class JobIssueForm(forms.Form):
    """A firm's new job (企业分发): choices limited to the workshops and lines paired with the user's firm."""

    workshop = forms.ModelChoiceField(label=_("工坊"), queryset=None)
    line = forms.ModelChoiceField(label=_("生产线"), queryset=None)
    title = forms.CharField(label=_("品名/工序"), max_length=200)
    quantity = forms.IntegerField(label=_("数量(件)"), min_value=1)
    piece_rate = forms.DecimalField(
        label=_("计件单价(元/件)"), max_digits=10, decimal_places=4, min_value=Decimal("0.0001")
    )
    due_on = forms.DateField(label=_("交货日期"), widget=forms.DateInput(attrs={"type": "date"}))
    instructions = forms.CharField(
        label=_("加工要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = selectors.workshops_for_issue(user)
        self.fields["line"].queryset = selectors.lines_for_issue(user)
        self.fields["line"].label_from_instance = lambda line: line.name
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class ReasonForm(forms.Form):
    """An optional reason for a decline or a cancel (拒单原因 / 取消原因)."""

    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


class InspectionNotesForm(forms.Form):
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionRowForm(forms.Form):
    """One assignment's verdict in an inspection, prefixed ``a<assignment id>``."""

    passed = forms.IntegerField(label=_("合格"), min_value=0)
    rejected = forms.IntegerField(label=_("不合格"), min_value=0, initial=0)
    rework = forms.IntegerField(label=_("返工"), min_value=0, initial=0)
    reason = forms.CharField(label=_("不合格原因"), max_length=200, required=False)
