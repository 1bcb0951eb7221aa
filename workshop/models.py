"""Workshops, partner firms, production lines, pairings, workers and staff links.

Money is ``Decimal`` in yuan; quantities are integer pieces; dates are Asia/Shanghai.
Terms follow ../shared/GLOSSARY.md.
"""

from __future__ import annotations

import functools
import operator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from . import industries
from .courier_record import CourierAction, CourierEvent  # noqa: F401 (models of this app)
from .fields import MobileNumberField
from .search import SearchKeyField
from .validators import (
    mask_bank_account,
    mask_id_number,
    mask_phone,
    validate_bank_account,
    validate_credit_code,
    validate_id_number,
)
from .wages import ZHEJIANG_2024, MinimumWage, WageTier  # noqa: F401 (models of this app)


class ProcessKind(models.TextChoices):
    ASSEMBLY = "assembly", _("零件装配")
    FABRIC = "fabric", _("布料加工")
    PACKAGING = "packaging", _("产品包装")
    OTHER = "other", _("其他")


class Workshop(models.Model):
    """A community outwork workshop (工坊), e.g. 暖心坊 of 新街社区."""

    name = models.CharField(_("名称"), max_length=100)
    community = models.CharField(_("社区/村"), max_length=100)
    subdistrict = models.CharField(_("街道/镇"), max_length=100)
    county = models.CharField(_("县"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("坊长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_workshops",
    )
    operator = models.CharField(_("运营方"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工坊")
        verbose_name_plural = _("工坊")
        constraints = [
            models.UniqueConstraint(fields=["county", "community", "name"], name="workshop_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.community}·{self.name}"


class PartnerFirm(models.Model):
    """A partner firm (结对企业), identified by its unified social credit code (GB 32100)."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = PhoneNumberField(_("联系电话"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # 国民经济行业分类 (GB/T 4754-2017): the section (门类, A–T) and, when known, the division (大类, 01–97).
    industry = models.CharField(
        _("行业门类"), max_length=1, choices=industries.SECTION_CHOICES, blank=True, db_index=True
    )
    industry_division = models.CharField(
        _("行业大类"),
        max_length=2,
        choices=industries.DIVISION_CHOICES,
        blank=True,
        help_text=_("可不填;填了要属于所选门类。"),
    )
    search_text = SearchKeyField(names=["name", "contact"], plain=["credit_code"], phone="phone")

    class Meta:
        verbose_name = _("结对企业")
        verbose_name_plural = _("结对企业")
        constraints = [
            models.CheckConstraint(
                condition=Q(industry_division="")
                | functools.reduce(
                    operator.or_,
                    (
                        Q(industry=letter, industry_division__in=industries.divisions_of(letter))
                        for letter, _name in industries.SECTION_CHOICES
                    ),
                ),
                name="firm_division_in_section",
                violation_error_message=_("行业大类不属于所选的行业门类。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A division without a section takes its own section; a division of another section is refused
        (ValidationError on ``industry_division``)."""
        super().clean()
        if self.industry_division:
            section = industries.SECTION_OF.get(self.industry_division)
            if not self.industry:
                self.industry = section or ""
            elif section != self.industry:
                raise ValidationError({"industry_division": _("行业大类不属于所选的行业门类。")})

    @property
    def industry_label(self) -> str:
        """How the industry reads ("C 制造业 · 38 电气机械和器材制造业"), or "" when not recorded."""
        return industries.label(self.industry, self.industry_division)

    @property
    def industry_division_name(self) -> str:
        """The division's name ("电气机械和器材制造业"), or "" when not recorded."""
        return str(industries.DIVISION_NAMES.get(self.industry_division, ""))


class ProductionLine(models.Model):
    """A firm's production line whose simple manual steps are outsourced (生产线)."""

    firm = models.ForeignKey(
        PartnerFirm, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="lines"
    )
    name = models.CharField(_("生产线"), max_length=100)
    process_kind = models.CharField(_("工序类别"), max_length=20, choices=ProcessKind.choices)
    inhouse_cost_per_piece = models.DecimalField(
        _("厂内人工成本(元/件)"),
        max_digits=10,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("企业自己做这一步每件的人工成本,用于计算降本。"),
    )
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("生产线")
        verbose_name_plural = _("生产线")
        constraints = [
            models.UniqueConstraint(fields=["firm", "name"], name="line_unique_name_per_firm"),
            models.CheckConstraint(condition=Q(inhouse_cost_per_piece__gte=0), name="line_cost_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.firm.name}·{self.name}"


class OperatorFeeKind(models.TextChoices):
    NONE = "none", _("不收取")
    PERCENT = "percent", _("按加工费比例(%)")
    PER_PIECE = "per_piece", _("每件固定差额(元/件)")


class Pairing(models.Model):
    """A signed cooperation (结对) between a firm, some of its lines, and a workshop.

    The optional auto-accept rule: when ``auto_accept`` is on, a job on a paired line is accepted
    without the head if its quantity is at most ``auto_accept_max_pieces`` (pieces; blank = any) and its
    due date is at least ``auto_accept_min_lead_days`` days after issue.

    The operator's fee (运营服务费): the margin the workshop's operator keeps between the firm's piece rate
    (加工费) and what the worker is paid. ``operator_fee_kind`` says how ``operator_fee_value`` reads: a
    percentage of the piece rate (0 ≤ % < 100, at most 2 places) or yuan per piece (≥ 0, at most 4
    places); ``none`` keeps nothing (value 0). Each job takes a snapshot when it is issued
    (``Job.operator_fee_per_piece``), so a later change touches no issued job. The community admin sees it
    on every statement; the firm sees it only when ``operator_fee_open_to_firm`` is on.
    """

    firm = models.ForeignKey(
        PartnerFirm, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="pairings"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="pairings"
    )
    lines = models.ManyToManyField(ProductionLine, verbose_name=_("生产线"), related_name="pairings")
    signed_on = models.DateField(_("签约日期"))
    active = models.BooleanField(_("有效"), default=True)
    auto_accept = models.BooleanField(_("自动接单"), default=False)
    auto_accept_max_pieces = models.PositiveIntegerField(_("自动接单上限(件)"), null=True, blank=True)
    auto_accept_min_lead_days = models.PositiveSmallIntegerField(_("自动接单最少工期(天)"), default=2)
    operator_fee_kind = models.CharField(
        _("运营服务费方式"), max_length=10, choices=OperatorFeeKind.choices, default=OperatorFeeKind.NONE
    )
    operator_fee_value = models.DecimalField(
        _("运营服务费"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("按比例时填百分数(如 10 表示 10%);按件时填每件元数。"),
    )
    operator_fee_open_to_firm = models.BooleanField(
        _("对企业公开运营服务费"), default=False, help_text=_("打开后,企业在对账单上也能看到运营服务费。")
    )
    # How the firm's staff see this workshop's workers (坊工), the head's choice: by name, or by the number
    # printed on the bundle tickets (``Worker.number_label``). Changed only by
    # ``workshop.pairings.pairing_show_workers``, which keeps each change (``PairingChange``).
    firm_sees_names = models.BooleanField(
        _("企业看到坊工姓名"),
        default=True,
        help_text=_("关掉后,企业在所有页面和导出里只看到坊工的编号(如“12号坊工”)。"),
    )

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        constraints = [
            models.UniqueConstraint(fields=["firm", "workshop"], name="pairing_unique"),
            models.CheckConstraint(
                condition=Q(operator_fee_kind="none", operator_fee_value=0)
                | Q(operator_fee_kind="percent", operator_fee_value__gte=0, operator_fee_value__lt=100)
                | Q(operator_fee_kind="per_piece", operator_fee_value__gte=0),
                name="pairing_operator_fee_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm} ⇄ {self.workshop}"

    def clean(self) -> None:
        """The operator's fee leaves the worker something on every job: a percentage below 100 with at most
        2 places, a per-piece fee ≥ 0 with at most 4 (a per-piece fee at or above a job's rate is refused
        when that job is issued). Raises ValidationError on ``operator_fee_value``."""
        super().clean()
        kind, value = self.operator_fee_kind, self.operator_fee_value
        if value is None:
            return
        if kind == OperatorFeeKind.NONE and value != 0:
            raise ValidationError({"operator_fee_value": _("不收取运营服务费时,金额应为0。")})
        if kind == OperatorFeeKind.PERCENT and (
            not Decimal("0") <= value < Decimal("100") or value != value.quantize(Decimal("0.01"))
        ):
            raise ValidationError({"operator_fee_value": _("比例在0到100之间(不含100),最多2位小数。")})
        if kind == OperatorFeeKind.PER_PIECE and value < 0:
            raise ValidationError({"operator_fee_value": _("每件差额不能小于0。")})

    def auto_accept_terms(self) -> dict:
        """The auto-accept rule as a job keeps it when the rule takes the job (``Job.auto_accept_rule``):
        ``{"max_pieces": int | None (None: any number), "min_lead_days": int}``."""
        return {"max_pieces": self.auto_accept_max_pieces, "min_lead_days": self.auto_accept_min_lead_days}

    def auto_accepts(self, *, quantity: int, lead_days: int) -> bool:
        """True when the auto-accept rule covers a job of ``quantity`` pieces due in ``lead_days`` days."""
        if not (self.active and self.auto_accept):
            return False
        if self.auto_accept_max_pieces is not None and quantity > self.auto_accept_max_pieces:
            return False
        return lead_days >= self.auto_accept_min_lead_days


class PairingSetting(models.TextChoices):
    WORKER_NAMES = "firm_sees_names", _("企业看到坊工姓名还是编号")


class PairingChange(models.Model):
    """One change of a pairing's setting by the head (or a community admin): what, from, to, who, when.
    Append-only: the history of a pairing's choices (``workshop.pairings.pairing_show_workers``)."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.CASCADE, related_name="changes"
    )
    setting = models.CharField(_("设置"), max_length=30, choices=PairingSetting.choices)
    before = models.CharField(_("原来"), max_length=30)
    after = models.CharField(_("改为"), max_length=30)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对设置记录")
        verbose_name_plural = _("结对设置记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.setting}: {self.before} → {self.after}"


class Employment(models.TextChoices):
    FIXED = "fixed", _("固定坊工")
    PART_TIME = "part_time", _("兼职坊工")


class WorkPlace(models.TextChoices):
    WORKSHOP = "workshop", _("在工坊做")
    HOME = "home", _("在家做")


class Worker(models.Model):
    """A resident who does piecework (坊工). ``low_income`` is sensitive: community admins only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="worker"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = MobileNumberField(_("手机号"), unique=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    employment = models.CharField(_("用工类型"), max_length=20, choices=Employment.choices)
    low_income = models.BooleanField(_("低收入"), default=False)
    skills = models.JSONField(_("技能"), default=list, blank=True, help_text=_("工序类别列表"))
    hours_per_week = models.PositiveSmallIntegerField(_("每周可用工时(小时)"), default=20)
    work_place = models.CharField(
        _("做工地点"), max_length=20, choices=WorkPlace.choices, default=WorkPlace.WORKSHOP
    )
    home_area = models.CharField(_("居住片区"), max_length=100, blank=True)
    home_address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    baseline_income_yuan = models.DecimalField(
        _("加入前年收入(元)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    # Where her wage is transferred (代发工资): digits only; shown masked but for the last 4 everywhere
    # except the bank transfer list the head downloads.
    bank_account = models.CharField(
        _("收款账号"), max_length=19, blank=True, validators=[validate_bank_account]
    )
    bank_name = models.CharField(_("开户行"), max_length=60, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    # Sign-in for the phone pages: a 6-digit PIN (hashed like a password) that the head sets, and a
    # nonce inside every one-tap sign-in link: changing it revokes all links issued before.
    pin_hash = models.CharField(_("PIN(已加密)"), max_length=128, blank=True, editable=False)
    signin_nonce = models.CharField(_("登录链接标识"), max_length=32, blank=True, editable=False)
    search_text = SearchKeyField(names=["name"], phone="phone")

    class Meta:
        verbose_name = _("坊工")
        verbose_name_plural = _("坊工")
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_week__lte=84), name="worker_hours_sane"),
            models.CheckConstraint(
                condition=Q(baseline_income_yuan__gte=0), name="worker_baseline_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def bank_account_masked(self) -> str:
        return mask_bank_account(self.bank_account)

    def has_skill(self, kind: str) -> bool:
        return kind in (self.skills or [])

    @property
    def number_label(self) -> str:
        """How she is shown where her name is not: "12号坊工" (``worker_number_label``)."""
        return worker_number_label(self.pk)


def worker_number_label(pk: int) -> str:
    """A worker shown by number instead of her name: "12号坊工", her number being the one printed on her
    bundle tickets (编号: the row id, never reused, never changed), in the active language."""
    return gettext("%(n)s号坊工") % {"n": pk}


class FirmStaff(models.Model):
    """A user who issues jobs and inspects goods for one partner firm (企业专员/质检员)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="firm_staff"
    )
    firm = models.ForeignKey(
        PartnerFirm, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="staff"
    )

    class Meta:
        verbose_name = _("企业专员")
        verbose_name_plural = _("企业专员")

    def __str__(self) -> str:
        return f"{self.firm} · {self.user}"


class CommunityAdmin(models.Model):
    """Community staff (社区管理员): sees the workshops of their community."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="community_admin",
    )
    community = models.CharField(_("社区/村"), max_length=100)
    subdistrict = models.CharField(_("街道/镇"), max_length=100)
    county = models.CharField(_("县"), max_length=100)

    class Meta:
        verbose_name = _("社区管理员")
        verbose_name_plural = _("社区管理员")

    def __str__(self) -> str:
        return f"{self.community} · {self.user}"

    def workshops(self):
        return Workshop.objects.filter(
            community=self.community, subdistrict=self.subdistrict, county=self.county
        )


class CountyOfficial(models.Model):
    """County staff (县级): read-only figures of every workshop of their county (the impact report), never
    a person's data (``workshop.roles.COUNTY``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="county_official",
    )
    county = models.CharField(_("县"), max_length=100)

    class Meta:
        verbose_name = _("县级人员")
        verbose_name_plural = _("县级人员")

    def __str__(self) -> str:
        return f"{self.county} · {self.user}"

    def workshops(self):
        return Workshop.objects.filter(county=self.county)


class WishStatus(models.TextChoices):
    NEW = "new", _("新登记")
    CONTACTED = "contacted", _("已联系")
    MATCHED = "matched", _("已对接")
    ENROLLED = "enrolled", _("已入坊")
    CLOSED = "closed", _("已关闭")


class WorkWish(models.Model):
    """A resident's wish to work (就业意向), an entry of the community's supply list (供给清单).

    Left on the public page ``/m/join/``; one row per phone (a second entry updates the first).
    ``low_income`` is a self-declaration given with consent (when and to which text version): sensitive,
    community admins only.
    """

    CONSENT_VERSION = "2025-1"

    workshop = models.ForeignKey(
        Workshop,
        verbose_name=_("意向工坊"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_wishes",
        help_text=_("从某个工坊的海报二维码进入时记下;空表示社区统一安排"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = MobileNumberField(_("手机号"), unique=True)
    skills = models.JSONField(_("会做的活"), default=list, blank=True, help_text=_("工序类别列表"))
    hours_per_week = models.PositiveSmallIntegerField(_("每周能做(小时)"))
    work_place = models.CharField(_("做工地点"), max_length=20, choices=WorkPlace.choices)
    area = models.CharField(_("居住片区"), max_length=100)
    low_income = models.BooleanField(_("低收入(本人申报)"), default=False)
    low_income_consent_at = models.DateTimeField(_("同意使用低收入信息的时间"), null=True, blank=True)
    consent_version = models.CharField(_("同意书版本"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=WishStatus.choices, default=WishStatus.NEW)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    search_text = SearchKeyField(names=["name"], phone="phone")

    class Meta:
        verbose_name = _("就业意向")
        verbose_name_plural = _("就业意向(供给清单)")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1, hours_per_week__lte=84), name="wish_hours_sane"
            ),
            models.CheckConstraint(
                condition=Q(low_income=False) | Q(low_income_consent_at__isnull=False),
                name="wish_low_income_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Preference(models.Model):
    """One user's preferences. ``language``: the language their pages open in and their messages are
    sent in (a code of ``settings.LANGUAGES``); set by the language switch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(
        _("语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("用户偏好")
        verbose_name_plural = _("用户偏好")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class Courier(models.Model):
    """A courier (配送员) of one workshop: takes material kits to home workers' doors and collects finished
    bundles (送货上门、集中回收). Signs in on the phone pages like a worker, with phone + a 6-digit PIN the
    head sets. A phone number is a worker's or a courier's, never both (``workshop.services``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="courier"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="couriers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = MobileNumberField(_("手机号"), unique=True)
    active = models.BooleanField(_("在岗"), default=True)
    pin_hash = models.CharField(_("PIN(已加密)"), max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = _("配送员")
        verbose_name_plural = _("配送员")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class WorkerAction(models.TextChoices):
    ADDED = "added", _("登记入坊")
    EDITED = "edited", _("资料已修改")
    DEACTIVATED = "deactivated", _("已停用")
    REACTIVATED = "reactivated", _("已恢复在岗")
    PIN = "pin", _("已设置 PIN")
    BANK = "bank", _("收款账号已修改")


class WorkerEvent(models.Model):
    """One change to a worker's record (坊工档案记录), append-only: who, when, what, and why.

    ``changes`` lists what changed as ``[{"field": <Worker field name>, "old": str, "new": str}, ...]``
    with personal data already masked (phone ``138****1234``, ID number ``330***********123X``, bank
    account ``**** 1234``) and choices as their codes; a PIN is never written, only that it was set.
    Written by ``workshop.services`` in the transaction of the change; never edited or deleted.
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="record_events"
    )
    action = models.CharField(_("操作"), max_length=20, choices=WorkerAction.choices)
    changes = models.JSONField(_("改动"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("坊工档案记录")
        verbose_name_plural = _("坊工档案记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["worker", "at"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
