"""Forms for door delivery (配送) on the dashboard: a place, the depot, a vehicle, a courier, a worker's home.
They bound the input and keep what was typed for a page shown again with its error; the logistics services
parse coordinates and clock times and decide what is allowed.

Choices (workshops, firms, couriers, places) come from lists the view has read scoped by the user, so an
id that is not among them (another workshop's courier, another community's place) is refused by the
form, and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import PlaceKind, VehicleKind
from workshop.text import CheckedForm

COORD = {"inputmode": "decimal", "size": 12, "autocomplete": "off"}
CLOCK = {"type": "time"}
NUMBER = {"inputmode": "numeric"}


def _choices(rows, empty=None) -> list[tuple[str, str]]:
    head = [("", empty)] if empty is not None else []
    return head + [(str(r.pk), str(r)) for r in rows]


class _Picked(CheckedForm):
    """A form whose choice fields pick rows out of lists the view read (``picked(name)`` → the row)."""

    def __init__(self, data=None, *, rows: dict[str, list], **kwargs):
        super().__init__(data, **kwargs)
        self.rows = {name: {str(r.pk): r for r in items} for name, items in rows.items()}

    def picked(self, name: str):
        return self.rows[name].get(self.cleaned_data.get(name) or "")


class PlaceForm(_Picked):
    workshop = forms.ChoiceField(label=_("社区(按工坊)"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=PlaceKind.choices, initial=PlaceKind.BUILDING)
    lat = forms.CharField(label=_("纬度"), max_length=20, required=False, widget=forms.TextInput(attrs=COORD))
    lng = forms.CharField(label=_("经度"), max_length=20, required=False, widget=forms.TextInput(attrs=COORD))
    firm = forms.ChoiceField(label=_("企业(企业收货处才选)"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, data=None, *, workshops, firms, **kwargs):
        super().__init__(data, rows={"workshop": workshops, "firm": firms}, **kwargs)
        self.fields["workshop"].choices = _choices(workshops)
        self.fields["firm"].choices = _choices(firms, empty="—")


class PlaceImportForm(_Picked):
    workshop = forms.ChoiceField(label=_("社区(按工坊)"))
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))

    def __init__(self, data=None, files=None, *, workshops, **kwargs):
        super().__init__(data, rows={"workshop": workshops}, files=files, **kwargs)
        self.fields["workshop"].choices = _choices(workshops)


class DepotForm(CheckedForm):
    lat = forms.CharField(label=_("纬度"), max_length=20, widget=forms.TextInput(attrs=COORD))
    lng = forms.CharField(label=_("经度"), max_length=20, widget=forms.TextInput(attrs=COORD))
    plan_at = forms.CharField(
        label=_("排线时间"), max_length=8, required=False, initial="07:30", widget=forms.TextInput(CLOCK)
    )
    start_at = forms.CharField(
        label=_("出发时间"), max_length=8, required=False, initial="08:30", widget=forms.TextInput(CLOCK)
    )
    shift_min = forms.CharField(
        label=_("每趟最长(分钟)"), max_length=5, initial="240", widget=forms.TextInput(NUMBER)
    )
    auto_plan = forms.BooleanField(label=_("每天自动排线"), required=False, initial=True)


class VehicleForm(_Picked):
    name = forms.CharField(label=_("名称"), max_length=50)
    kind = forms.ChoiceField(label=_("车型"), choices=VehicleKind.choices, initial=VehicleKind.TRICYCLE)
    capacity = forms.CharField(label=_("能装(箱)"), max_length=5, initial="8", widget=forms.TextInput(NUMBER))
    speed_kmh = forms.CharField(
        label=_("平均时速(公里)"), max_length=5, initial="12", widget=forms.TextInput(NUMBER)
    )
    courier = forms.ChoiceField(label=_("常用配送员"), required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, data=None, *, couriers, **kwargs):
        super().__init__(data, rows={"courier": couriers}, **kwargs)
        self.fields["courier"].choices = _choices(couriers, empty="—")


class CourierForm(CheckedForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput({"inputmode": "tel"}))
    pin = forms.CharField(
        label=_("PIN(6位数字)"), max_length=6, widget=forms.PasswordInput({"inputmode": "numeric"})
    )


class ResidenceForm(_Picked):
    place = forms.ChoiceField(label=_("楼栋/村组"), required=False)
    room = forms.CharField(label=_("单元/门牌"), max_length=50, required=False)
    home_from = forms.CharField(
        label=_("在家时间从"), max_length=8, required=False, widget=forms.TextInput(CLOCK)
    )
    home_until = forms.CharField(
        label=_("在家时间到"), max_length=8, required=False, widget=forms.TextInput(CLOCK)
    )

    def __init__(self, data=None, *, places, **kwargs):
        super().__init__(data, rows={"place": places}, **kwargs)
        self.fields["place"].choices = [("", "—")] + [(str(p.pk), p.name) for p in places]
