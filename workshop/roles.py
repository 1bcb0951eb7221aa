"""Who a user is in the flow: one ``Scope`` per user, resolved once per request by ``scope_for``.

Roles (one per user, decided in this order when a user holds more than one):

- 坊工 worker (``WORKER``): an active ``Worker.user``; the phone pages (/m/), no dashboard, no lists.
- 配送员 courier (``COURIER``): an active ``Courier.user``; the phone pages of her own runs (/m/run/).
- 县级 county official (``COUNTY``): ``CountyOfficial``; read-only figures of every workshop of their
  county (the impact report), never a person's data: no dashboard page but the impact report, no lists,
  no POST at all (``workshop.middleware.ReadOnlyRoles``). ``workshop_ids`` stays empty, so ``covers`` is
  False for every workshop and no page that reads it opens.
- 坊长 workshop head (``HEAD``): ``Workshop.head``; the workshops they head.
- 企业专员 firm staff (``FIRM``): ``FirmStaff``; their firm only.
- 社区管理员 community admin (``ADMIN``): ``CommunityAdmin``; every workshop of their community, and the only
  role that sees ``low_income``.
- superuser (``SUPERUSER``): everything, like a county-level admin; on the lists, a community admin of
  every workshop.
- anyone else, and anonymous users: no role (``NO_ROLE``).

The dashboard's django-rules predicates (``dashboard.rules``), the lists (``matching.selectors``), the
phone pages, the front door and the services' checks all read this one ``Scope``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext

from .models import (
    CommunityAdmin,
    Courier,
    FirmStaff,
    Pairing,
    PartnerFirm,
    Worker,
    Workshop,
    worker_number_label,
)

WORKER, COURIER, COUNTY, HEAD, FIRM, ADMIN, SUPERUSER = (
    "worker",
    "courier",
    "county",
    "head",
    "firm",
    "community_admin",
    "superuser",
)
# The roles with a desk: the dashboard and the lists (a worker has the phone pages only).
STAFF_ROLES = (HEAD, FIRM, ADMIN, SUPERUSER)
# The roles that may read the impact report (增收降本): figures only, groups under 3 people suppressed.
IMPACT_ROLES = (COUNTY, HEAD, ADMIN, SUPERUSER)
# The roles that read and never write: every unsafe request of theirs is refused (workshop.middleware).
READ_ONLY_ROLES = (COUNTY,)


@dataclass(frozen=True)
class Scope:
    """One user's role and what it covers.

    ``workshop_ids``: the workshops a head heads or a community admin's community holds (empty for the
    other roles; a superuser covers every workshop: ``all_workshops``). ``firm``: firm staff's firm.
    ``worker``: a worker's own ``Worker`` row, with its workshop joined; ``courier``: a courier's own
    ``Courier`` row, with its workshop joined. ``county``: a county official's county name (read through
    ``impact_workshops`` only, never ``covers``). ``role`` is None for no role.
    """

    role: str | None
    workshop_ids: frozenset[int] = field(default_factory=frozenset)
    all_workshops: bool = False
    firm: PartnerFirm | None = None
    worker: Worker | None = None
    courier: Courier | None = None
    county: str = ""
    # ``workshop_ids`` as a workshop filter lists them: (id, "community·name") by name, read with the ids
    # (no query of its own; empty for every other role). See ``dashboard.forms.ScopeWorkshopField``.
    workshop_labels: tuple[tuple[int, str], ...] = ()

    @property
    def firm_id(self) -> int | None:
        return self.firm.pk if self.firm is not None else None

    @property
    def firm_name(self) -> str:
        return self.firm.name if self.firm is not None else ""

    @property
    def worker_id(self) -> int | None:
        return self.worker.pk if self.worker is not None else None

    @property
    def is_worker(self) -> bool:
        return self.role == WORKER

    @property
    def is_courier(self) -> bool:
        return self.role == COURIER

    @property
    def is_county(self) -> bool:
        return self.role == COUNTY

    @property
    def sees_impact(self) -> bool:
        """The impact report (增收降本) of ``impact_workshops``: county officials, heads, community admins,
        superusers."""
        return self.role in IMPACT_ROLES

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    def impact_workshops(self):
        """The workshops whose figures this scope reads on the impact report, as a queryset: a county
        official's county, a head's or community admin's ``workshop_ids``, every workshop for a superuser;
        none for any other role. No query until evaluated."""
        if self.is_county:
            return Workshop.objects.filter(county=self.county)
        if not self.sees_impact:
            return Workshop.objects.none()
        if self.all_workshops:
            return Workshop.objects.all()
        return Workshop.objects.filter(pk__in=self.workshop_ids)

    @property
    def is_head(self) -> bool:
        return self.role == HEAD

    @property
    def is_firm(self) -> bool:
        return self.role == FIRM

    @property
    def is_admin(self) -> bool:
        """A community admin, or a superuser acting as the community admin of every workshop."""
        return self.role in (ADMIN, SUPERUSER)

    @property
    def is_staff_role(self) -> bool:
        """A role with a desk: the dashboard and the lists."""
        return self.role in STAFF_ROLES

    @property
    def sees_low_income(self) -> bool:
        return self.is_admin

    @property
    def manages_workers(self) -> bool:
        """The roster (PIN, sign-in QR) of the workshops covered: heads and community admins."""
        return self.role in (HEAD, ADMIN, SUPERUSER)

    @property
    def sees_supply(self) -> bool:
        """The supply list (wishes and workers' spare hours) of the workshops covered."""
        return self.manages_workers

    def covers(self, workshop_id: int | None) -> bool:
        """Whether the workshop is one of this scope's (firm staff and workers cover none)."""
        return self.all_workshops or workshop_id in self.workshop_ids

    def heads(self, workshop_id: int | None) -> bool:
        return self.is_head and workshop_id in self.workshop_ids

    def manages(self, worker: Worker) -> bool:
        """The worker's workshop head, a community admin of that workshop, or a superuser."""
        return self.manages_workers and self.covers(worker.workshop_id)

    @cached_property
    def numbered_workshops(self) -> frozenset[int]:
        """For firm staff: the workshops whose head shows their workers to this firm by number, not by
        name (``Pairing.firm_sees_names`` off). Empty for every other role. One query, on first use."""
        if not self.is_firm:
            return frozenset()
        return frozenset(
            Pairing.objects.filter(firm_id=self.firm_id, firm_sees_names=False).values_list(
                "workshop_id", flat=True
            )
        )

    def worker_label(self, worker: Worker) -> str:
        """How this scope sees ``worker``: her name, or her number ("12号坊工", ``worker_number_label``) for
        the staff of a firm whose pairing with her workshop shows workers by number. Every page and
        spreadsheet a firm reads names a worker through this (or ``worker_label_of``)."""
        return self.worker_label_of(worker.pk, worker.workshop_id, worker.name)

    def worker_label_of(self, worker_id: int, workshop_id: int, name: str) -> str:
        """``worker_label`` from a row's values (an export reads ``values_list``)."""
        if self.is_firm and workshop_id in self.numbered_workshops:
            return worker_number_label(worker_id)
        return name

    def unname(self, text: str) -> str:
        """``text`` (free words a person typed: a correction's reason, an inspection's note) as this scope
        may read it: for the staff of a firm that sees some workshops' workers by number, every name of a
        worker of those workshops is replaced by her number ("王秀英" → "12号坊工"; a name two of them
        share → "坊工"). Unchanged for every other role and for empty text. One query, on the first
        non-empty text of the request."""
        if not text or not self.numbered_workshops:
            return text
        pattern, shown = self._numbered_names
        if pattern is None:
            return text
        return pattern.sub(lambda m: shown[m.group(0)], text)

    @cached_property
    def _numbered_names(self) -> tuple[re.Pattern | None, dict[str, str]]:
        # Longest names first, so "王芳芳" is matched whole before "王芳" could match inside it.
        ids: dict[str, list[int]] = {}
        rows = list(Worker.objects.filter(workshop_id__in=self.numbered_workshops).values_list("pk", "name"))
        for pk, name in rows:
            if name and name.strip():
                ids.setdefault(name, []).append(pk)
        # A Chinese name of three or more characters is also written by its given name ("秀兰姐" for 李秀兰,
        # a trial found): that too, unless it is someone's full name.
        given_ids: dict[str, list[int]] = {}
        for pk, name in rows:
            given = (name or "").strip()[1:]
            if len(given) >= 2 and not given.isascii():
                given_ids.setdefault(given, []).append(pk)
        for given, pks in given_ids.items():
            ids.setdefault(given, pks)
        if not ids:
            return None, {}
        shown = {
            name: worker_number_label(pks[0]) if len(pks) == 1 else gettext("坊工")
            for name, pks in ids.items()
        }
        names = sorted(ids, key=len, reverse=True)
        return re.compile("|".join(map(_name_pattern, names))), shown


def _name_pattern(name: str) -> str:
    # A Latin-letter name ("Ann") only as a word of its own, never inside another ("Annual"); a Chinese
    # one wherever it stands (Chinese puts no spaces between words).
    if name.isascii():
        return rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
    return re.escape(name)


NO_ROLE = Scope(role=None)
_CACHE = "_nuanxin_scope"


def scope_for(user) -> Scope:
    """The user's scope, resolved once and cached on the user object (so once per request, the user
    object being the request's). At most five queries (one for a worker, courier or county official);
    none for an anonymous user or a second call."""
    if not getattr(user, "is_authenticated", False):
        return NO_ROLE
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    scope = _resolve(user)
    setattr(user, _CACHE, scope)
    return scope


# The person rows a user's role is read from: joined to the user's own row when a request's user is loaded
# (``workshop.auth.UserBackend``), so a worker's, courier's or county official's scope needs no query of
# its own (issue 15).
PERSON_ROWS = ("worker__workshop", "courier__workshop", "county_official")
_PERSONS = tuple(r.split("__", 1)[0] for r in PERSON_ROWS)


def _resolve(user) -> Scope:
    # The worker, courier and county official rows (reverse one-to-ones) come with the user: joined when
    # the request loaded it (``workshop.auth.UserBackend``), else in one query here. Every request of
    # every role runs this, so it is sliced, not ``first()``: an ORDER BY on a one-row primary-key lookup
    # cost a third of its time to compile (issue 15). The same for the staff rows.
    joined = getattr(user, "_state", None) is not None and all(
        name in user._state.fields_cache for name in _PERSONS
    )
    row = (
        user
        if joined
        else _one(
            get_user_model().objects.select_related(*PERSON_ROWS).only("pk", *_PERSONS).filter(pk=user.pk)
        )
    )
    worker = _related(row, "worker", user)
    if worker is not None and worker.active:
        return Scope(role=WORKER, worker=worker)
    courier = _related(row, "courier", user)
    if courier is not None and courier.active:
        return Scope(role=COURIER, courier=courier)
    county = _related(row, "county_official", user)
    if county is not None:
        return Scope(role=COUNTY, county=county.county)
    headed = _labelled(Workshop.objects.filter(head=user))
    if headed:
        return Scope(role=HEAD, workshop_ids=frozenset(pk for pk, _label in headed), workshop_labels=headed)
    staff = _one(FirmStaff.objects.select_related("firm").filter(user=user))
    if staff is not None:
        return Scope(role=FIRM, firm=staff.firm)
    admin = _one(CommunityAdmin.objects.filter(user=user))
    if admin is not None:
        shops = _labelled(admin.workshops())
        return Scope(role=ADMIN, workshop_ids=frozenset(pk for pk, _label in shops), workshop_labels=shops)
    if user.is_superuser:
        return Scope(role=SUPERUSER, all_workshops=True)
    return NO_ROLE


def _labelled(workshops) -> tuple[tuple[int, str], ...]:
    """``(id, str(workshop))`` of ``workshops`` by name, as ``dashboard.selectors.workshops_for`` orders
    them: ``Workshop.__str__`` is "community·name"."""
    return tuple(
        (pk, f"{community}·{name}")
        for pk, community, name in workshops.order_by("name", "pk").values_list("pk", "community", "name")
    )


def _one(queryset):
    """The queryset's row (at most one matches: a primary key or a one-to-one), or None; no ORDER BY."""
    rows = list(queryset[:1])
    return rows[0] if rows else None


def _related(row, name: str, user):
    try:
        person = getattr(row, name) if row is not None else None
    except ObjectDoesNotExist:
        return None
    if person is not None:
        person.user = user  # the request's own user object, not the deferred row joined here
    return person


# --- the helpers the services and the phone pages call -------------------------------------------------


def worker_for(user) -> Worker | None:
    """The user's active ``Worker`` (workshop joined), or None when the user is not a worker."""
    return scope_for(user).worker


def firm_for(user) -> PartnerFirm | None:
    """The firm the user is staff of, or None when the user is not firm staff."""
    return scope_for(user).firm


def is_head_of(user, workshop_id: int) -> bool:
    return scope_for(user).heads(workshop_id)


def courier_for(user) -> Courier | None:
    """The user's active ``Courier`` (workshop joined), or None when the user is not a courier."""
    return scope_for(user).courier
