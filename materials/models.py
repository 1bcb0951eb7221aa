"""The materials ledger: bill-of-materials lines, movements between holders, and balances.

Quantities are ``Decimal`` with 3 places in the line's unit; a whole unit (个, 件, 张, 套) only ever holds
whole numbers (checked by the services), a measured one (米, 千克) any multiple of 0.001. Movements are
never edited or deleted: a correction is a new movement. Balances exist for the two holders that can hold
material, the workshop's store, each worker and each courier (material on her vehicle between the store and a
worker's door), and the database refuses a negative one. A worker's
report of a shortage or a damaged part (``MaterialProblem``) is kept beside the ledger, never in it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshop.models import Courier, Worker

QTY_PLACES = Decimal("0.001")


class Unit(models.TextChoices):
    EACH = "ge", _("个")
    PIECE = "jian", _("件")
    SHEET = "zhang", _("张")
    SET = "tao", _("套")
    METRE = "m", _("米")
    KILOGRAM = "kg", _("千克")


WHOLE_UNITS = frozenset({Unit.EACH, Unit.PIECE, Unit.SHEET, Unit.SET})


class BomLine(models.Model):
    """One material of a job's bill of materials (物料清单): ``per_piece`` of ``unit`` go into each piece,
    and up to ``loss_pct`` % more may be lost in making (损耗率). ``unit_price`` (yuan per unit, 0 = not
    priced) is what the workshop pays back for each unit lost beyond the allowance (材料超耗扣款, on the
    firm's monthly statement)."""

    job = models.ForeignKey(
        "dispatch.Job", verbose_name=_("外发单"), on_delete=models.CASCADE, related_name="bom_lines"
    )
    material = models.CharField(_("物料"), max_length=100)
    unit = models.CharField(_("单位"), max_length=10, choices=Unit.choices)
    per_piece = models.DecimalField(_("每件用量"), max_digits=12, decimal_places=4)
    loss_pct = models.DecimalField(_("允许损耗率(%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    unit_price = models.DecimalField(
        _("超耗赔付单价(元/单位)"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("超出允许损耗的部分,工坊按此单价赔付企业;0 表示不计价"),
    )

    class Meta:
        verbose_name = _("物料清单")
        verbose_name_plural = _("物料清单")
        ordering = ["job", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(per_piece__gt=0), name="bom_per_piece_positive"),
            models.CheckConstraint(
                condition=Q(loss_pct__gte=0, loss_pct__lte=100), name="bom_loss_pct_in_range"
            ),
            models.UniqueConstraint(fields=["job", "material", "unit"], name="bom_material_once_per_job"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="bom_unit_price_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.per_piece}{self.get_unit_display()}/件"

    @property
    def whole(self) -> bool:
        return self.unit in WHOLE_UNITS


class Holder(models.TextChoices):
    FIRM = "firm", _("企业")
    STORE = "store", _("工坊仓库")
    WORKER = "worker", _("坊工")
    COURIER = "courier", _("配送员")
    CONSUMED = "consumed", _("已耗用")
    SCRAP = "scrap", _("报废")
    LOST = "lost", _("损耗")


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("来料入库")
    ISSUE = "issue", _("发料")
    RETURN = "return", _("退料")
    CONSUME = "consume", _("报工耗用")
    SCRAP = "scrap", _("报废")
    RETURN_TO_FIRM = "return_to_firm", _("余料退回企业")
    LOSE = "lose", _("核销损耗")
    LOAD = "load", _("装车")
    DELIVER = "deliver", _("送料上门")
    PICK_UP = "pick_up", _("上门收回余料")
    UNLOAD = "unload", _("卸车回库")
    # An undone or corrected report gives back what its pieces used (撤销耗用): consumed → the worker.
    UNCONSUME = "unconsume", _("撤销耗用")


class Movement(models.Model):
    """One movement of material between two holders (物料流水). Append-only: never edited or deleted.

    ``worker`` is the worker whose holding changes (on an issue, return, consumption, or a scrap or loss
    at a worker), else empty; ``courier`` likewise the courier whose holding changes (a load, a delivery to a
    door, a pick-up, an unload). ``key`` makes a retried request count once."""

    line = models.ForeignKey(
        BomLine, verbose_name=_("物料"), on_delete=models.PROTECT, related_name="movements"
    )
    job = models.ForeignKey(
        "dispatch.Job", verbose_name=_("外发单"), on_delete=models.PROTECT, related_name="material_movements"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=MovementKind.choices)
    source = models.CharField(_("从"), max_length=10, choices=Holder.choices)
    target = models.CharField(_("到"), max_length=10, choices=Holder.choices)
    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    courier = models.ForeignKey(
        Courier, verbose_name=_("配送员"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3)
    assignment = models.ForeignKey(
        "dispatch.Assignment",
        verbose_name=_("派工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_movements",
    )
    report = models.ForeignKey(
        "dispatch.WorkReport",
        verbose_name=_("报工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_movements",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示系统自动"),
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    key = models.CharField(_("幂等键"), max_length=80, unique=True, null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("物料流水")
        verbose_name_plural = _("物料流水")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["job", "line"]), models.Index(fields=["worker", "line"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_quantity_positive"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="movement_between_two"),
            models.CheckConstraint(
                condition=Q(worker__isnull=True) | Q(source="worker") | Q(target="worker"),
                name="movement_worker_only_when_a_worker_holds",
            ),
            models.CheckConstraint(
                condition=Q(courier__isnull=True) | Q(source="courier") | Q(target="courier"),
                name="movement_courier_only_when_a_courier_holds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.source}→{self.target} {self.quantity}"


class Balance(models.Model):
    """What one holder (the store, one worker, or one courier) holds of one material of one job now. Kept by
    the same transaction as each movement, with a conditional update; the database refuses a negative
    balance."""

    line = models.ForeignKey(
        BomLine, verbose_name=_("物料"), on_delete=models.CASCADE, related_name="balances"
    )
    holder = models.CharField(_("持有方"), max_length=10, choices=Holder.choices)
    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    courier = models.ForeignKey(
        Courier, verbose_name=_("配送员"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "store", "worker:<id>" or "courier:<id>": one key per holder, so uniqueness needs no NULL handling.
    holder_key = models.CharField(_("持有方键"), max_length=30)
    quantity = models.DecimalField(_("结存"), max_digits=14, decimal_places=3, default=Decimal("0"))

    class Meta:
        verbose_name = _("物料结存")
        verbose_name_plural = _("物料结存")
        constraints = [
            models.UniqueConstraint(fields=["line", "holder_key"], name="balance_once_per_holder"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.line} @ {self.holder_key}: {self.quantity}"


class ProblemKind(models.TextChoices):
    SHORT = "short", _("缺料")
    DAMAGED = "damaged", _("零件损坏")


def _problem_photo_path(instance, filename: str) -> str:
    # Served only through the head's page: a name nobody can guess from another.
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "jpg").lower()[:5]
    return f"material_problems/{uuid.uuid4().hex}.{ext}"


class MaterialProblem(models.Model):
    """A worker's report from her phone that material is short or a part is damaged (缺料 / 零件损坏), with
    an optional photo. Not a movement: the ledger changes only when the head counts, issues or scraps
    what is really there. ``key`` makes a double tap count once."""

    line = models.ForeignKey(
        BomLine, verbose_name=_("物料"), on_delete=models.PROTECT, related_name="problems"
    )
    assignment = models.ForeignKey(
        "dispatch.Assignment", verbose_name=_("派工"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("问题"), max_length=10, choices=ProblemKind.choices)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    photo = models.ImageField(_("照片"), upload_to=_problem_photo_path, blank=True)
    key = models.CharField(_("幂等键"), max_length=80, unique=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("物料问题上报")
        verbose_name_plural = _("物料问题上报")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="problem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.line.material} {self.quantity}"
