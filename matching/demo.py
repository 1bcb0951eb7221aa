"""Demo entries for the two lists of the demo workshop (``workshop.demo``): four firms' needs and a dozen
residents' wishes at different stages, with their history. Names are generated (Faker zh_CN, fixed seed)
and phones come from the 198 5730 xxxx range, never real. Idempotent: a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from workshop.demo import FIRMS, PLACE, SEED, firm_credit_code
from workshop.models import (
    CommunityAdmin,
    PartnerFirm,
    ProcessKind,
    WishStatus,
    WorkPlace,
    Workshop,
    WorkWish,
)

from . import services
from .models import DemandEntry, DemandPlace, DemandStatus, SkillLevel, WishRecord, WishSource

# (firm index in workshop.demo.FIRMS, kind, title, pieces/week, hours/week, people, skill, place, status)
DEMANDS = [
    (
        0,
        ProcessKind.ASSEMBLY,
        "开关面板装配",
        6000,
        None,
        4,
        SkillLevel.BEGINNER,
        DemandPlace.WORKSHOP,
        "new",
    ),
    (
        1,
        ProcessKind.FABRIC,
        "童装辅料缝制",
        1500,
        None,
        3,
        SkillLevel.EXPERIENCED,
        DemandPlace.HOME_OK,
        "contacted",
    ),
    (2, ProcessKind.PACKAGING, "礼盒折叠包装", None, 60, 3, SkillLevel.BEGINNER, DemandPlace.HOME_OK, "new"),
    (3, ProcessKind.ASSEMBLY, "紧固件分拣", 8000, None, 2, SkillLevel.BEGINNER, DemandPlace.WORKSHOP, "new"),
]
# (skills, hours a week, place, area, low income, status)
WISHES = [
    (["assembly"], 20, WorkPlace.WORKSHOP, "新街小区", False, "new"),
    (["fabric"], 12, WorkPlace.HOME, "望海新村", True, "new"),
    (["packaging", "assembly"], 40, WorkPlace.WORKSHOP, "城东片", False, "contacted"),
    (["packaging"], 6, WorkPlace.HOME, "老街片", False, "new"),
    (["fabric", "other"], 20, WorkPlace.HOME, "海滨花园", False, "matched"),
    (["assembly"], 30, WorkPlace.WORKSHOP, "新街小区", True, "contacted"),
    (["other"], 12, WorkPlace.WORKSHOP, "望海新村", False, "new"),
    (["packaging"], 20, WorkPlace.HOME, "城东片", False, "new"),
    (["assembly", "packaging"], 20, WorkPlace.WORKSHOP, "老街片", False, "closed"),
    (["fabric"], 40, WorkPlace.WORKSHOP, "新街小区", False, "new"),
    (["packaging"], 12, WorkPlace.HOME, "海滨花园", False, "new"),
    (["assembly"], 6, WorkPlace.HOME, "望海新村", False, "new"),
]


@transaction.atomic
def seed_lists(workshop: Workshop) -> int:
    """Put the demo needs and wishes on ``workshop``'s lists through the services (so each has its
    history), as the demo community admin. Returns how many entries this run created."""
    admin = CommunityAdmin.objects.filter(**PLACE).select_related("user").first()
    if admin is None:
        return 0
    actor = admin.user
    created = 0
    today = timezone.localdate()
    demands = []
    for index, kind, title, pieces, hours, people, skill, place, status in DEMANDS:
        firm = PartnerFirm.objects.get(credit_code=firm_credit_code(FIRMS[index][1]))
        demand = DemandEntry.objects.filter(workshop=workshop, firm=firm, title=title).first()
        if demand is None:
            demand = services.demand_create(
                actor=actor,
                workshop=workshop,
                firm=firm,
                process_kind=kind,
                title=title,
                pieces_per_week=pieces,
                hours_per_week=hours,
                people_needed=people,
                starts_on=today - dt.timedelta(days=7),
                ends_on=today + dt.timedelta(days=90),
                skill_level=skill,
                place=place,
            )
            if status != DemandStatus.NEW:
                services.demand_set_status(actor=actor, demand=demand, to=status, note="上门走访")
            created += 1
        demands.append(demand)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 5)
    rng = random.Random(SEED + 5)
    for i, (skills, hours, place, area, low_income, status) in enumerate(WISHES, start=1):
        name = fake.name()
        phone = f"+86198573{i:05d}"
        if WorkWish.objects.filter(phone=phone).exists():
            continue
        wish, _new = services.wish_enter(
            actor=actor,
            name=name,
            phone=phone,
            skills=skills,
            hours_per_week=hours,
            work_place=place,
            area=area,
            workshop=workshop,
            low_income=low_income,
            consent=low_income,
        )
        WishRecord.objects.filter(wish=wish).update(source=rng.choice([WishSource.STAFF, WishSource.IMPORT]))
        if status in (WishStatus.CONTACTED, WishStatus.MATCHED):
            services.wish_set_status(actor=actor, wish=wish, to=WishStatus.CONTACTED, note="电话联系")
        if status == WishStatus.MATCHED:
            services.wish_set_status(actor=actor, wish=wish, to=status, note="愿意在家做", demand=demands[1])
        if status == WishStatus.CLOSED:
            services.wish_set_status(actor=actor, wish=wish, to=status, note="已在别处找到工作")
        created += 1
    return created
