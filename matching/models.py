"""The two lists (两清单) and their matching (对接): firms' needs, residents' wishes, who handled what.

- ``DemandEntry``: a firm's outsourcing or labour need (需求清单), for one workshop.
- The supply list (供给清单) is ``workshop.models.WorkWish`` (residents' wishes to work, one per phone) plus
  current workers' spare capacity (computed, not stored). ``WishRecord`` adds what this app needs to know
  about a wish (where it came from, the worker it became) without touching WorkWish's own fields.
- ``EntryEvent``: one row per status change of a demand or a wish (who, when, from, to, note).
- ``ImportBatch``: one spreadsheet imported into either list; ``ImportDraft``: an uploaded sheet waiting
  for its preview to be confirmed (the staging area, never the lists); ``ImportMapping``: which column is
  which in a community's sheets, remembered by the header row's signature; ``Skill``: a community's own
  skill words (钉扣, 穿线), each under a process kind.

Statuses move only through ``matching.services``, checked against ``DEMAND_TRANSITIONS`` and
``WISH_TRANSITIONS``. Quantities are pieces or hours a week (ints); dates are Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshop.models import PartnerFirm, ProcessKind, WishStatus, Worker, Workshop, WorkWish
from workshop.search import SearchKeyField
from workshop.validators import mask_id_number, validate_id_number


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
    "piece_rate",
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
    piece_rate = models.DecimalField(
        _("计件单价(元/件)"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"), message=_("计件单价要大于0,例如 0.12 元/件。"))],
        help_text=_("企业给的每件加工费,可不填"),
    )
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
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        help_text=_("只显示前3位和后4位"),
    )
    skill_words = models.JSONField(
        _("技能(原话)"), default=list, blank=True, help_text=_("表格里写的技能,如 钉扣、穿线")
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

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


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


def community_of(workshop: Workshop) -> dict[str, str]:
    """The community a workshop is in, as the fields ``Skill`` and ``ImportMapping`` are keyed by."""
    return {"county": workshop.county, "subdistrict": workshop.subdistrict, "community": workshop.community}


class Skill(models.Model):
    """A skill word a community uses (钉扣, 穿线) that the built-in words do not know, filed under a process
    kind so matching still works. Added by a community admin, with one click on an import's preview; a
    community is the (county, subdistrict, community) of its workshops, as for ``CommunityAdmin``."""

    county = models.CharField(_("县"), max_length=100)
    subdistrict = models.CharField(_("街道/镇"), max_length=100)
    community = models.CharField(_("社区/村"), max_length=100)
    name = models.CharField(_("技能"), max_length=20)
    process_kind = models.CharField(_("属于哪类工序"), max_length=20, choices=ProcessKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("添加人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("社区技能")
        verbose_name_plural = _("社区技能")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "subdistrict", "community", "name"], name="skill_unique_per_community"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_process_kind_display()})"


class ImportMapping(models.Model):
    """Which column of a community's sheet is which field, chosen on the column-mapping page and used
    again for the next sheet with the same header row (``signature``: a hash of the header's cells)."""

    county = models.CharField(_("县"), max_length=100)
    subdistrict = models.CharField(_("街道/镇"), max_length=100)
    community = models.CharField(_("社区/村"), max_length=100)
    kind = models.CharField(_("清单"), max_length=20, choices=ImportKind.choices)
    signature = models.CharField(_("表头指纹"), max_length=64)
    headers = models.JSONField(_("表头"), default=list)
    columns = models.JSONField(_("列对应"), default=dict, help_text=_("字段 → 列序号(从0起)"))
    filename = models.CharField(_("设定时的文件"), max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设定人"), on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("设定时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "subdistrict", "community", "kind", "signature"],
                name="import_mapping_unique_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.get_kind_display()} {self.filename}"


class ImportDraft(models.Model):
    """An uploaded sheet as text, between the upload and the confirm (the staging area: nothing here is on
    the lists). Only its uploader opens it, for ``MAX_AGE``; confirming deletes it. ``header_row`` and
    ``columns`` are what the mapping page chose (None: found from the header, or remembered)."""

    MAX_AGE = dt.timedelta(hours=2)

    token = models.CharField(max_length=43, unique=True)
    kind = models.CharField(_("清单"), max_length=20, choices=ImportKind.choices)
    workshop = models.ForeignKey(Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("文件名"), max_length=200)
    attest = models.BooleanField(default=False)
    rows = models.JSONField(default=list, help_text=_("[表格行号, [单元格文字…]]"))
    header_row = models.PositiveIntegerField(null=True, blank=True)
    columns = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待确认的导入")
        verbose_name_plural = _("待确认的导入")

    def __str__(self) -> str:
        return self.filename
