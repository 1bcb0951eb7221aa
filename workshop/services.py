"""Writes on workshop records that are not part of the job flow: workers' PINs and sign-in links,
residents' wishes to work (the supply list), and how a pairing's firm sees the workshop's workers.

A worker signs in on the phone pages with their phone number and a 6-digit PIN that the head sets, or
with a one-tap link (printed as a QR code by the head) carrying a signed, expiring, revocable token.
Errors: ``ValidationError`` (bad PIN, in Chinese), ``PermissionDenied`` (not the worker's head or
community admin).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .lockout import lockout_key
from .models import (
    Courier,
    MinimumWage,
    Pairing,
    PairingChange,
    PairingSetting,
    ProcessKind,
    WishStatus,
    Worker,
    Workshop,
    WorkWish,
)
from .roles import scope_for
from .selectors import minimum_wage_place
from .validators import bank_account_digits, validate_bank_account

SIGNIN_SALT = "nuanxin.worker-signin"
WEAK_PINS = {"123456", "654321", "123123", "112233", "121212"}


def _check_manager(actor, worker: Worker) -> None:
    if not scope_for(actor).manages(worker):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))


def validate_pin(pin: str) -> str:
    """A PIN is exactly 6 digits and not trivially guessable (one digit repeated, 123456, ...)."""
    pin = (pin or "").strip()
    if len(pin) != 6 or not pin.isdigit():
        raise ValidationError(_("PIN 必须是6位数字。"), code="pin_format")
    if len(set(pin)) == 1 or pin in WEAK_PINS:
        raise ValidationError(_("这个 PIN 太容易被猜到,请换一个。"), code="pin_weak")
    return pin


@transaction.atomic
def worker_set_pin(*, actor, worker: Worker, pin: str) -> Worker:
    """Set or reset ``worker``'s PIN (the head or a community admin does it). Stores only a hash, and
    lifts any lockout of the worker's phone or username (django-axes)."""
    _check_manager(actor, worker)
    pin = validate_pin(pin)
    Worker.objects.filter(pk=worker.pk).update(pin_hash=make_password(pin))
    worker.refresh_from_db(fields=["pin_hash"])
    # A new PIN is the head's answer to a locked-out worker: lift the lockout at once, on the phone page
    # (counted under the phone's keyed hash) and on the password page (counted under the username).
    axes_reset(username=lockout_key(None, {"phone": str(worker.phone)}))
    axes_reset(username=worker.user.username)
    return worker


@transaction.atomic
def worker_set_bank(*, actor, worker: Worker, bank_account: str, bank_name: str) -> Worker:
    """Record where ``worker``'s wage is transferred (代发工资): her account number (12–19 digits, spaces
    removed; empty clears it) and bank (开户行, up to 60 characters, blank allowed). The head or a
    community admin does it. Raises PermissionDenied, ValidationError in words; nothing is written then."""
    _check_manager(actor, worker)
    account = bank_account_digits(bank_account)
    if account:
        validate_bank_account(account)
    name = " ".join("".join(c for c in (bank_name or "") if c.isprintable()).split())
    if len(name) > 60:
        raise ValidationError({"bank_name": _("开户行最多60字。")})
    if account and not name:
        raise ValidationError({"bank_name": _("请填写开户行,例如“农业银行海盐支行”。")})
    Worker.objects.filter(pk=worker.pk).update(bank_account=account, bank_name=name)
    worker.bank_account, worker.bank_name = account, name
    return worker


def worker_check_pin(worker: Worker, pin: str) -> bool:
    """True when ``pin`` is the worker's PIN. Constant-time; False when no PIN is set."""
    return pin_matches(worker, pin)


def pin_matches(person: Worker | Courier, pin: str) -> bool:
    """True when ``pin`` is the PIN of a worker or a courier. Constant-time; False when no PIN is set."""
    return bool(person.pin_hash) and check_password(pin, person.pin_hash)


@transaction.atomic
def courier_create(*, actor, workshop: Workshop, name: str, phone: str, pin: str) -> Courier:
    """Add a courier (配送员) to ``workshop`` with a sign-in PIN: the head or a community admin of the
    workshop does it. The phone (a mainland mobile) may not be a worker's or another courier's, so one
    phone signs in one person. Raises PermissionDenied, ValidationError (in words)."""
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(workshop.pk)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    name = (name or "").strip()
    if not name or len(name) > 50 or not name.isprintable():
        raise ValidationError(_("请填写姓名(最多50字)。"))
    pin = validate_pin(pin)
    courier = Courier(workshop=workshop, name=name, phone=phone)
    courier.full_clean(exclude=["user"], validate_unique=False)
    if (
        Worker.objects.filter(phone=courier.phone).exists()
        or Courier.objects.filter(phone=courier.phone).exists()
    ):
        raise ValidationError(_("这个手机号已经登记过了,一个手机号只能登录一个人。"))
    user = get_user_model().objects.create_user(
        username=f"courier-{secrets.token_hex(6)}", first_name=name[:150]
    )
    courier.user = user
    courier.pin_hash = make_password(pin)
    courier.save()
    return courier


@transaction.atomic
def courier_set_pin(*, actor, courier: Courier, pin: str) -> Courier:
    """Reset a courier's PIN (the head or a community admin of her workshop), lifting a lockout of her
    phone. Raises PermissionDenied, ValidationError."""
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(courier.workshop_id)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    pin = validate_pin(pin)
    Courier.objects.filter(pk=courier.pk).update(pin_hash=make_password(pin))
    courier.refresh_from_db(fields=["pin_hash"])
    axes_reset(username=lockout_key(None, {"phone": str(courier.phone)}))
    return courier


@transaction.atomic
def signin_link_issue(*, actor, worker: Worker) -> str:
    """A signed token for a one-tap sign-in link (``/m/t/<token>/``), valid for
    ``settings.NUANXIN_SIGNIN_LINK_DAYS`` days or until revoked. Carries only the worker id and a nonce."""
    _check_manager(actor, worker)
    if not worker.signin_nonce:
        worker.signin_nonce = secrets.token_hex(8)
        Worker.objects.filter(pk=worker.pk, signin_nonce="").update(signin_nonce=worker.signin_nonce)
        worker.refresh_from_db(fields=["signin_nonce"])
    return signing.dumps({"w": worker.pk, "n": worker.signin_nonce}, salt=SIGNIN_SALT, compress=True)


@transaction.atomic
def signin_link_revoke(*, actor, worker: Worker) -> Worker:
    """Revoke every sign-in link issued to ``worker`` so far (a lost phone, a printed QR gone astray)."""
    _check_manager(actor, worker)
    Worker.objects.filter(pk=worker.pk).update(signin_nonce=secrets.token_hex(8))
    worker.refresh_from_db(fields=["signin_nonce"])
    return worker


def signin_token_worker(token: str) -> Worker | None:
    """The active worker a sign-in token belongs to, or None if it is forged, expired or revoked."""
    try:
        data = signing.loads(token, salt=SIGNIN_SALT, max_age=settings.NUANXIN_SIGNIN_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    worker = Worker.objects.select_related("user").filter(pk=data.get("w"), active=True).first()
    if (
        worker is None
        or not worker.signin_nonce
        or not secrets.compare_digest(worker.signin_nonce, data.get("n", ""))
    ):
        return None
    return worker


@transaction.atomic
def work_wish_submit(
    *,
    name: str,
    phone: str,
    skills: list[str],
    hours_per_week: int,
    work_place: str,
    area: str,
    low_income: bool = False,
    consent: bool = False,
    workshop: Workshop | None = None,
) -> tuple[WorkWish, bool]:
    """Put a resident's wish to work (就业意向) on the supply list; returns ``(wish, created)``.

    One entry per phone: a second entry with the same phone updates the first (details, and a closed
    entry opens again as new; one being followed up keeps its status). ``low_income`` is a
    self-declaration and needs ``consent`` to the current consent text (``WorkWish.CONSENT_VERSION``);
    unticking it clears the declaration and its consent. Anyone may call this (the page is public), so
    it never returns or reveals what an earlier entry held. Locks the phone's row when it exists.
    Raises ValidationError (in Chinese).
    """
    if low_income and not consent:
        raise ValidationError({"consent": _("申报低收入需要先勾选同意。")}, code="consent_required")
    if not skills or not set(skills) <= set(ProcessKind.values):
        raise ValidationError({"skills": _("请至少选一样会做的活。")}, code="skills")
    wish = WorkWish.objects.select_for_update().filter(phone=phone).first()
    created = wish is None
    if created:
        wish = WorkWish(phone=phone)
    wish.name = name.strip()
    wish.skills = sorted(set(skills))
    wish.hours_per_week = hours_per_week
    wish.work_place = work_place
    wish.area = area.strip()
    if workshop is not None:
        wish.workshop = workshop
    if low_income:
        wish.low_income = True
        wish.low_income_consent_at = timezone.now()
        wish.consent_version = WorkWish.CONSENT_VERSION
    else:
        wish.low_income, wish.low_income_consent_at, wish.consent_version = False, None, ""
    if wish.status == WishStatus.CLOSED:
        wish.status = WishStatus.NEW
    wish.full_clean()
    wish.save()
    return wish, created


@transaction.atomic
def minimum_wage_add(
    *,
    actor,
    tier: int,
    tier1_hourly: Decimal,
    tier2_hourly: Decimal,
    tier3_hourly: Decimal,
    effective_from: dt.date,
    source: str = "",
) -> MinimumWage:
    """Append a part-time minimum hourly wage row (yuan/hour for the three tiers, and the tier that
    applies) for ``actor``'s community (a superuser: the default for every workshop), in force from
    ``effective_from``. Rows are never edited: the earlier rows stay as the history of figures.

    Raises PermissionDenied unless ``actor`` is a community admin (or a superuser); ValidationError (in
    Chinese) when a figure is not positive or the tiers are out of order (第一档 ≥ 第二档 ≥ 第三档).
    """
    place = minimum_wage_place(actor)
    if place is None:
        raise PermissionDenied(_("只有社区管理员可以设置最低工资标准。"))
    if not (tier1_hourly >= tier2_hourly >= tier3_hourly > 0):
        raise ValidationError(_("三档标准应为正数,且第一档 ≥ 第二档 ≥ 第三档。"), code="tiers_order")
    county, subdistrict, community = place
    row = MinimumWage(
        county=county,
        subdistrict=subdistrict,
        community=community,
        tier=tier,
        tier1_hourly=tier1_hourly,
        tier2_hourly=tier2_hourly,
        tier3_hourly=tier3_hourly,
        effective_from=effective_from,
        source=source.strip(),
        set_by=actor,
    )
    row.full_clean()
    row.save()
    return row


WORKER_SHOWN_BY = ("name", "number")


@transaction.atomic
def pairing_show_workers(*, actor, pairing: Pairing, by: str) -> Pairing:
    """The head decides how ``pairing``'s firm sees the workshop's workers: ``by`` is ``"name"`` or
    ``"number"`` (the number on her bundle tickets, "12号坊工"). Every firm page, message and spreadsheet
    follows it at once (``Scope.worker_label``). A change is kept as a ``PairingChange`` row (who, when,
    from, to) in the same transaction; choosing what is already set writes nothing.

    ``actor``: the workshop's head, a community admin over it or a superuser. Locks the pairing row.
    Raises PermissionDenied, ValidationError (``by`` neither)."""
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(pairing.workshop_id)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    if by not in WORKER_SHOWN_BY:
        raise ValidationError(_("请选择企业看到坊工的姓名还是编号。"))
    locked = Pairing.objects.select_for_update().get(pk=pairing.pk)
    before = "name" if locked.firm_sees_names else "number"
    if before != by:
        Pairing.objects.filter(pk=locked.pk).update(firm_sees_names=by == "name")
        PairingChange.objects.create(
            pairing=locked, setting=PairingSetting.WORKER_NAMES, before=before, after=by, changed_by=actor
        )
    pairing.firm_sees_names = by == "name"
    return pairing
