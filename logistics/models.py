"""Door delivery and central collection (送货上门、集中回收): places, where home workers live, vehicles,
couriers' daily runs and their stops, what was collected, and the delivery note (送货单) of each lot handed
over to the firm.

Units: boxes (箱) are ints, what a vehicle carries; pieces are ints; distances are metres; times are minutes
after a run's start or Asia/Shanghai clock times; coordinates are WGS-84 degrees to 6 places (about 0.1 m).
Addresses are personal data: a courier sees the stops of her own run on its day, a firm never sees them.

States: a run is planned → under way → done (``RUN_TRANSITIONS``), handed to another courier on the way
when its own was stopped (``RunHandover``); a stop is pending → delivered, collected,
handed over, nobody home or refused, or it was unscheduled when planned, with its reason
(``STOP_TRANSITIONS``);
a delivery note is prepared → sent → received (``NOTE_TRANSITIONS``). Moves go through ``logistics.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dispatch.models import Assignment, Job
from materials.models import BomLine
from tickets.models import BundleTicket
from workshop.models import Courier, PartnerFirm, Worker, Workshop


class PlaceKind(models.TextChoices):
    BUILDING = "building", _("楼栋")
    VILLAGE_GROUP = "village_group", _("村民小组")
    COLLECTION_POINT = "collection_point", _("集中收发点")
    FIRM_GATE = "firm_gate", _("企业收货处")


class Place(models.Model):
    """A building, village group or collection point the community keeps, with its map point (坐标).

    No online map service is reachable from a community office, so the community keeps this table itself
    (typed in or imported from xlsx). ``lat``/``lng`` are WGS-84 degrees; empty until someone enters them (a
    stop at a place without a point is planned last). A firm's gate (``firm``) is where lots are handed over.
    """

    county = models.CharField(_("县"), max_length=100)
    subdistrict = models.CharField(_("街道/镇"), max_length=100)
    community = models.CharField(_("社区/村"), max_length=100)
    name = models.CharField(_("名称"), max_length=100, help_text=_("如“新街小区3幢”“五星村3组”"))
    kind = models.CharField(_("类别"), max_length=20, choices=PlaceKind.choices, default=PlaceKind.BUILDING)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    firm = models.ForeignKey(
        PartnerFirm,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="places",
        help_text=_("企业收货处才填"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["county", "subdistrict", "community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "subdistrict", "community", "name"], name="place_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="place_point_sane",
            ),
            models.CheckConstraint(
                condition=Q(kind="firm_gate", firm__isnull=False)
                | (~Q(kind="firm_gate") & Q(firm__isnull=True)),
                name="place_firm_gate_has_firm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community}·{self.name}"

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lng is not None


class Residence(models.Model):
    """Where a home worker lives (住址): her building or village group (``place``, which gives her map point)
    and the unit and room or house number (``room``), and when she is usually home for a delivery or a
    collection (``home_from``–``home_until``, clock times; empty: any time of the run). Personal data."""

    worker = models.OneToOneField(
        Worker, verbose_name=_("坊工"), on_delete=models.CASCADE, related_name="residence"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("楼栋/村组"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    room = models.CharField(_("单元/门牌"), max_length=50, blank=True, help_text=_("如“2单元301”“18号”"))
    home_from = models.TimeField(_("在家时间从"), null=True, blank=True)
    home_until = models.TimeField(_("在家时间到"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("住址")
        verbose_name_plural = _("住址")
        constraints = [
            models.CheckConstraint(
                condition=Q(home_from__isnull=True, home_until__isnull=True)
                | Q(home_from__isnull=False, home_until__isnull=False, home_from__lt=F("home_until")),
                name="residence_home_hours_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_id}: {self.place_id} {self.room}"


class Depot(models.Model):
    """A workshop's store as the start and end of its runs: its map point, the clock time its runs are
    planned each day by Celery beat (``plan_at``; ``auto_plan`` off: only the head plans), when runs
    leave (``start_at``) and how long a run may last (``shift_min``, minutes)."""

    workshop = models.OneToOneField(
        Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="depot"
    )
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    auto_plan = models.BooleanField(_("每天自动排线"), default=True)
    plan_at = models.TimeField(_("排线时间"), default="07:30")
    start_at = models.TimeField(_("出发时间"), default="08:30")
    shift_min = models.PositiveSmallIntegerField(_("每趟最长(分钟)"), default=240)

    class Meta:
        verbose_name = _("配送设置")
        verbose_name_plural = _("配送设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_min__gte=30, shift_min__lte=720), name="depot_shift_sane"
            ),
        ]

    def __str__(self) -> str:
        return str(self.workshop)


class VehicleKind(models.TextChoices):
    TRICYCLE = "tricycle", _("三轮车")
    EBIKE = "ebike", _("电瓶车")
    VAN = "van", _("小货车")


class Vehicle(models.Model):
    """A workshop's vehicle and who usually rides it: ``capacity`` boxes (箱) at once, ``speed_kmh``."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="vehicles"
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(
        _("车型"), max_length=10, choices=VehicleKind.choices, default=VehicleKind.TRICYCLE
    )
    capacity = models.PositiveSmallIntegerField(_("能装(箱)"), default=8)
    speed_kmh = models.PositiveSmallIntegerField(_("平均时速(公里)"), default=12)
    courier = models.ForeignKey(
        Courier, verbose_name=_("配送员"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        ordering = ["workshop", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name"], name="vehicle_unique_name"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=200), name="vehicle_capacity_sane"
            ),
            models.CheckConstraint(
                condition=Q(speed_kmh__gte=1, speed_kmh__lte=80), name="vehicle_speed_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RunState(models.TextChoices):
    PLANNED = "planned", _("已排线")
    UNDER_WAY = "under_way", _("配送中")
    DONE = "done", _("已完成")


RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunState.PLANNED: frozenset({RunState.UNDER_WAY}),
    RunState.UNDER_WAY: frozenset({RunState.DONE}),
    RunState.DONE: frozenset(),
}


class Run(models.Model):
    """One vehicle's run on one day (一趟配送): its stops in order. One run per vehicle and day.
    ``solver``: "ortools", or "nearest" when the fallback ordered it; ``distance_m`` and ``duration_min``
    are the plan's estimates (metres, minutes back at the store)."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="runs"
    )
    day = models.DateField(_("日期"))
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="runs"
    )
    courier = models.ForeignKey(
        Courier,
        verbose_name=_("配送员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
    )
    state = models.CharField(_("状态"), max_length=10, choices=RunState.choices, default=RunState.PLANNED)
    solver = models.CharField(_("排线方法"), max_length=10, blank=True)
    distance_m = models.PositiveIntegerField(_("路程(米)"), default=0)
    duration_min = models.PositiveIntegerField(_("用时(分钟)"), default=0)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排线人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示系统自动"),
    )
    planned_at = models.DateTimeField(_("排线时间"), auto_now_add=True)
    # The clock its planned times (``Stop.arrive_min``) count from until it sets off: the later of the
    # planning time and the depot's on its day (``selectors.planned_start``), kept so the times shown stay
    # the times planned (a trial: a run planned at 14:00 and opened at 14:40 showed every stop 40 minutes
    # later). Null on runs planned before it was kept.
    leaves_at = models.DateTimeField(_("计划出发时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("配送趟次")
        verbose_name_plural = _("配送趟次")
        ordering = ["-day", "vehicle_id"]
        indexes = [models.Index(fields=["workshop", "day"]), models.Index(fields=["courier", "day"])]
        constraints = [models.UniqueConstraint(fields=["vehicle", "day"], name="run_once_per_vehicle_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.vehicle}"


class RunHandover(models.Model):
    """A run under way handed to another courier (交接) after its courier was stopped: from whom, to whom,
    who did it, when. Append-only. The stops done before stay as they were (done by the first courier);
    what was on her vehicle moves to the new one in the materials ledger (``logistics.services``)."""

    run = models.ForeignKey(Run, verbose_name=_("趟次"), on_delete=models.PROTECT, related_name="handovers")
    from_courier = models.ForeignKey(
        Courier,
        verbose_name=_("原配送员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_courier = models.ForeignKey(
        Courier, verbose_name=_("接手配送员"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("交接人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("趟次交接")
        verbose_name_plural = _("趟次交接")
        ordering = ["run", "at", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.from_courier_id} → {self.to_courier_id}"


class StopKind(models.TextChoices):
    DELIVER = "deliver", _("送料")
    COLLECT = "collect", _("收货")
    HANDOVER = "handover", _("交货")


class StopState(models.TextChoices):
    PENDING = "pending", _("待办")
    DELIVERED = "delivered", _("已送到")
    COLLECTED = "collected", _("已收件")
    HANDED_OVER = "handed_over", _("已交企业")
    NOBODY_HOME = "nobody_home", _("没人在家")
    REFUSED = "refused", _("拒收")
    UNSCHEDULED = "unscheduled", _("未排上")


STOP_TRANSITIONS: dict[str, frozenset[str]] = {
    StopState.PENDING: frozenset(
        {
            StopState.DELIVERED,
            StopState.COLLECTED,
            StopState.HANDED_OVER,
            StopState.NOBODY_HOME,
            StopState.REFUSED,
        }
    ),
    StopState.DELIVERED: frozenset(),
    StopState.COLLECTED: frozenset(),
    StopState.HANDED_OVER: frozenset(),
    StopState.NOBODY_HOME: frozenset(),
    StopState.REFUSED: frozenset(),
    StopState.UNSCHEDULED: frozenset(),
}
# What a pending stop of each kind becomes when it is done.
DONE_STATE = {
    StopKind.DELIVER: StopState.DELIVERED,
    StopKind.COLLECT: StopState.COLLECTED,
    StopKind.HANDOVER: StopState.HANDED_OVER,
}


class Stop(models.Model):
    """One door on a run: a worker's (deliver her kits, collect her bundles) or a firm's gate (hand over a
    lot). ``seq`` is its place in the run's order (None: unscheduled, with ``reason``); ``arrive_min`` the
    planned arrival (minutes after the run starts); ``boxes`` what it puts on or takes off the vehicle.
    ``reason`` is kept as a msgid with ``reason_params`` and put into words in the reader's language.
    ``key``: the courier's check-off, so one sent twice (offline, then again) counts once."""

    run = models.ForeignKey(Run, verbose_name=_("趟次"), on_delete=models.CASCADE, related_name="stops")
    seq = models.PositiveSmallIntegerField(_("顺序"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=StopKind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=StopState.choices, default=StopState.PENDING)
    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    firm = models.ForeignKey(
        PartnerFirm, verbose_name=_("企业"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("地点"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    boxes = models.PositiveSmallIntegerField(_("箱数"), default=1)
    arrive_min = models.PositiveIntegerField(_("预计到达(分钟)"), null=True, blank=True)
    window_from = models.TimeField(_("可上门从"), null=True, blank=True)
    window_until = models.TimeField(_("可上门到"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    reason_params = models.JSONField(_("说明参数"), default=dict, blank=True)
    courier_note = models.CharField(_("配送员备注"), max_length=200, blank=True)
    key = models.CharField(_("幂等键"), max_length=64, unique=True, null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("配送站点")
        verbose_name_plural = _("配送站点")
        ordering = ["run", "seq", "id"]
        indexes = [models.Index(fields=["worker", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="stop_seq_once_per_run"),
            models.CheckConstraint(
                condition=Q(kind="handover", firm__isnull=False, worker__isnull=True)
                | (~Q(kind="handover") & Q(worker__isnull=False, firm__isnull=True)),
                name="stop_worker_or_firm",
            ),
            models.CheckConstraint(
                condition=Q(state="unscheduled", seq__isnull=True)
                | (~Q(state="unscheduled") & Q(seq__isnull=False)),
                name="stop_unscheduled_has_no_seq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.seq} {self.kind}"


class StopLine(models.Model):
    """What one stop is for: a share's kit to deliver, a share's reported pieces to collect (``pieces``, as
    expected when planned), or a delivery note's lot to hand over (``note``)."""

    stop = models.ForeignKey(Stop, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="lines")
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.ForeignKey(
        "DeliveryNote",
        verbose_name=_("送货单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pieces = models.PositiveIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("站点明细")
        verbose_name_plural = _("站点明细")
        ordering = ["stop", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignment__isnull=False, note__isnull=True)
                | Q(assignment__isnull=True, note__isnull=False),
                name="stopline_share_or_note",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stop_id}: {self.assignment_id or self.note_id} {self.pieces}"


class Collection(models.Model):
    """Finished pieces of one share collected at a door (收货): ``pieces``, and the bundle ``ticket`` when it
    was collected by its ticket. A bundle is collected once (two couriers confirming it at once: one wins).
    Append-only."""

    stop = models.ForeignKey(
        Stop, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="collections"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.PROTECT, related_name="collections"
    )
    ticket = models.OneToOneField(
        BundleTicket,
        verbose_name=_("扎票"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collection",
    )
    pieces = models.PositiveIntegerField(_("件数"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收货人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收货记录")
        verbose_name_plural = _("收货记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["assignment"])]
        constraints = [models.CheckConstraint(condition=Q(pieces__gt=0), name="collection_pieces_positive")]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.pieces}"


class NoteState(models.TextChoices):
    PREPARED = "prepared", _("待送出")
    SENT = "sent", _("已送出")
    RECEIVED = "received", _("企业已点收")


NOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    NoteState.PREPARED: frozenset({NoteState.SENT}),
    NoteState.SENT: frozenset({NoteState.RECEIVED}),
    NoteState.RECEIVED: frozenset(),
}


class DeliveryNote(models.Model):
    """A delivery note (送货单) for one lot of a job handed over to its firm: ``lot`` counts 1.. per job.
    What the workshop sent (``pieces_sent``, ``bundles_sent``, the lines, the materials returned) and, once
    the firm's clerk has counted, what arrived (``pieces_counted``, ``bundles_counted``). A difference is
    kept as both figures, never edited away. ``token`` is in the printed QR (the firm's confirm page)."""

    job = models.ForeignKey(
        Job, verbose_name=_("外发单"), on_delete=models.PROTECT, related_name="delivery_notes"
    )
    lot = models.PositiveSmallIntegerField(_("批次"))
    token = models.CharField(_("单码"), max_length=32, unique=True, editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=NoteState.choices, default=NoteState.PREPARED)
    pieces_sent = models.PositiveIntegerField(_("送出件数"))
    bundles_sent = models.PositiveIntegerField(_("送出扎数"), default=0)
    pieces_expected = models.PositiveIntegerField(
        _("应交件数"), help_text=_("报工未交的件数;多于送出件数即有件还在坊工家里")
    )
    pieces_counted = models.PositiveIntegerField(_("企业点收件数"), null=True, blank=True)
    bundles_counted = models.PositiveIntegerField(_("企业点收扎数"), null=True, blank=True)
    counted_note = models.CharField(_("点收说明"), max_length=200, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("开单人"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("开单时间"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送货人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("送出时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点收人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("点收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("送货单")
        verbose_name_plural = _("送货单")
        ordering = ["job", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["job", "lot"], name="note_lot_once_per_job"),
            models.CheckConstraint(condition=Q(pieces_sent__gt=0), name="note_pieces_positive"),
            models.CheckConstraint(
                condition=Q(state="received", pieces_counted__isnull=False, received_at__isnull=False)
                | (~Q(state="received") & Q(pieces_counted__isnull=True, received_at__isnull=True)),
                name="note_received_has_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} 第{self.lot}批"

    @property
    def difference(self) -> int | None:
        """Pieces the firm counted minus pieces sent (negative: short); None until counted."""
        return None if self.pieces_counted is None else self.pieces_counted - self.pieces_sent


class DeliveryNoteLine(models.Model):
    """One share's pieces and bundles in a lot."""

    note = models.ForeignKey(
        DeliveryNote, verbose_name=_("送货单"), on_delete=models.CASCADE, related_name="lines"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.PROTECT, related_name="+"
    )
    pieces = models.PositiveIntegerField(_("件数"))
    bundles = models.PositiveIntegerField(_("扎数"), default=0)

    class Meta:
        verbose_name = _("送货单明细")
        verbose_name_plural = _("送货单明细")
        ordering = ["note", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "assignment"], name="noteline_once_per_share"),
            models.CheckConstraint(condition=Q(pieces__gt=0), name="noteline_pieces_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id}: {self.assignment_id} {self.pieces}"


class DeliveryNoteMaterial(models.Model):
    """Leftover material returned to the firm with a lot (余料退回), as in the ledger's movement."""

    note = models.ForeignKey(
        DeliveryNote, verbose_name=_("送货单"), on_delete=models.CASCADE, related_name="materials"
    )
    line = models.ForeignKey(BomLine, verbose_name=_("物料"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3)

    class Meta:
        verbose_name = _("送货单退料")
        verbose_name_plural = _("送货单退料")
        constraints = [
            models.UniqueConstraint(fields=["note", "line"], name="notematerial_once_per_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="notematerial_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id}: {self.line_id} {self.quantity}"
