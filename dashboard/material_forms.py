"""Forms for supplied materials (来料) on the dashboard: the bill of materials rows of the firm's issue form,
and the head's moves on a job's materials page. They parse and bound the input and say which row is wrong;
the ledger's services decide what is allowed (a holder short of material, a fraction of a whole unit).

Choices (materials, workers, shares) come from what the page has already read, so rendering the forms
costs no query; an id that is not among them (another job's material, another workshop's worker) is
refused by the form, and nothing is written.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from materials.models import Unit
from materials.services import BomInput, bom_input_check
from workshop.text import CheckedForm

# --- the bill of materials on the issue form -------------------------------------------------------------

MIN_BOM_ROWS = 4
BOM_PREFIX = "bom"
MAX_BOM_ROWS = 30


class BomRowForm(CheckedForm):
    """One row of a job's bill of materials: material, unit, quantity per piece, allowed loss (%), and the
    price per unit lost beyond it (yuan)."""

    material = forms.CharField(label=_("物料"), max_length=100, required=False)
    # Not required of a blank row (every row is read); a row with a material and no unit is refused by
    # ``bom_input_check`` in words.
    unit = forms.ChoiceField(label=_("单位"), choices=Unit.choices, initial=Unit.EACH, required=False)
    per_piece = forms.CharField(
        label=_("每件用量"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    loss_pct = forms.CharField(
        label=_("允许损耗率(%)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0"}),
    )
    unit_price = forms.CharField(
        label=_("超耗赔付单价(元/单位)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0"}),
    )

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not any((d.get(f) or "").strip() for f in ("material", "per_piece", "loss_pct", "unit_price"))


# The one answer to a bill of materials whose row count does not match what was typed.
ROWS_CHANGED = _("物料表的行数不对,请刷新页面后重新填写。")
# A row count or number as a page sends it: ASCII digits only ("¹²³" is a digit to ``str.isdigit``).
COUNT = re.compile(r"[0-9]{1,4}")


class BaseBomFormSet(forms.BaseFormSet):
    """The rows of a bill of materials; blank rows are skipped. After ``is_valid()``, ``bom`` holds the
    typed lines (``BomInput``, cleaned) in order. Each wrong row gets its error in words, naming the row
    by its number on the page."""

    # A row count missing or not a number ("abc"), or more rows than a page holds: Django's own words
    # ("ManagementForm data is missing", "请最多提交 30 个表单") are for developers.
    default_error_messages = {
        "missing_management_form": ROWS_CHANGED,
        "too_many_forms": ngettext_lazy("物料最多 %(num)d 行。", "物料最多 %(num)d 行。", "num"),
    }

    def _construct_form(self, i, **kwargs):
        # Every row is read, whatever the page says of which rows were prefilled: Django skips an
        # "extra" row left as prefilled, so INITIAL_FORMS=0 dropped the line's usual materials (a trial).
        # Blank rows are skipped by ``is_blank`` instead.
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False
        return form

    @property
    def page_management_form(self):
        """The hidden row counts the page sends back: this page's own, never what a post said. Bound to a
        bad count, Django's would print its own words ("(隐藏字段 TOTAL_FORMS) 输入整数。") on the page."""
        counts = {
            TOTAL_FORM_COUNT: len(self.forms),
            INITIAL_FORM_COUNT: min(len(self.initial or ()), len(self.forms)),
            MIN_NUM_FORM_COUNT: self.min_num,
            MAX_NUM_FORM_COUNT: self.max_num,
        }
        return ManagementForm(
            auto_id=self.auto_id, prefix=self.prefix, initial=counts, renderer=self.renderer
        )

    def _rows_beyond(self, count: int) -> bool:
        """True when a row numbered ``count`` or more has something typed in it."""
        head = f"{self.prefix}-"
        for key, value in self.data.items():
            index, _dash, _field = key[len(head) :].partition("-")
            typed = str(value).strip()
            if key.startswith(head) and index.isascii() and index.isdigit() and int(index) >= count and typed:
                return True
        return False

    def clean(self):
        raw = str(self.data.get(self.add_prefix("TOTAL_FORMS"), "")).strip()
        if not COUNT.fullmatch(raw) or self._rows_beyond(int(raw)):
            # A row count that no page sends (-1, -0, ¹²³) or fewer rows than were typed: read as it is,
            # the rows past it would be dropped and the job issued without those materials, without a word.
            raise ValidationError(ROWS_CHANGED)
        if any(self.errors):
            return
        self.bom: list[BomInput] = []
        seen: dict[tuple[str, str], int] = {}
        problems = []
        for n, form in enumerate(self.forms, start=1):
            if form.is_blank():
                continue
            d = form.cleaned_data
            try:
                typed = BomInput(d["material"], d["unit"], d["per_piece"], d["loss_pct"], d["unit_price"])
                line = bom_input_check(typed, n)
            except ValidationError as bad:
                form.add_error(None, bad)
                problems.extend(bad.messages)
                continue
            if (line.material, line.unit) in seen:
                message = _("物料第%(n)d行:%(m)s和第%(k)d行重复了。") % {
                    "n": n,
                    "m": line.material,
                    "k": seen[(line.material, line.unit)],
                }
                form.add_error(None, message)
                problems.append(message)
                continue
            seen[(line.material, line.unit)] = n
            self.bom.append(line)
        if problems:
            raise ValidationError(problems)


def bom_formset(data=None, *, initial: list[dict] | None = None, rows: int = MIN_BOM_ROWS):
    """The bill-of-materials rows of the issue form: ``initial`` rows prefilled (the line's last job), then
    blank ones up to ``rows``. Posted back, at most ``MAX_BOM_ROWS`` rows are read."""
    initial = initial or []
    extra = max(rows - len(initial), 0)
    cls = forms.formset_factory(
        BomRowForm,
        formset=BaseBomFormSet,
        extra=extra,
        max_num=MAX_BOM_ROWS,
        absolute_max=MAX_BOM_ROWS,
        validate_max=True,
    )
    return cls(data, initial=initial, prefix=BOM_PREFIX)


def bom_initial(lines) -> list[dict]:
    """Rows of the issue form prefilled from ``BomLine``s (or ``BomInput``s)."""
    return [
        {
            "material": b.material,
            "unit": b.unit,
            "per_piece": _plain(b.per_piece),
            "loss_pct": _plain(b.loss_pct),
            "unit_price": _plain(b.unit_price),
        }
        for b in lines
    ]


def _plain(value) -> str:
    """A Decimal as typed: 1.0000 → "1", 0.3500 → "0.35"."""
    return format(Decimal(value).normalize(), "f")


# --- the head's moves on a job's materials page ----------------------------------------------------------

# action: the fields its form asks for (in order).
MOVES: dict[str, tuple[str, ...]] = {
    "receive": ("line", "quantity", "note", "confirm_over"),
    "kit": ("share",),
    "issue": ("line", "worker", "quantity", "reason", "share_optional"),
    "return": ("line", "worker", "quantity", "note"),
    "scrap": ("line", "holder", "quantity", "reason_required"),
    "return_to_firm": ("line", "quantity", "note"),
    "write_off": ("line", "worker", "reason"),
}

MOVE_TITLES = {
    "receive": _("来料入库"),
    "kit": _("按派工发料(配套)"),
    "issue": _("补料(如返工换件)"),
    "return": _("坊工退料"),
    "scrap": _("报废"),
    "return_to_firm": _("余料退回企业"),
    "write_off": _("核销坊工手上的料"),
}

MOVE_BUTTONS = {
    "receive": _("登记入库"),
    "kit": _("发料"),
    "issue": _("补料"),
    "return": _("登记退料"),
    "scrap": _("登记报废"),
    "return_to_firm": _("退回企业"),
    "write_off": _("核销为损耗"),
}


def new_key() -> str:
    # One per rendered form: the same form posted twice (double click, retry) moves material once.
    return uuid.uuid4().hex


class MaterialMoveForm(CheckedForm):
    """One of the head's moves (``MOVES``), prefixed by its action. ``lines``: the job's ``BomLine``s;
    ``workers``: (id, name) of the job's workers; ``shares``: the job's assignments the move may name.
    ``cleaned_data`` holds objects: ``line`` a BomLine, ``worker`` a worker id, ``share`` an Assignment."""

    key = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(self, data=None, *, action: str, lines, workers, shares, **kwargs):
        super().__init__(data, prefix=action, initial={"key": new_key()}, **kwargs)
        self.action = action
        self.title = MOVE_TITLES[action]
        self.button = MOVE_BUTTONS[action]
        self._lines = {str(b.pk): b for b in lines}
        self._shares = {str(a.pk): a for a in shares}
        line_choices = [(str(b.pk), f"{b.material}({b.get_unit_display()})") for b in lines]
        worker_choices = [(str(pk), name) for pk, name in workers]
        for name in MOVES[action]:
            if name == "line":
                self.fields["line"] = forms.ChoiceField(label=_("物料"), choices=line_choices)
            elif name == "worker":
                self.fields["worker"] = forms.ChoiceField(label=_("坊工"), choices=worker_choices)
            elif name == "holder":
                self.fields["holder"] = forms.ChoiceField(
                    label=_("在谁手上"), choices=[("store", _("工坊仓库")), *worker_choices]
                )
            elif name in ("share", "share_optional"):
                choices = [(str(a.pk), _share_label(a)) for a in shares]
                if name == "share_optional":
                    choices = [("", _("不指定派工")), *choices]
                self.fields["share"] = forms.ChoiceField(
                    label=_("派工"), choices=choices, required=name == "share"
                )
            elif name == "quantity":
                self.fields["quantity"] = forms.CharField(
                    label=_("数量"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
                )
            elif name == "confirm_over":
                self.fields["confirm_over"] = forms.BooleanField(
                    label=_("确认超收(点清了,确实比需要的多)"), required=False
                )
            elif name == "note":
                self.fields["note"] = forms.CharField(label=_("备注"), max_length=200, required=False)
            elif name in ("reason", "reason_required"):
                self.fields["reason"] = forms.CharField(
                    label=_("原因"), max_length=200, required=name == "reason_required"
                )
                if name == "reason_required":
                    self.fields["reason"].error_messages["required"] = _("报废请写明原因。")

    @property
    def usable(self) -> bool:
        """Every choice it asks for has something to choose (no kit to issue before a share is taken)."""
        return all(
            field.choices
            for field in self.fields.values()
            if isinstance(field, forms.ChoiceField) and field.required
        )

    def clean_line(self):
        return self._lines[self.cleaned_data["line"]]

    def clean_worker(self):
        return int(self.cleaned_data["worker"])

    def clean_holder(self):
        value = self.cleaned_data["holder"]
        return None if value == "store" else int(value)

    def clean_share(self):
        value = self.cleaned_data["share"]
        return self._shares[value] if value else None


def _share_label(a) -> str:
    return _("%(w)s · %(k)s %(n)d 件(#%(id)d)") % {
        "w": a.worker.name,
        "k": a.get_kind_display(),
        "n": a.pieces,
        "id": a.pk,
    }
