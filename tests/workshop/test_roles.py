"""The one ``Scope`` of a user (workshop.roles): each role resolved, cached for the request, and read the same
way by the dashboard, the lists, the phone pages and the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from dashboard import rules as dashboard_rules
from dashboard import selectors as dashboard_selectors
from matching import selectors as list_selectors
from tests.factories import (
    CommunityAdminFactory,
    FirmStaffFactory,
    UserFactory,
    WorkshopFactory,
)
from workshop.models import CountyOfficial, Workshop
from workshop.roles import (
    ADMIN,
    COUNTY,
    FIRM,
    HEAD,
    NO_ROLE,
    SUPERUSER,
    WORKER,
    firm_for,
    is_head_of,
    scope_for,
    worker_for,
)


def fresh(user):
    """The same account as a new user object, as a new request would load it (nothing cached on it)."""
    return get_user_model().objects.get(pk=user.pk)


def user_for(cast, who: str):
    """One user per role: the cast's head, clerk and worker alice; a community admin of the cast's
    community; a superuser; and an account with no role."""
    if who == "head":
        return fresh(cast.head)
    if who == "clerk":
        return fresh(cast.clerk)
    if who == "worker":
        return fresh(cast.alice.user)
    if who == "admin":
        return CommunityAdminFactory(user=UserFactory(username="admin")).user
    if who == "superuser":
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    if who == "county":
        return CountyOfficial.objects.create(user=UserFactory(username="county"), county="海盐县").user
    return UserFactory(username="nobody")


# --- each role ------------------------------------------------------------------------------------------


def test_it_resolves_the_head_of_two_workshops(cast):
    second = WorkshopFactory(name="第二坊", head=cast.head)
    scope = scope_for(fresh(cast.head))
    assert scope.role == HEAD and scope.is_head and scope.is_staff_role
    assert scope.workshop_ids == {cast.ws.pk, second.pk}
    assert scope.heads(cast.ws.pk) and scope.heads(second.pk)
    assert not scope.heads(cast.mallory.workshop_id) and not scope.covers(cast.mallory.workshop_id)
    assert scope.manages(cast.alice) and not scope.manages(cast.mallory)
    assert scope.manages_workers and scope.sees_supply
    assert not scope.is_admin and not scope.sees_low_income
    assert scope.firm is None and scope.worker is None
    assert is_head_of(cast.head, second.pk) and not is_head_of(cast.clerk, second.pk)


def test_it_resolves_firm_staff(cast):
    scope = scope_for(fresh(cast.clerk))
    assert scope.role == FIRM and scope.is_firm and scope.is_staff_role
    assert (scope.firm, scope.firm_id, scope.firm_name) == (cast.firm, cast.firm.pk, cast.firm.name)
    assert scope.workshop_ids == frozenset() and not scope.covers(cast.ws.pk)
    assert not scope.manages_workers and not scope.sees_supply and not scope.sees_low_income
    assert not scope.heads(cast.ws.pk) and not scope.manages(cast.alice)
    assert firm_for(cast.clerk) == cast.firm and firm_for(cast.head) is None


def test_it_resolves_a_community_admin_to_the_workshops_of_the_community(cast):
    elsewhere = WorkshopFactory(name="老街坊", community="老街社区")
    admin = CommunityAdminFactory(user=UserFactory(username="admin")).user
    scope = scope_for(admin)
    assert scope.role == ADMIN and scope.is_admin and scope.is_staff_role
    assert scope.workshop_ids == set(
        Workshop.objects.filter(community="新街社区").values_list("pk", flat=True)
    )
    assert scope.covers(cast.ws.pk) and scope.covers(cast.mallory.workshop_id)
    assert not scope.covers(elsewhere.pk) and not scope.all_workshops
    assert scope.sees_low_income and scope.manages_workers and scope.sees_supply
    assert scope.manages(cast.mallory) and not scope.heads(cast.ws.pk)


def test_it_resolves_a_worker_with_their_workshop(cast, django_assert_num_queries):
    user = fresh(cast.alice.user)
    scope = scope_for(user)
    assert scope.role == WORKER and scope.is_worker and not scope.is_staff_role
    assert scope.worker == cast.alice and scope.worker_id == cast.alice.pk
    with django_assert_num_queries(0):
        assert scope.worker.workshop.name == cast.ws.name
    assert worker_for(user) is scope.worker
    assert scope.workshop_ids == frozenset() and not scope.covers(cast.ws.pk)
    assert not scope.manages(cast.bob) and not scope.sees_supply and not scope.sees_low_income
    assert worker_for(cast.head) is None


def test_it_resolves_a_superuser_to_every_workshop(cast):
    scope = scope_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert scope.role == SUPERUSER and scope.is_staff_role and scope.all_workshops
    # The dashboard lets a superuser see everything; the lists treat one as the community admin of
    # every workshop.
    assert scope.covers(cast.ws.pk) and scope.covers(cast.mallory.workshop_id)
    assert scope.is_admin and scope.sees_low_income and scope.sees_supply
    assert scope.manages(cast.mallory) and not scope.is_head and not scope.heads(cast.ws.pk)


def test_it_resolves_a_county_official_to_her_countys_figures_and_nothing_else(cast):
    elsewhere = WorkshopFactory(county="平湖市")
    scope = scope_for(fresh(user_for(cast, "county")))
    assert scope.role == COUNTY and scope.is_county and scope.is_read_only and scope.sees_impact
    assert set(scope.impact_workshops()) == {cast.ws, cast.mallory.workshop}
    assert elsewhere not in scope.impact_workshops()
    # Read-only, figures only: no desk, covers no workshop, manages nobody, sees no low-income status.
    assert not scope.is_staff_role and not scope.is_admin and not scope.sees_low_income
    assert not scope.covers(cast.ws.pk) and not scope.manages(cast.alice) and not scope.manages_workers
    assert not scope.sees_supply and scope.workshop_ids == frozenset()
    assert (
        list(dashboard_selectors.jobs_for(scope)) == [] and list(dashboard_selectors.workers_for(scope)) == []
    )


def test_a_user_without_a_role_and_an_anonymous_user_have_no_scope(db, django_assert_num_queries):
    assert scope_for(UserFactory(username="nobody")) == NO_ROLE
    with django_assert_num_queries(0):
        assert scope_for(AnonymousUser()) is NO_ROLE
        assert scope_for(None) is NO_ROLE
    assert NO_ROLE.role is None and not NO_ROLE.is_staff_role and not NO_ROLE.covers(1)
    assert worker_for(AnonymousUser()) is None and firm_for(AnonymousUser()) is None


def test_an_inactive_worker_is_not_a_worker(cast):
    cast.alice.active = False
    cast.alice.save(update_fields=["active"])
    user = fresh(cast.alice.user)
    assert scope_for(user) == NO_ROLE
    assert worker_for(user) is None


def test_a_user_holding_two_roles_gets_the_first_in_order(cast):
    """Worker, courier, county official, head, firm staff, community admin, superuser: the first that
    applies is the one role."""
    FirmStaffFactory(user=cast.head, firm=cast.firm)
    assert scope_for(fresh(cast.head)).role == HEAD
    WorkshopFactory(head=cast.alice.user)
    assert scope_for(fresh(cast.alice.user)).role == WORKER
    CommunityAdminFactory(user=cast.clerk)
    assert scope_for(fresh(cast.clerk)).role == FIRM
    # A county official who also heads a workshop reads figures only: the read-only role comes first.
    CountyOfficial.objects.create(user=cast.head, county="海盐县")
    assert scope_for(fresh(cast.head)).role == COUNTY


# --- resolved once per request ------------------------------------------------------------------------

# The role's lookups, in order: worker, courier and county official (one joined row), headed workshops, firm
# staff, community admin (and its workshops).
RESOLVE_QUERIES = {
    "worker": 1,
    "county": 1,
    "head": 2,
    "clerk": 3,
    "admin": 5,
    "superuser": 4,
    "nobody": 4,
}


@pytest.mark.parametrize("who", list(RESOLVE_QUERIES))
def test_the_scope_is_resolved_once_and_cached_on_the_user(cast, django_assert_num_queries, who):
    user = user_for(cast, who)
    with django_assert_num_queries(RESOLVE_QUERIES[who]):
        first = scope_for(user)
    with django_assert_num_queries(0):
        assert scope_for(user) is first
        worker_for(user), firm_for(user), is_head_of(user, cast.ws.pk)
        dashboard_rules.is_dashboard_user(user), dashboard_rules.manages_worker(user, cast.alice)


# --- one scope for the dashboard and the lists ----------------------------------------------------------


@pytest.mark.parametrize("who", list(RESOLVE_QUERIES))
def test_the_dashboard_and_the_lists_agree_for_the_same_user(client, cast, who):
    user = user_for(cast, who)
    scope = scope_for(user)
    client.force_login(user)
    dashboard_open = client.get("/dashboard/").status_code == 200
    lists_open = client.get("/lists/demands/").status_code == 200
    assert dashboard_open == lists_open == user.has_perm("dashboard.view_dashboard") == scope.is_staff_role
    roster_open = client.get("/dashboard/workers/").status_code == 200
    supply_open = client.get("/lists/supply/").status_code == 200
    assert roster_open == supply_open == user.has_perm("dashboard.view_roster")
    # The same workshops' workers on the dashboard's roster and on the lists' spare hours.
    roster = set(dashboard_selectors.workers_for(scope).values_list("workshop_id", flat=True))
    spare = {s.worker.workshop_id for s in list_selectors.spare_workers(scope)}
    assert roster == spare
    if roster_open:
        # Low-income status: shown on the dashboard's roster exactly when the lists load it.
        sees = client.get("/dashboard/workers/").context["sees_low_income"]
        deferred, _defer = list_selectors.wishes_for(scope).query.deferred_loading
        assert sees == ("low_income" not in deferred) == scope.sees_low_income
