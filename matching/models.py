"""The two lists (两清单) and their matching (对接): firms' needs, residents' wishes, who handled what.

- ``DemandEntry``: a firm's outsourcing or labour need (需求清单), for one workshop.
- The supply list (供给清单) is ``workshop.models.WorkWish`` (residents' wishes to work, one per phone) plus
  current workers' spare capacity (computed, not stored). ``WishRecord`` adds what this app needs to know
  about a wish (where it came from, the worker it became) without touching WorkWish's own fields.
- ``EntryEvent``: one row per status change of a demand or a wish (who, when, from, to, note).
- ``ImportBatch``: one spreadsheet imported into either list.

Statuses move only through ``matching.services``, checked against ``DEMAND_TRANSITIONS`` and
``WISH_TRANSITIONS``. Quantities are pieces or hours a week (ints); dates are Asia/Shanghai.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshop.models import PartnerFirm, ProcessKind, WishStatus, Worker, Workshop, WorkWish
from workshop.search import SearchKeyField


class IllegalStatusChange(Exception):
    """A status change that the entry's transitions map does not allow (or that someone else made first)."""

    def __init__(self, current: str, target: str, labels: dict[str, str]):
        self.current, self.target = current, target
        super().__init__(
            str(_("现在的状态是“%(cur)s”,不能改为“%(to)s”。请刷新后查看最新情况。"))
            % {"cur": labels.get(current, current), "to": labels.get(target, target)}
        )


class DemandStatus(models.TextChoices):
    NEW = "new", _("新登记")
    CONTACTED = "contacted", _("已联系")
    MATCHED = "matched", _("已对接")
    ENROLLED = "enrolled", _("已到岗")
    CLOSED = "closed", _("已关闭")


# A demand is "enrolled" once the people it needed are at work; a closed entry can be opened again.
DEMAND_TRANSITIONS: dict[str, frozenset[str]] = {
    DemandStatus.NEW: frozenset({DemandStatus.CONTACTED, DemandStatus.MATCHED, DemandStatus.CLOSED}),
    DemandStatus.CONTACTED: frozenset({DemandStatus.MATCHED, DemandStatus.CLOSED}),
    DemandStatus.MATCHED: frozenset({DemandStatus.ENROLLED, DemandStatus.CONTACTED, DemandStatus.CLOSED}),
    DemandStatus.ENROLLED: frozenset({DemandStatus.CLOSED}),
    DemandStatus.CLOSED: frozenset({DemandStatus.NEW}),
}

# A wish becomes "enrolled" only through ``services.wish_enrol`` (which creates the worker).
WISH_TRANSITIONS: dict[str, frozenset[str]] = {
    WishStatus.NEW: frozenset({WishStatus.CONTACTED, WishStatus.MATCHED, WishStatus.CLOSED}),
    WishStatus.CONTACTED: frozenset({WishStatus.MATCHED, WishStatus.ENROLLED, WishStatus.CLOSED}),
    WishStatus.MATCHED: frozenset({WishStatus.ENROLLED, WishStatus.CONTACTED, WishStatus.CLOSED}),
    WishStatus.ENROLLED: frozenset(),
    WishStatus.CLOSED: frozenset({WishStatus.NEW}),
}

OPEN_DEMAND_STATES = (DemandStatus.NEW, DemandStatus.CONTACTED, DemandStatus.MATCHED)
OPEN_WISH_STATES = (WishStatus.NEW, WishStatus.CONTACTED, WishStatus.MATCHED)

# A demand's own details, as its firm or the community enter and edit them (not workshop, firm, status).
DEMAND_FIELDS = (
    "process_kind",
    "title",
    "pieces_per_week",
    "hours_per_week",
    "people_needed",
    "starts_on",
    "ends_on",
    "skill_level",
    "place",
    "notes",
)


class SkillLevel(models.TextChoices):
    BEGINNER = "beginner", _("零基础可做")
    EXPERIENCED = "experienced", _("做过类似的活")
    SKILLED = "skilled", _("熟练工")


class DemandPlace(models.TextChoices):
    WORKSHOP = "workshop", _("到工坊做")
    HOME_OK = "home_ok", _("可在家做")


class ImportKind(models.TextChoices):
    WISHES = "wishes", _("供给清单(就业意向)")
    DEMANDS = "demands", _("需求清单(企业需求)")


class ImportBatch(models.Model):
    """One spreadsheet imported into a list, all or nothing: how many rows it created and updated."""

    kind = models.CharField(_("清单"), max_length=20, choices=ImportKind.choices)
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="list_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)

    class Meta:
        verbose_name = _("清单导入")
        verbose_name_plural = _("清单导入")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class DemandEntry(models.Model):
    """A firm's need (需求清单): a process kind, pieces or hours a week, a window, a skill level, a place.

    ``notes`` are for the community and the firm only: the public board never shows them (they may name
    a contact person).
    """

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="demands"
    )
    firm = models.ForeignKey(
        PartnerFirm, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="demands"
    )
    process_kind = models.CharField(_("工序类别"), max_length=20, choices=ProcessKind.choices)
    title = models.CharField(_("品名/工作内容"), max_length=100, blank=True)
    pieces_per_week = models.PositiveIntegerField(_("每周件数"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("每周工时(小时)"), null=True, blank=True)
    people_needed = models.PositiveSmallIntegerField(_("需要人数"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("空表示长期"))
    skill_level = models.CharField(
        _("技能要求"), max_length=20, choices=SkillLevel.choices, default=SkillLevel.BEGINNER
    )
    place = models.CharField(
        _("做工地点"), max_length=20, choices=DemandPlace.choices, default=DemandPlace.WORKSHOP
    )
    notes = models.TextField(_("备注(不公开)"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=DemandStatus.choices, default=DemandStatus.NEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="demands",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Its title and process kind; its firm is found by the firm's own key (``firm__search_text``).
    search_text = SearchKeyField(names=["title"], plain=["process_kind"])

    class Meta:
        verbose_name = _("企业需求")
        verbose_name_plural = _("企业需求(需求清单)")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["workshop", "status"]), models.Index(fields=["firm", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(pieces_per_week__isnull=False) | Q(hours_per_week__isnull=False),
                name="demand_has_quantity",
                violation_error_message=_("每周件数和每周工时至少填一项。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="demand_window_ordered",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__lte=2000),
                name="demand_hours_sane",
                violation_error_message=_("每周工时不合理。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm.name}·{self.get_process_kind_display()}"

    def clean(self) -> None:
        errors = {}
        if self.pieces_per_week is None and self.hours_per_week is None:
            errors["pieces_per_week"] = _("每周件数和每周工时至少填一项。")
        if self.pieces_per_week == 0:
            errors["pieces_per_week"] = _("每周件数要大于0。")
        if self.hours_per_week == 0:
            errors["hours_per_week"] = _("每周工时要大于0。")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)


class WishSource(models.TextChoices):
    JOIN = "join", _("居民自己登记")
    IMPORT = "import", _("表格导入")
    STAFF = "staff", _("社区录入")


class WishRecord(models.Model):
    """What the lists know about a wish beyond its own fields: its source, its import, its worker.

    A wish left on ``/m/join/`` has no record until staff handle it; no record means source "join".
    """

    wish = models.OneToOneField(
        WorkWish, verbose_name=_("就业意向"), on_delete=models.CASCADE, related_name="list_record"
    )
    source = models.CharField(_("来源"), max_length=20, choices=WishSource.choices, default=WishSource.JOIN)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wish_records",
    )
    worker = models.OneToOneField(
        Worker,
        verbose_name=_("入坊后的坊工"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wish_record",
    )

    class Meta:
        verbose_name = _("意向来源")
        verbose_name_plural = _("意向来源")

    def __str__(self) -> str:
        return f"{self.wish_id} {self.source}"


class EntrySubject(models.TextChoices):
    DEMAND = "demand", _("企业需求")
    WISH = "wish", _("就业意向")


class EntryEvent(models.Model):
    """One status change of a demand or a wish (清单记录): who, when, from, to, why.

    ``subject`` says whose status moved; a wish's event may also name the demand it was matched with
    (and then shows in both histories for community admins).
    """

    subject = models.CharField(_("对象"), max_length=10, choices=EntrySubject.choices)
    demand = models.ForeignKey(
        DemandEntry,
        verbose_name=_("企业需求"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    wish = models.ForeignKey(
        WorkWish,
        verbose_name=_("就业意向"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="list_events",
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("清单记录")
        verbose_name_plural = _("清单记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="demand", demand__isnull=False) | Q(subject="wish", wish__isnull=False),
                name="entry_event_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.from_state}→{self.to_state}"

    def state_label(self, value: str) -> str:
        labels = dict(DemandStatus.choices if self.subject == EntrySubject.DEMAND else WishStatus.choices)
        return str(labels.get(value, value))

    @property
    def from_label(self) -> str:
        return self.state_label(self.from_state) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return self.state_label(self.to_state)
