"""The community's own map (no online map service is reachable from its office): places with their points,
where each home worker lives and when she is home, each workshop's depot settings and its vehicles.

Coordinates are WGS-84 degrees, at most 6 decimals; times are Asia/Shanghai clock times. Each write checks
who acts: a community admin covers the places of her community and its workshops; a head her workshop's
workers, depot and vehicles; a worker only her own home hours. Raises PermissionDenied, ValidationError.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workshop.models import Courier, Pairing, PartnerFirm, Worker, WorkPlace, Workshop
from workshop.roles import scope_for

from ..models import Depot, Place, PlaceKind, Residence, Vehicle, VehicleKind
from .common import check_manager

# Around the model workshop, 新街社区 of 海盐县 (a community's points are kilometres apart, not degrees).
CHINA_LAT = (Decimal("3"), Decimal("54"))
CHINA_LNG = (Decimal("73"), Decimal("136"))


def coordinate(value, what: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    """A coordinate typed or read from a cell ("30.5312", "30.5312°", " 120,94 " is refused), as a Decimal
    to 6 places, or None when blank. Refuses values outside China's bounds (``bounds``): a latitude typed
    where the longitude goes is the likeliest mistake. Raises ValidationError naming ``what``."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    example = "30.531200" if bounds == CHINA_LAT else "120.946000"
    try:
        d = _degrees(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(w)s要填数字(度),如 %(e)s。") % {"w": what, "e": example}) from None
    if not d.is_finite() or not bounds[0] <= d <= bounds[1]:
        raise ValidationError(_("%(w)s %(v)s 不在中国境内,是否把经纬度填反了?") % {"w": what, "v": text})
    return d.quantize(Decimal("0.000001"))


# Degrees, then minutes and seconds; a cell read through NFKC turns ″ into ′′, so both are seconds.
_DMS = re.compile(
    r"^(\d{1,3})\s*[°度]\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:′(?!′)|'(?!')|分)\s*)?"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*(?:″|′′|\"|''|秒)\s*)?$"
)


def _degrees(text: str) -> Decimal:
    """Degrees from "30.5312", "30.5312°", "N30.5312", "30°31′52″" or "30度31分52秒". Raises ValueError or
    InvalidOperation."""
    text = text.strip()
    if text[:1] in "NEne北东":
        text = text[1:].strip()
    m = _DMS.match(text)
    if m and (m.group(2) or m.group(3)):
        d, mins, secs = (Decimal(g or "0") for g in m.groups())
        if mins >= 60 or secs >= 60:
            raise ValueError(text)
        return d + mins / 60 + secs / 3600
    return Decimal(text.rstrip("°度").strip())


def _check_community(actor, county: str, subdistrict: str, community: str) -> None:
    scope = scope_for(actor)
    if not scope.manages_workers:
        raise PermissionDenied(_("只有坊长或社区管理员可以维护地点。"))
    if scope.all_workshops:
        return
    if not Workshop.objects.filter(
        pk__in=scope.workshop_ids, county=county, subdistrict=subdistrict, community=community
    ).exists():
        raise PermissionDenied(_("只能维护本社区的地点。"))


@transaction.atomic
def place_save(
    *,
    actor,
    workshop: Workshop,
    name: str,
    kind: str = PlaceKind.BUILDING,
    lat=None,
    lng=None,
    firm: PartnerFirm | None = None,
    note: str = "",
) -> tuple[Place, bool]:
    """Add a place of ``workshop``'s community, or update the one with the same name (a re-import). Returns
    (place, created). A firm's gate names its firm. Raises PermissionDenied, ValidationError."""
    _check_community(actor, workshop.county, workshop.subdistrict, workshop.community)
    name = (name or "").strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise ValidationError(_("请填写地点名称(最多100字)。"))
    if kind not in PlaceKind.values:
        raise ValidationError(_("地点类别不对。"))
    if (kind == PlaceKind.FIRM_GATE) != (firm is not None):
        raise ValidationError(_("企业收货处要选企业;其他地点不选企业。"))
    if firm is not None and not Pairing.objects.filter(firm=firm, workshop=workshop).exists():
        raise ValidationError(_("这家企业没有和本工坊结对。"))
    lat_d, lng_d = coordinate(lat, _("纬度"), CHINA_LAT), coordinate(lng, _("经度"), CHINA_LNG)
    if (lat_d is None) != (lng_d is None):
        raise ValidationError(_("纬度和经度要一起填。"))
    place, created = Place.objects.select_for_update().update_or_create(
        county=workshop.county,
        subdistrict=workshop.subdistrict,
        community=workshop.community,
        name=name,
        defaults={"kind": kind, "lat": lat_d, "lng": lng_d, "firm": firm, "note": (note or "").strip()[:200]},
    )
    return place, created


def _clock(value, what: str) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(value).strip().replace(":", ":"))
    except ValueError:
        raise ValidationError(_("%(w)s要填时间,如 09:00。") % {"w": what}) from None


def _hours(home_from, home_until) -> tuple[dt.time | None, dt.time | None]:
    start, end = _clock(home_from, _("在家时间从")), _clock(home_until, _("在家时间到"))
    if (start is None) != (end is None):
        raise ValidationError(_("在家时间要填开始和结束。"))
    if start is not None and start >= end:
        raise ValidationError(_("在家时间的开始要早于结束。"))
    return start, end


@transaction.atomic
def residence_set(
    *, actor, worker: Worker, place: Place | None, room: str = "", home_from=None, home_until=None
) -> Residence:
    """Where ``worker`` lives: a place of her workshop's community (or None: no point yet) and the unit and
    room; when she is usually home. ``actor``: her head or a community admin. Raises PermissionDenied,
    ValidationError."""
    if not scope_for(actor).manages(worker):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    ws = worker.workshop
    if place is not None and (place.county, place.subdistrict, place.community) != (
        ws.county,
        ws.subdistrict,
        ws.community,
    ):
        raise ValidationError(_("这个地点不在该坊工所在的社区。"))
    room = (room or "").strip()
    if len(room) > 50 or not room.isprintable():
        raise ValidationError(_("单元/门牌最多50字。"))
    start, end = _hours(home_from, home_until)
    residence, _created = Residence.objects.update_or_create(
        worker=worker, defaults={"place": place, "room": room, "home_from": start, "home_until": end}
    )
    return residence


@transaction.atomic
def home_hours_set(*, actor, home_from=None, home_until=None) -> Residence:
    """A worker says when she is home for a delivery or a collection (on her phone); empty: any time.
    Raises PermissionDenied (not a worker), ValidationError."""
    worker = scope_for(actor).worker
    if worker is None:
        raise PermissionDenied(_("只有坊工本人可以设置。"))
    if worker.work_place != WorkPlace.HOME:
        raise ValidationError(_("您在工坊做活,不用设置在家时间。"))
    start, end = _hours(home_from, home_until)
    residence, _created = Residence.objects.update_or_create(
        worker=worker, defaults={"home_from": start, "home_until": end}
    )
    return residence


@transaction.atomic
def depot_set(
    *, actor, workshop: Workshop, lat, lng, plan_at="07:30", start_at="08:30", shift_min=240, auto_plan=True
) -> Depot:
    """A workshop's depot: its point, when beat plans its runs, when runs leave and their longest length
    (30–720 minutes). ``actor``: the head or a community admin. Raises PermissionDenied, ValidationError."""
    check_manager(actor, workshop.pk)
    lat_d, lng_d = coordinate(lat, _("纬度"), CHINA_LAT), coordinate(lng, _("经度"), CHINA_LNG)
    if lat_d is None or lng_d is None:
        raise ValidationError(_("请填写工坊的纬度和经度。"))
    try:
        shift = int(shift_min)
    except (TypeError, ValueError):
        raise ValidationError(_("每趟最长要填分钟数。")) from None
    if not 30 <= shift <= 720:
        raise ValidationError(_("每趟最长在30到720分钟之间。"))
    depot, _created = Depot.objects.update_or_create(
        workshop=workshop,
        defaults={
            "lat": lat_d,
            "lng": lng_d,
            "plan_at": _clock(plan_at, _("排线时间")) or dt.time(7, 30),
            "start_at": _clock(start_at, _("出发时间")) or dt.time(8, 30),
            "shift_min": shift,
            "auto_plan": bool(auto_plan),
        },
    )
    return depot


def _whole(value, lo: int, hi: int) -> int | None:
    """``value`` (a typed number) as an int within ``lo``–``hi``, or None."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if lo <= n <= hi else None


@transaction.atomic
def vehicle_save(
    *,
    actor,
    workshop: Workshop,
    name: str,
    kind: str = VehicleKind.TRICYCLE,
    capacity=8,
    speed_kmh=12,
    courier: Courier | None = None,
    active: bool = True,
) -> Vehicle:
    """Add or update (by name) a vehicle of ``workshop``: how many boxes it carries (1–200), its average
    speed (1–80 km/h) and its usual courier (one of the workshop's). Raises PermissionDenied,
    ValidationError."""
    check_manager(actor, workshop.pk)
    name = (name or "").strip()
    if not name or len(name) > 50 or not name.isprintable():
        raise ValidationError(_("请填写车的名称(最多50字)。"))
    if kind not in VehicleKind.values:
        raise ValidationError(_("车型不对。"))
    cap, speed = _whole(capacity, 1, 200), _whole(speed_kmh, 1, 80)
    # Each wrong figure in its own words: one sentence for both left the head guessing which was wrong.
    wrong = {}
    if cap is None:
        wrong["capacity"] = _("能装几箱请填1到200的整数。")
    if speed is None:
        wrong["speed_kmh"] = _("平均时速请填1到80的整数(公里)。")
    if wrong:
        raise ValidationError(wrong)
    if courier is not None and courier.workshop_id != workshop.pk:
        raise ValidationError(_("配送员不是本工坊的。"))
    vehicle, _created = Vehicle.objects.update_or_create(
        workshop=workshop,
        name=name,
        defaults={"kind": kind, "capacity": cap, "speed_kmh": speed, "courier": courier, "active": active},
    )
    return vehicle
