"""The demo workshop: the model case of ../shared/SCENARIO.md (暖心坊 of 新街社区, 望海街道, 海盐县).

5 partner firms, 8 production lines (assembly, fabric, packaging), 53 workers: 32 fixed, 21 part-time,
6 of them low-income. People's names, phones and ID numbers are generated (Faker zh_CN, fixed seed),
never real. Every demo password is ``nuanxin-demo``.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from faker import Faker
from stdnum.cn import ric, uscc

from . import industries
from .models import (
    CommunityAdmin,
    CountyOfficial,
    Employment,
    FirmStaff,
    Pairing,
    PartnerFirm,
    ProcessKind,
    ProductionLine,
    Worker,
    WorkPlace,
    Workshop,
)

DEMO_PASSWORD = "nuanxin-demo"
# The demo's staff have a person's name (made up), shown beside their role on the dashboard: 坊长 沈秀英.
STAFF_NAMES = {"admin": "周丽萍", "head": "沈秀英", "county": "陈建华"}
OLD_PLACEHOLDERS = {"admin": "社区管理员", "head": "坊长", "county": "县级"}
DEMO_PIN = "246810"
SEED = 20220801
PLACE = {"community": "新街社区", "subdistrict": "望海街道", "county": "海盐县"}

# (firm name, credit-code body of 17 characters, contact, auto-accept up to N pieces or None,
#  [(line name, process kind, in-house cost per piece in yuan)])
FIRMS = [
    (
        "海盐嘉禾电器有限公司",
        "91330424MA28A0011",
        "沈经理",
        3000,
        [
            ("开关面板装配线", ProcessKind.ASSEMBLY, "0.4600"),
            ("插座组件装配线", ProcessKind.ASSEMBLY, "0.4200"),
        ],
    ),
    (
        "海盐望海服饰有限公司",
        "91330424MA28A0022",
        "顾经理",
        None,
        [
            ("童装辅料缝制线", ProcessKind.FABRIC, "0.9500"),
            ("环保布袋加工线", ProcessKind.FABRIC, "0.8800"),
        ],
    ),
    (
        "海盐盐邦包装有限公司",
        "91330424MA28A0033",
        "朱经理",
        None,
        [
            ("礼盒包装线", ProcessKind.PACKAGING, "0.3500"),
        ],
    ),
    (
        "海盐海滨五金制品有限公司",
        "91330424MA28A0044",
        "徐经理",
        None,
        [
            ("紧固件分拣装配线", ProcessKind.ASSEMBLY, "0.4400"),
        ],
    ),
    (
        "海盐新街纺织有限公司",
        "91330424MA28A0055",
        "陆经理",
        None,
        [
            ("毛巾折叠包装线", ProcessKind.PACKAGING, "0.3300"),
            ("布艺修剪线", ProcessKind.FABRIC, "0.9000"),
        ],
    ),
]

# Each demo firm's industry, GB/T 4754-2017 division (大类; its section, all 制造业 C here, follows):
# switches and sockets 38 电气机械和器材制造业, children's wear trims 18 纺织服装、服饰业, gift boxes
# 22 造纸和纸制品业, fasteners 33 金属制品业, towels and fabric goods 17 纺织业.
FIRM_DIVISIONS = {
    "91330424MA28A0011": "38",
    "91330424MA28A0022": "18",
    "91330424MA28A0033": "22",
    "91330424MA28A0044": "33",
    "91330424MA28A0055": "17",
}

N_FIXED, N_PART_TIME = 32, 21
# Mobile prefixes that libphonenumber (django-phonenumber-field) knows as valid for +86.
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
]
LOW_INCOME = {"fixed": 3, "part_time": 3}


@dataclass
class DemoSummary:
    workshop: Workshop
    created: int


def firm_credit_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


def _id_number(rng: random.Random, birth: dt.date) -> str:
    # 330424 is 海盐县's area code; numbers of residents born before 1983 carry it too (see validators).
    body = f"330424{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


@functools.cache
def _hashed(secret: str) -> str:
    # One hash for every demo account: hashing 60 passwords one by one would take a minute.
    return make_password(secret)


def _rename_role_placeholders() -> None:
    # Demo databases seeded before the staff had names kept their role as the name, and the dashboard
    # read "坊长 坊长": give them their person's name once (a later run finds nothing to change).
    for username, name in STAFF_NAMES.items():
        get_user_model().objects.filter(username=username, first_name=OLD_PLACEHOLDERS[username]).update(
            first_name=name
        )


def _user(username: str, **extra) -> tuple[object, bool]:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={**extra, "password": _hashed(DEMO_PASSWORD)}
    )
    return user, created


@transaction.atomic
def seed_demo() -> DemoSummary:
    """Build (or find) the demo workshop. Idempotent: a second run creates and changes nothing.

    Returns the workshop and how many rows this run created.
    """
    created = 0
    admin, c = _user("admin", is_staff=True, is_superuser=True, first_name=STAFF_NAMES["admin"])
    created += c
    _, c = CommunityAdmin.objects.get_or_create(user=admin, defaults=PLACE)
    created += c
    head, c = _user("head", first_name=STAFF_NAMES["head"])
    created += c
    # The county's read-only login: the impact report of every workshop of 海盐县, never a person's data.
    county, c = _user("county", first_name=STAFF_NAMES["county"])
    created += c
    _rename_role_placeholders()
    _, c = CountyOfficial.objects.get_or_create(user=county, defaults={"county": PLACE["county"]})
    created += c
    workshop, c = Workshop.objects.get_or_create(
        name="暖心坊",
        community=PLACE["community"],
        county=PLACE["county"],
        defaults={
            "subdistrict": PLACE["subdistrict"],
            "address": "海盐县望海街道新街社区党群服务中心",
            "head": head,
            "operator": "海盐暖心来料加工服务部(个体工商户)",
        },
    )
    created += c
    for i, (name, body, contact, auto_max, lines) in enumerate(FIRMS, start=1):
        division = FIRM_DIVISIONS[body]
        firm, c = PartnerFirm.objects.get_or_create(
            credit_code=firm_credit_code(body),
            defaults={
                "name": name,
                "contact": contact,
                "phone": f"+86135{7000000 + i:08d}"[:14],
                "industry": industries.SECTION_OF[division],
                "industry_division": division,
            },
        )
        created += c
        # A demo seeded before firms had an industry gets it once (a firm already classified keeps its own).
        PartnerFirm.objects.filter(pk=firm.pk, industry="").update(
            industry=industries.SECTION_OF[division], industry_division=division
        )
        staff_user, c = _user(f"firm{i}", first_name=contact)
        created += c
        _, c = FirmStaff.objects.get_or_create(user=staff_user, defaults={"firm": firm})
        created += c
        pairing, c = Pairing.objects.get_or_create(
            firm=firm,
            workshop=workshop,
            defaults={
                "signed_on": dt.date(2022, 8, 1),
                "auto_accept": auto_max is not None,
                "auto_accept_max_pieces": auto_max,
            },
        )
        created += c
        for line_name, kind, cost in lines:
            line, c = ProductionLine.objects.get_or_create(
                firm=firm,
                name=line_name,
                defaults={"process_kind": kind, "inhouse_cost_per_piece": Decimal(cost)},
            )
            created += c
            if c:
                pairing.lines.add(line)
    created += _seed_workers(workshop)
    return DemoSummary(workshop=workshop, created=created)


def _seed_workers(workshop: Workshop) -> int:
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    kinds = [ProcessKind.ASSEMBLY, ProcessKind.FABRIC, ProcessKind.PACKAGING]
    created = 0
    phones: set[str] = set()
    plan = [Employment.FIXED] * N_FIXED + [Employment.PART_TIME] * N_PART_TIME
    low = {Employment.FIXED: LOW_INCOME["fixed"], Employment.PART_TIME: LOW_INCOME["part_time"]}
    for employment in plan:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
            if phone not in phones:
                phones.add(phone)
                break
        fixed = employment == Employment.FIXED
        is_low = low[employment] > 0
        low[employment] -= 1 if is_low else 0
        birth = dt.date(rng.randint(1956, 1992), rng.randint(1, 12), rng.randint(1, 28))
        skills = sorted(rng.sample(kinds, rng.randint(2, 3) if fixed else rng.randint(1, 2)))
        name = fake.name()
        baseline = rng.randint(18000, 32000) if fixed else rng.randint(6000, 16000)
        if is_low:
            baseline = rng.randint(3000, 9000)
        user, c = _user(phone, first_name=name)
        created += c
        _, c = Worker.objects.get_or_create(
            phone=f"+86{phone}",
            defaults={
                "user": user,
                "workshop": workshop,
                "name": name,
                "id_number": _id_number(rng, birth),
                "employment": employment,
                "low_income": is_low,
                "skills": skills,
                "hours_per_week": rng.randint(36, 44) if fixed else rng.randint(12, 20),
                "work_place": WorkPlace.WORKSHOP
                if rng.random() < (0.8 if fixed else 0.4)
                else WorkPlace.HOME,
                "home_area": rng.choice(["新街小区", "望海新村", "城东片", "老街片", "海滨花园"]),
                "baseline_income_yuan": Decimal(baseline),
                "joined_on": dt.date(2022, 8, 1) + dt.timedelta(days=rng.randint(0, 60)),
                "pin_hash": _hashed(DEMO_PIN),
            },
        )
        created += c
    return created


def demo_logins() -> list[tuple[str, str]]:
    """(username, role) pairs to print for people trying the demo."""
    rows = [
        ("admin", "社区管理员 community admin"),
        ("county", "县级 county official: the impact report /dashboard/impact/, read-only"),
        ("head", "坊长 workshop head"),
    ]
    rows += [(f"firm{i}", f"企业专员 firm staff: {f[0]}") for i, f in enumerate(FIRMS, start=1)]
    # Workers who hold open work first (offered or accepted: today's demo jobs, or the season's still
    # open), so their /m/ page has something to show; a season's history is not what they hold.
    held = models.Q(assignments__state__in=("offered", "accepted"))
    first = (
        Worker.objects.annotate(n=models.Count("assignments", filter=held))
        .order_by("-n", "pk")
        .values_list("user__username", "name")[:2]
    )
    rows += [(u, f"坊工 worker ({n})") for u, n in first]
    return rows
