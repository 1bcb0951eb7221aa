"""Writes on workshop records that are not part of the job flow: a worker's record (add, edit,
deactivate, reactivate, each audited), workers' PINs and sign-in links, and residents' wishes to work
(the supply list). How a pairing's firm sees the workshop's workers is ``workshop.pairings``.

A worker signs in on the phone pages with their phone number and a 6-digit PIN that the head sets, or
with a one-tap link (printed as a QR code by the head) carrying a signed, expiring, revocable token.
Errors: ``ValidationError`` (bad PIN, in Chinese), ``PermissionDenied`` (not the worker's head or
community admin).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import changes_of
from .lockout import lockout_key
from .models import (
    Courier,
    CourierAction,
    CourierEvent,
    Employment,
    ProcessKind,
    WishStatus,
    Worker,
    WorkerAction,
    WorkerEvent,
    WorkPlace,
    Workshop,
    WorkWish,
)
from .roles import scope_for
from .text import clean_pin
from .validators import (
    bank_account_digits,
    check_id_number,
    clean_person_name,
    parse_mainland_mobile,
    validate_bank_account,
)

SIGNIN_SALT = "nuanxin.worker-signin"
WEAK_PINS = {"123456", "654321", "123123", "112233", "121212"}


def _check_manager(actor, worker: Worker) -> None:
    if not scope_for(actor).manages(worker):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))


def validate_pin(pin: str) -> str:
    """A PIN is exactly 6 digits and not trivially guessable (one digit repeated, 123456, ...).

    ASCII or full-width digits only, full-width ones turned into ASCII by NFKC; superscript and other
    scripts' digits are refused (``workshop.text.clean_pin``). Returns the ASCII PIN."""
    pin = clean_pin(pin, length=6)
    if len(set(pin)) == 1 or pin in WEAK_PINS:
        raise ValidationError(_("这个 PIN 太容易被猜到,请换一个。"), code="pin_weak")
    return pin


def _lift_lockout(person: Worker | Courier) -> None:
    """Lift any sign-in lockout of a worker or courier (django-axes): on the phone page (counted under the
    phone's keyed hash) and on the password page (counted under the username)."""
    axes_reset(username=lockout_key(None, {"phone": str(person.phone)}))
    axes_reset(username=person.user.username)


@transaction.atomic
def worker_set_pin(*, actor, worker: Worker, pin: str) -> Worker:
    """Set or reset ``worker``'s PIN (the head or a community admin does it). Stores only a hash, and
    lifts any lockout of the worker's phone or username (django-axes)."""
    _check_manager(actor, worker)
    pin = validate_pin(pin)
    Worker.objects.filter(pk=worker.pk).update(pin_hash=make_password(pin))
    worker.refresh_from_db(fields=["pin_hash"])
    WorkerEvent.objects.create(worker=worker, action=WorkerAction.PIN, actor=actor)  # never the PIN itself
    # A new PIN is the head's answer to a locked-out worker: lift the lockout at once.
    _lift_lockout(worker)
    return worker


@transaction.atomic
def worker_set_bank(*, actor, worker: Worker, bank_account: str, bank_name: str) -> Worker:
    """Record where ``worker``'s wage is transferred (代发工资): her account number (12–19 digits, spaces
    removed; empty clears it) and bank (开户行, up to 60 characters, blank allowed). The head or a
    community admin does it, audited (the account masked but for its last 4). Raises PermissionDenied,
    ValidationError in words; nothing is written then."""
    _check_manager(actor, worker)
    account = bank_account_digits(bank_account)
    if account:
        validate_bank_account(account)
    name = " ".join("".join(c for c in (bank_name or "") if c.isprintable()).split())
    if len(name) > 60:
        raise ValidationError({"bank_name": _("开户行最多60字。")})
    if account and not name:
        raise ValidationError({"bank_name": _("请填写开户行,例如“农业银行海盐支行”。")})
    changes = changes_of(worker, {"bank_account": account, "bank_name": name})
    Worker.objects.filter(pk=worker.pk).update(bank_account=account, bank_name=name)
    worker.bank_account, worker.bank_name = account, name
    if changes:
        WorkerEvent.objects.create(worker=worker, action=WorkerAction.BANK, changes=changes, actor=actor)
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
    _check_covers(actor, workshop.pk)
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
    _check_covers(actor, courier.workshop_id)
    pin = validate_pin(pin)
    Courier.objects.filter(pk=courier.pk).update(pin_hash=make_password(pin))
    courier.refresh_from_db(fields=["pin_hash"])
    _lift_lockout(courier)
    return courier


@transaction.atomic
def courier_deactivate(*, actor, courier: Courier, reason: str) -> Courier:
    """Stop a courier (停用): the head or a community admin of her workshop, saying why (``reason``,
    needed, up to 200 characters). She can no longer sign in (her account is made inactive: a phone signed
    in before is signed out at its next page, and reads that she was stopped), and runs are no longer
    planned for a vehicle she rides (``logistics``); runs already planned keep her name until the day is
    planned again, and a run under way is handed to another courier (``logistics.services.run_hand_over``).
    Writes a ``CourierEvent`` (stopped, with the reason). Compare-and-swap on ``active``: raises
    ValidationError when she is already stopped or no reason is given; PermissionDenied. Nothing is
    written then."""
    _check_covers(actor, courier.workshop_id)
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError({"reason": _("请写明停用的原因。")}, code="reason_required")
    if not Courier.objects.filter(pk=courier.pk, active=True).update(active=False):
        raise ValidationError(_("%(c)s 已经停用了。") % {"c": courier.name}, code="already_inactive")
    get_user_model().objects.filter(pk=courier.user_id).update(is_active=False)
    courier.refresh_from_db(fields=["active"])
    CourierEvent.objects.create(courier=courier, action=CourierAction.STOPPED, reason=reason, actor=actor)
    return courier


@transaction.atomic
def courier_reactivate(*, actor, courier: Courier, reason: str = "") -> Courier:
    """Bring a stopped courier back (恢复在岗): she signs in again with the PIN she had, any lockout of her
    phone lifted. Writes a ``CourierEvent`` (restored, with the optional reason). Compare-and-swap on
    ``active``: raises ValidationError when she is not stopped; PermissionDenied."""
    _check_covers(actor, courier.workshop_id)
    reason = _clean_reason(reason)
    if not Courier.objects.filter(pk=courier.pk, active=False).update(active=True):
        raise ValidationError(_("%(c)s 现在就在岗。") % {"c": courier.name}, code="already_active")
    get_user_model().objects.filter(pk=courier.user_id).update(is_active=True)
    _lift_lockout(courier)
    courier.refresh_from_db(fields=["active"])
    CourierEvent.objects.create(courier=courier, action=CourierAction.RESTORED, reason=reason, actor=actor)
    return courier


@transaction.atomic
def signin_link_issue(*, actor, worker: Worker) -> str:
    """A signed token for a one-tap sign-in link (``/m/t/<token>/``), valid for
    ``settings.NUANXIN_SIGNIN_LINK_DAYS`` days or until revoked. Carries only the worker id and a nonce.
    A stopped worker (停用) gets none: ``ValidationError`` (a printed QR would only say so when scanned)."""
    _check_manager(actor, worker)
    if not Worker.objects.filter(pk=worker.pk, active=True).exists():
        raise ValidationError(_("该坊工已停用,恢复在岗后再打印登录码。"), code="stopped")
    if not worker.signin_nonce:
        worker.signin_nonce = secrets.token_hex(8)
        Worker.objects.filter(pk=worker.pk, signin_nonce="").update(signin_nonce=worker.signin_nonce)
        worker.refresh_from_db(fields=["signin_nonce"])
    return signing.dumps({"w": worker.pk, "n": worker.signin_nonce}, salt=SIGNIN_SALT, compress=True)


def _signin_token_data(token: str) -> dict | None:
    """What a sign-in link we signed carries (``w`` the worker id, ``n`` her nonce then), within its
    ``NUANXIN_SIGNIN_LINK_DAYS``; None when forged or too old."""
    try:
        return signing.loads(token, salt=SIGNIN_SALT, max_age=settings.NUANXIN_SIGNIN_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None


def signin_token_stopped(token: str) -> bool:
    """True when ``token`` is a sign-in link we signed, within its days, for a worker who has since been
    stopped (停用): her link says so, not that it may have expired (a trial). Stopping her revoked it."""
    data = _signin_token_data(token)
    return data is not None and Worker.objects.filter(pk=data.get("w"), active=False).exists()


@transaction.atomic
def signin_link_revoke(*, actor, worker: Worker) -> Worker:
    """Revoke every sign-in link issued to ``worker`` so far (a lost phone, a printed QR gone astray)."""
    _check_manager(actor, worker)
    Worker.objects.filter(pk=worker.pk).update(signin_nonce=secrets.token_hex(8))
    worker.refresh_from_db(fields=["signin_nonce"])
    return worker


def signin_token_worker(token: str) -> Worker | None:
    """The active worker a sign-in token belongs to, or None if it is forged, expired or revoked."""
    data = _signin_token_data(token)
    if data is None:
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


# --- a worker's record: add, edit, deactivate, reactivate (each audited) ----------------------------------


# How far ahead a worker's join date may be (days): someone who starts within the month.
JOIN_AHEAD_DAYS = 31
# The earliest join date taken: community workshops (社区共富工坊) are this century's; 1900 is a typing slip
# that would spread her yearly figures over a century.
JOIN_EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class WorkerDetails:
    """What the head (or a community admin) types for a worker on the dashboard.

    ``phone``: a mainland mobile as typed; ``id_number``: a resident ID number (GB 11643), "" for none,
    None to keep the one on file (the pages never show it whole); ``skills``: ``ProcessKind`` codes;
    ``hours_per_week``: hours, 1–84; ``low_income``: None leaves it as it is (only a community admin sees
    or sets it, ``Scope.sees_low_income``); ``joined_on``: None is today on adding, unchanged on editing;
    at most ``JOIN_AHEAD_DAYS`` after today (Asia/Shanghai), not before ``JOIN_EARLIEST``.
    """

    name: str
    phone: str
    employment: str
    work_place: str
    skills: tuple[str, ...] = ()
    hours_per_week: int = 20
    id_number: str | None = ""
    home_area: str = ""
    joined_on: dt.date | None = None
    low_income: bool | None = None


def _clean_details(
    details: WorkerDetails, *, worker: Worker | None, may_set_low_income: bool
) -> tuple[dict, list[str]]:
    """The fields of ``details`` checked and normalised, as ``{field: value}``, and the ID number's
    warnings (``check_id_number``). Collects every field's problem into one ValidationError keyed by
    field, so the form shows them all at once; nothing is written here."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    warnings: list[str] = []

    def attempt(field: str, fn):
        try:
            values[field] = fn()
        except ValidationError as exc:
            msgs = exc.message_dict.get(field, exc.messages) if hasattr(exc, "error_dict") else exc.messages
            errors.setdefault(field, []).extend(msgs)

    attempt("name", lambda: clean_person_name(details.name))

    def phone():
        try:
            number = parse_mainland_mobile(details.phone)
        except ValidationError as exc:
            raise ValidationError(_("请输入11位中国大陆手机号码。")) from exc
        others = Worker.objects.filter(phone=number)
        if worker is not None:
            others = others.exclude(pk=worker.pk)
        if others.exists() or Courier.objects.filter(phone=number).exists():
            raise ValidationError(_("这个手机号已经登记过了,一个手机号只能登录一个人。"))
        return number

    attempt("phone", phone)

    if details.id_number is not None:

        def id_number():
            number = "".join((details.id_number or "").split()).upper()
            if not number:
                return ""
            warnings.extend(check_id_number(number))
            others = Worker.objects.filter(id_number=number)
            if worker is not None:
                others = others.exclude(pk=worker.pk)
            if others.exists():
                raise ValidationError(_("这个身份证号码已经登记为坊工了。"))
            return number

        attempt("id_number", id_number)

    def choice(field, allowed, message):
        def check():
            if getattr(details, field) not in allowed:
                raise ValidationError(message)
            return getattr(details, field)

        attempt(field, check)

    choice("employment", Employment.values, _("请选择用工类型。"))
    choice("work_place", WorkPlace.values, _("请选择做工地点(在家做或在工坊做)。"))

    def skills():
        chosen = sorted(set(details.skills or ()))
        if not chosen or not set(chosen) <= set(ProcessKind.values):
            raise ValidationError(_("请至少选一样会做的活。"))
        return chosen

    attempt("skills", skills)

    def hours():
        if not isinstance(details.hours_per_week, int) or not 1 <= details.hours_per_week <= 84:
            raise ValidationError(_("每周可用工时应在1到84小时之间。"))
        return details.hours_per_week

    attempt("hours_per_week", hours)

    def area():
        text = " ".join((details.home_area or "").split())
        if len(text) > 100 or not text.isprintable():
            raise ValidationError(_("居住片区最多100字,不能有控制字符。"))
        return text

    attempt("home_area", area)
    latest_join = timezone.localdate() + dt.timedelta(days=JOIN_AHEAD_DAYS)
    if details.joined_on is not None and details.joined_on > latest_join:
        # A year typed wrong (2030): the dashboard's yearly figures count her days from it.
        errors["joined_on"] = [_("加入日期最晚是%(d)s(一个月内要来的)。") % {"d": latest_join.isoformat()}]
    elif details.joined_on is not None and details.joined_on < JOIN_EARLIEST:
        errors["joined_on"] = [_("加入日期最早是%(d)s。") % {"d": JOIN_EARLIEST.isoformat()}]
    elif details.joined_on is not None:
        values["joined_on"] = details.joined_on
    elif worker is None:
        values["joined_on"] = timezone.localdate()
    if details.low_income is not None:
        if not may_set_low_income:
            raise PermissionDenied(_("低收入情况只有社区管理员可以查看和修改。"))
        values["low_income"] = bool(details.low_income)
    if errors:
        raise ValidationError(errors)
    return values, warnings


def _check_covers(actor, workshop_id: int) -> None:
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(workshop_id)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))


def _record(*, worker: Worker, action: str, actor, changes: list[dict], note: str = "") -> WorkerEvent:
    return WorkerEvent.objects.create(worker=worker, action=action, changes=changes, actor=actor, note=note)


def _clean_reason(reason: str) -> str:
    text = " ".join("".join(c for c in (reason or "") if c.isprintable()).split())
    if len(text) > 200:
        raise ValidationError({"reason": _("原因最多200字。")})
    return text


def worker_details_problems(
    *, actor, details: WorkerDetails, worker: Worker | None = None, pin: str | None = None
) -> dict:
    """Every field's problem with ``details`` (and ``pin`` when one is typed) as ``worker_add`` (``worker``
    None) or ``worker_edit`` would find it, as ``{field: [message, ...]}`` ({} when none); writes nothing
    and locks nothing. For a form that failed its own checks, so the page names the rest too (a phone
    already registered beside an hours figure out of range) rather than one round after another."""
    problems: dict = {}
    try:
        _clean_details(details, worker=worker, may_set_low_income=scope_for(actor).sees_low_income)
    except ValidationError as exc:
        problems = exc.message_dict
    if pin:
        try:
            validate_pin(pin)
        except ValidationError as exc:
            problems["pin"] = exc.messages
    return problems


@transaction.atomic
def worker_add(*, actor, workshop: Workshop, details: WorkerDetails, pin: str) -> tuple[Worker, list[str]]:
    """Add a worker (坊工) to ``workshop`` with a 6-digit sign-in PIN (``validate_pin``; only its hash is
    stored): the workshop's head or a community admin over it. Creates her account (a generated
    username, no usable password: she signs in on the phone pages with her phone and the PIN) and an
    audit row (``WorkerAction.ADDED``: each field set, personal data masked, never the PIN).

    Returns ``(worker, warnings)``: warnings are the ID number's that do not refuse it (an area code not
    checked). Raises PermissionDenied; ValidationError keyed by field, in words (``_clean_details``:
    empty name or control characters in it, a phone not a mainland mobile or already a worker's or
    courier's, a bad ID number, ...; ``pin`` for a bad PIN). Nothing is written then.
    """
    _check_covers(actor, workshop.pk)
    problems: dict = {}  # every field's problem in one round, a weak PIN's too
    try:
        values, warnings = _clean_details(
            details, worker=None, may_set_low_income=scope_for(actor).sees_low_income
        )
    except ValidationError as exc:
        problems = exc.message_dict
    try:
        pin = validate_pin(pin)
    except ValidationError as exc:
        problems["pin"] = exc.messages
    if problems:
        raise ValidationError(problems)
    user = get_user_model()(username=f"worker-{secrets.token_hex(6)}", first_name=values["name"][:150])
    user.set_unusable_password()
    worker = Worker(workshop=workshop, pin_hash=make_password(pin), **values)
    worker.full_clean(exclude=["user", "phone"], validate_unique=False)
    try:
        with transaction.atomic():
            user.save()
            worker.user = user
            worker.save()
    except IntegrityError as exc:  # the same phone added at the same moment elsewhere
        raise ValidationError({"phone": _("这个手机号已经登记过了,一个手机号只能登录一个人。")}) from exc
    _record(worker=worker, action=WorkerAction.ADDED, actor=actor, changes=changes_of(None, values))
    return worker, warnings


@transaction.atomic
def worker_edit(*, actor, worker: Worker, details: WorkerDetails) -> tuple[Worker, list[str]]:
    """Change a worker's record: her workshop's head or a community admin over it. Locks her row, checks
    every field as ``worker_add`` does, saves only what changed and writes one audit row
    (``WorkerAction.EDITED``) listing each changed field as old → new, personal data masked; nothing
    when nothing changed. Her account's display name follows her name.

    Returns ``(worker, warnings)`` as ``worker_add``. Raises PermissionDenied (also when a head tries to
    set ``low_income``), ValidationError keyed by field. Nothing is written then.
    """
    _check_covers(actor, worker.workshop_id)
    current = Worker.objects.select_for_update().get(pk=worker.pk)
    values, warnings = _clean_details(
        details, worker=current, may_set_low_income=scope_for(actor).sees_low_income
    )
    changes = changes_of(current, values)
    if not changes:
        return current, warnings
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean(exclude=["user", "phone"], validate_unique=False)
    changed = [c["field"] for c in changes]
    # the search key is written on save, and only for the fields named
    key_fields = ["search_text"] if {"name", "phone"} & set(changed) else []
    try:
        with transaction.atomic():
            current.save(update_fields=changed + key_fields)
    except IntegrityError as exc:
        raise ValidationError({"phone": _("这个手机号已经登记过了,一个手机号只能登录一个人。")}) from exc
    if "name" in changed:
        get_user_model().objects.filter(pk=current.user_id).update(first_name=current.name[:150])
    _record(worker=current, action=WorkerAction.EDITED, actor=actor, changes=changes)
    return current, warnings


@transaction.atomic
def worker_deactivate(*, actor, worker: Worker, reason: str = "") -> Worker:
    """Stop a worker (停用): her workshop's head or a community admin over it, with an optional
    reason (up to 200 characters). She can no longer sign in (phone + PIN, a one-tap link, a password:
    her account is made inactive and her sign-in links revoked) and the planner no longer offers her
    work (it reads active workers only); her shares, reports, pay lines and history stay as they are.

    Compare-and-swap on ``active``: raises ValidationError when she is already stopped;
    PermissionDenied. Writes an audit row (``WorkerAction.DEACTIVATED``) with the reason.
    """
    _check_covers(actor, worker.workshop_id)
    reason = _clean_reason(reason)
    if not Worker.objects.filter(pk=worker.pk, active=True).update(
        active=False, signin_nonce=secrets.token_hex(8)
    ):
        raise ValidationError(_("%(w)s 已经停用了。") % {"w": worker.name}, code="already_inactive")
    get_user_model().objects.filter(pk=worker.user_id).update(is_active=False)
    worker.refresh_from_db(fields=["active", "signin_nonce"])
    _record(
        worker=worker,
        action=WorkerAction.DEACTIVATED,
        actor=actor,
        changes=[{"field": "active", "old": "1", "new": "0"}],
        note=reason,
    )
    return worker


@transaction.atomic
def worker_reactivate(*, actor, worker: Worker, reason: str = "") -> Worker:
    """Bring a stopped worker back (恢复在岗): her workshop's head or a community admin over it. Her
    account signs in again with the PIN she had, any lockout of her phone lifted (sign-in links issued before
    she stopped stay revoked)
    and the planner offers her work again. Compare-and-swap on ``active``: raises ValidationError when
    she is not stopped; PermissionDenied. Writes an audit row (``WorkerAction.REACTIVATED``)."""
    _check_covers(actor, worker.workshop_id)
    reason = _clean_reason(reason)
    if not Worker.objects.filter(pk=worker.pk, active=False).update(active=True):
        raise ValidationError(_("%(w)s 现在就在岗。") % {"w": worker.name}, code="already_active")
    get_user_model().objects.filter(pk=worker.user_id).update(is_active=True)
    # Tries with her own PIN while she was stopped count towards the lockout (they are tries all the same);
    # she comes back able to sign in at once (a trial: restored, still locked out for 15 minutes).
    _lift_lockout(worker)
    worker.refresh_from_db(fields=["active"])
    _record(
        worker=worker,
        action=WorkerAction.REACTIVATED,
        actor=actor,
        changes=[{"field": "active", "old": "0", "new": "1"}],
        note=reason,
    )
    return worker
