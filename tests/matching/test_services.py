"""The lists' services: entering demands, moving statuses with history, matching, enrolling a resident."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from matching import selectors, services
from matching.models import DemandStatus, EntryEvent, IllegalStatusChange, WishRecord
from tests.factories import PairingFactory, WorkshopFactory
from tests.matching.conftest import DemandFactory, WishFactory, low_income_wish, today
from workshop import services as workshop_services
from workshop.models import Employment, ProcessKind, WishStatus, Worker, WorkPlace, WorkWish
from workshop.roles import scope_for


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- demands ---------------------------------------------------------------------------------------------


def test_firm_staff_enter_their_own_need_for_a_paired_workshop(cast):
    demand = services.demand_create(
        actor=cast.clerk,
        workshop=cast.ws,
        firm=cast.firm,
        process_kind=ProcessKind.ASSEMBLY,
        pieces_per_week=3000,
        starts_on=today(),
    )
    assert demand.status == DemandStatus.NEW and demand.created_by == cast.clerk
    event = EntryEvent.objects.get(demand=demand)
    assert (event.from_state, event.to_state, event.actor) == ("", DemandStatus.NEW, cast.clerk)


def test_firm_staff_cannot_enter_for_another_firm_or_an_unpaired_workshop(cast):
    with pytest.raises(PermissionDenied):
        services.demand_create(
            actor=cast.eve,
            workshop=cast.ws,
            firm=cast.firm,
            process_kind="assembly",
            hours_per_week=10,
            starts_on=today(),
        )
    eves_firm = cast.eve.firm_staff.firm
    with pytest.raises(PermissionDenied):
        services.demand_create(
            actor=cast.eve,
            workshop=cast.ws,
            firm=eves_firm,
            process_kind="assembly",
            hours_per_week=10,
            starts_on=today(),
        )
    PairingFactory(firm=eves_firm, workshop=cast.ws)
    services.demand_create(
        actor=cast.eve,
        workshop=cast.ws,
        firm=eves_firm,
        process_kind="assembly",
        hours_per_week=10,
        starts_on=today(),
    )


def test_a_demand_needs_pieces_or_hours(cast, admin):
    with pytest.raises(ValidationError) as exc:
        services.demand_create(
            actor=admin, workshop=cast.ws, firm=cast.firm, process_kind="assembly", starts_on=today()
        )
    assert "每周件数和每周工时至少填一项。" in exc.value.messages[0]


def test_admin_moves_a_demand_and_the_history_says_who_and_why(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    services.demand_set_status(actor=admin, demand=demand, to=DemandStatus.CONTACTED, note="电话联系了周经理")
    assert fresh(demand).status == DemandStatus.CONTACTED
    event = EntryEvent.objects.get(demand=demand)
    assert (event.from_state, event.to_state, event.actor, event.note) == (
        "new",
        "contacted",
        admin,
        "电话联系了周经理",
    )
    with pytest.raises(IllegalStatusChange, match="已联系"):
        services.demand_set_status(actor=admin, demand=demand, to=DemandStatus.NEW)


def test_a_stale_status_move_is_refused_not_repeated(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    stale = DemandFactory._meta.model.objects.get(pk=demand.pk)
    services.demand_set_status(actor=admin, demand=demand, to=DemandStatus.CLOSED)
    with pytest.raises(IllegalStatusChange):
        services.demand_set_status(actor=admin, demand=stale, to=DemandStatus.CONTACTED)
    assert fresh(demand).status == DemandStatus.CLOSED
    assert EntryEvent.objects.filter(demand=demand).count() == 1


def test_firm_staff_may_only_close_or_reopen_their_demand(cast):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    with pytest.raises(PermissionDenied):
        services.demand_set_status(actor=cast.clerk, demand=demand, to=DemandStatus.MATCHED)
    with pytest.raises(PermissionDenied):
        services.demand_set_status(actor=cast.eve, demand=demand, to=DemandStatus.CLOSED)
    services.demand_set_status(actor=cast.clerk, demand=demand, to=DemandStatus.CLOSED)
    services.demand_set_status(actor=cast.clerk, demand=demand, to=DemandStatus.NEW)
    assert EntryEvent.objects.filter(demand=demand).count() == 2


# --- wishes and matching -------------------------------------------------------------------------------


def test_matching_a_wish_to_a_demand_records_both_without_naming_the_resident_to_the_firm(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    wish = WishFactory(workshop=cast.ws, name="王秀英")
    services.wish_set_status(actor=admin, wish=wish, to=WishStatus.MATCHED, note="愿意做", demand=demand)
    assert fresh(wish).status == WishStatus.MATCHED
    assert fresh(demand).status == DemandStatus.MATCHED
    wish_event = EntryEvent.objects.get(wish=wish)
    assert (wish_event.demand, wish_event.actor, wish_event.note) == (demand, admin, "愿意做")
    firm_view = selectors.demand_events(scope_for(cast.clerk), demand)
    assert [e.to_state for e in firm_view] == [DemandStatus.MATCHED]
    assert "王秀英" not in firm_view[0].note and wish.phone.as_e164[-4:] not in firm_view[0].note


def test_heads_and_firms_cannot_record_outcomes(cast, admin, stranger):
    wish = WishFactory(workshop=cast.ws)
    for user in (cast.head, cast.clerk, stranger):
        with pytest.raises(PermissionDenied):
            services.wish_set_status(actor=user, wish=wish, to=WishStatus.CONTACTED)
    assert fresh(wish).status == WishStatus.NEW and not EntryEvent.objects.exists()


def test_reopening_a_closed_wish_moves_it_to_new_and_the_history_says_who(cast, admin):
    wish = WishFactory(workshop=cast.ws, status=WishStatus.CLOSED)
    services.wish_reopen(actor=admin, wish=wish, note="又报名了")
    assert wish.status == WishStatus.NEW and fresh(wish).status == WishStatus.NEW
    event = EntryEvent.objects.get(wish=wish)
    assert (event.from_state, event.to_state, event.actor, event.note) == ("closed", "new", admin, "又报名了")


@pytest.mark.parametrize(
    "status", [WishStatus.NEW, WishStatus.CONTACTED, WishStatus.MATCHED, WishStatus.ENROLLED]
)
def test_only_a_closed_wish_can_be_reopened(cast, admin, status):
    wish = WishFactory(workshop=cast.ws, status=status)
    with pytest.raises(IllegalStatusChange):
        services.wish_reopen(actor=admin, wish=wish)
    assert fresh(wish).status == status and not EntryEvent.objects.exists()


def test_a_stale_reopen_is_refused_not_repeated(cast, admin):
    wish = WishFactory(workshop=cast.ws, status=WishStatus.CLOSED)
    stale = WorkWish.objects.get(pk=wish.pk)
    services.wish_reopen(actor=admin, wish=wish)
    services.wish_set_status(actor=admin, wish=wish, to=WishStatus.CONTACTED)
    with pytest.raises(IllegalStatusChange):
        services.wish_reopen(actor=admin, wish=stale)
    assert fresh(wish).status == WishStatus.CONTACTED
    assert EntryEvent.objects.filter(wish=wish).count() == 2


def test_heads_firms_and_other_communities_cannot_reopen_a_wish(cast, stranger):
    wish = WishFactory(workshop=cast.ws, status=WishStatus.CLOSED)
    for user in (cast.head, cast.clerk, stranger):
        with pytest.raises(PermissionDenied):
            services.wish_reopen(actor=user, wish=wish)
    assert fresh(wish).status == WishStatus.CLOSED and not EntryEvent.objects.exists()


def test_admin_enters_a_wish_through_the_public_forms_service(cast, admin):
    wish, created = services.wish_enter(
        actor=admin,
        name="李桂兰",
        phone="+8613900139001",
        skills=["fabric"],
        hours_per_week=12,
        work_place=WorkPlace.HOME,
        area="望海新村",
        workshop=cast.ws,
        low_income=True,
        consent=True,
    )
    assert created and wish.low_income and wish.low_income_consent_at is not None
    assert WishRecord.objects.get(wish=wish).source == "staff"
    with pytest.raises(ValidationError, match="同意"):
        services.wish_enter(
            actor=admin,
            name="李桂兰",
            phone="+8613900139001",
            skills=["fabric"],
            hours_per_week=12,
            work_place=WorkPlace.HOME,
            area="望海新村",
            workshop=cast.ws,
            low_income=True,
            consent=False,
        )


def test_suggested_residents_and_workers_carry_reasons_in_words(cast, admin):
    demand = DemandFactory(
        workshop=cast.ws, firm=cast.firm, process_kind="assembly", pieces_per_week=1200, people_needed=2
    )
    fits = WishFactory(workshop=cast.ws, name="合适", skills=["assembly"], hours_per_week=20)
    learner = WishFactory(
        workshop=None, name="新手", skills=["fabric"], hours_per_week=6, work_place=WorkPlace.HOME
    )
    WishFactory(workshop=cast.ws, name="已入坊", status=WishStatus.ENROLLED)
    residents, workers = selectors.suggestions_for_demand(scope_for(admin), demand)
    by_name = {s.wish.name: s.fit for s in residents}
    assert set(by_name) == {"合适", "新手"}
    assert by_name["合适"].reasons == ("技能匹配 +40", "时间合适 +25", "到坊做 +15", "本坊 +10")
    assert by_name["合适"].score == 90
    assert by_name["新手"].reasons == ("零基础可学 +15", "时间部分合适 +10")
    assert by_name["新手"].cautions == ("每周约6小时,少于所需10小时", "想在家做,这份活需到坊")
    assert residents[0].wish == fits and learner in [s.wish for s in residents]
    assert {s.worker.worker for s in workers} == {cast.alice, cast.bob, cast.carol}
    assert all("技能匹配 +40" in s.fit.reasons for s in workers)


def test_a_skilled_need_is_not_offered_to_someone_without_the_skill(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm, process_kind="fabric", skill_level="skilled")
    WishFactory(workshop=cast.ws, skills=["assembly"])
    residents, workers = selectors.suggestions_for_demand(scope_for(admin), demand)
    assert residents == [] and workers == []


def test_low_income_priority_shows_to_community_admins_only(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    low_income_wish(workshop=cast.ws, name="低收入者")
    WishFactory(workshop=cast.ws, name="其他人")
    admin_view, _ = selectors.suggestions_for_demand(scope_for(admin), demand)
    assert admin_view[0].wish.name == "低收入者"
    assert "低收入优先 +10" in admin_view[0].fit.reasons and admin_view[0].fit.score == 100
    head_view, _ = selectors.suggestions_for_demand(scope_for(cast.head), demand)
    assert [s.fit.score for s in head_view] == [90, 90]
    assert all("低收入" not in s.fit.reasons_text for s in head_view)
    # Same score, so the earlier sign-up comes first: the order does not give the flag away either.
    assert [s.wish.name for s in head_view] == ["低收入者", "其他人"]


def test_suggested_demands_for_a_resident(cast, admin):
    wish = WishFactory(workshop=cast.ws, skills=["packaging"], work_place=WorkPlace.HOME)
    packing = DemandFactory(workshop=cast.ws, firm=cast.firm, process_kind="packaging", place="home_ok")
    DemandFactory(workshop=cast.ws, firm=cast.firm, process_kind="fabric", skill_level="skilled")
    DemandFactory(workshop=cast.ws, firm=cast.firm, process_kind="packaging", status=DemandStatus.CLOSED)
    suggestions = selectors.suggestions_for_wish(scope_for(admin), wish, today=today())
    assert [s.demand for s in suggestions] == [packing]
    assert suggestions[0].fit.reasons[:3] == ("技能匹配 +40", "时间合适 +25", "可居家 +15")


# --- enrolment (入坊) ---------------------------------------------------------------------------------


def test_enrolling_a_resident_creates_a_worker_the_head_can_give_a_pin(cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    wish = low_income_wish(
        workshop=cast.ws,
        name="王秀英",
        phone="+8613800138000",
        skills=["assembly", "packaging"],
        hours_per_week=30,
        work_place=WorkPlace.HOME,
        area="新街小区",
        status=WishStatus.MATCHED,
    )
    worker = services.wish_enrol(
        actor=admin, wish=wish, workshop=cast.ws, employment=Employment.PART_TIME, demand=demand
    )
    assert fresh(wish).status == WishStatus.ENROLLED
    assert worker.user.username == "13800138000" and not worker.user.has_usable_password()
    assert (worker.name, worker.phone.as_e164, worker.workshop) == ("王秀英", "+8613800138000", cast.ws)
    assert (worker.skills, worker.hours_per_week, worker.work_place) == (
        ["assembly", "packaging"],
        30,
        "home",
    )
    assert (worker.home_area, worker.employment, worker.low_income) == ("新街小区", "part_time", True)
    assert WishRecord.objects.get(wish=wish).worker == worker
    event = EntryEvent.objects.get(wish=wish)
    assert (event.from_state, event.to_state, event.demand) == ("matched", "enrolled", demand)
    workshop_services.worker_set_pin(actor=cast.head, worker=worker, pin="246810")
    assert workshop_services.worker_check_pin(fresh(worker), "246810")


def test_enrolment_is_refused_for_an_existing_worker_phone_and_writes_nothing(cast, admin):
    wish = WishFactory(workshop=cast.ws, phone=cast.alice.phone, status=WishStatus.CONTACTED)
    users = get_user_model().objects.count()
    with pytest.raises(ValidationError, match="已经是坊工"):
        services.wish_enrol(actor=admin, wish=wish, workshop=cast.ws)
    assert fresh(wish).status == WishStatus.CONTACTED
    assert get_user_model().objects.count() == users and Worker.objects.count() == 4
    assert not EntryEvent.objects.exists()


def test_enrolment_needs_a_follow_up_first_and_a_workshop_of_the_admins_community(cast, admin):
    wish = WishFactory(workshop=cast.ws)
    with pytest.raises(IllegalStatusChange):
        services.wish_enrol(actor=admin, wish=wish, workshop=cast.ws)
    WorkWish.objects.filter(pk=wish.pk).update(status=WishStatus.CONTACTED)
    wish = fresh(wish)
    elsewhere = WorkshopFactory(community="老街社区")
    with pytest.raises(PermissionDenied):
        services.wish_enrol(actor=admin, wish=wish, workshop=elsewhere)
    with pytest.raises(PermissionDenied):
        services.wish_enrol(actor=cast.head, wish=wish, workshop=cast.ws)
    assert fresh(wish).status == WishStatus.CONTACTED and Worker.objects.count() == 4


def test_staff_entry_updates_a_pool_wish_but_not_another_communitys(cast, admin):
    pool = WishFactory(workshop=None, phone="+8613800138000", name="旧名")
    wish, created = services.wish_enter(
        actor=admin,
        name="新名",
        phone="+8613800138000",
        skills=["assembly"],
        hours_per_week=20,
        work_place=WorkPlace.WORKSHOP,
        area="新街小区",
        workshop=cast.ws,
    )
    assert (wish.pk, created, wish.name, wish.workshop) == (pool.pk, False, "新名", cast.ws)
    event = EntryEvent.objects.get(wish=wish)
    assert (event.from_state, event.to_state, event.note) == ("new", "new", "社区录入(更新)")
    foreign = WishFactory(workshop=WorkshopFactory(community="老街社区"), phone="+8613900139001", name="别处")
    with pytest.raises(ValidationError, match="其他社区"):
        services.wish_enter(
            actor=admin,
            name="改名",
            phone="+8613900139001",
            skills=["assembly"],
            hours_per_week=20,
            work_place=WorkPlace.WORKSHOP,
            area="新街小区",
            workshop=cast.ws,
        )
    assert fresh(foreign).name == "别处"
