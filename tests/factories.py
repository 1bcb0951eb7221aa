"""factory_boy factories: well-formed credit codes, mainland mobiles, a paired workshop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from workshop.models import (
    CommunityAdmin,
    Employment,
    FirmStaff,
    Pairing,
    PartnerFirm,
    ProcessKind,
    ProductionLine,
    Worker,
    Workshop,
)

PASSWORD = "pw-for-tests-1"


def credit_code(n: int) -> str:
    body = f"91330424MA2B{n:05d}"
    return body + uscc.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"暖心坊{n}")
    community = "新街社区"
    subdistrict = "望海街道"
    county = "海盐县"
    head = factory.SubFactory(UserFactory)


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerFirm

    name = factory.Sequence(lambda n: f"海盐测试企业{n}有限公司")
    credit_code = factory.Sequence(credit_code)
    industry = "C"  # 制造业 (GB/T 4754-2017), as the workshops' partner firms are
    industry_division = "41"  # 其他制造业


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionLine

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"装配线{n}")
    process_kind = ProcessKind.ASSEMBLY
    inhouse_cost_per_piece = Decimal("0.3000")


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    firm = factory.SubFactory(FirmFactory)
    workshop = factory.SubFactory(WorkshopFactory)
    signed_on = dt.date(2022, 8, 1)

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if create and extracted:
            self.lines.add(*extracted)


class FirmStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmStaff

    user = factory.SubFactory(UserFactory)
    firm = factory.SubFactory(FirmFactory)


class CommunityAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityAdmin

    user = factory.SubFactory(UserFactory)
    community = "新街社区"
    subdistrict = "望海街道"
    county = "海盐县"


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    user = factory.SubFactory(UserFactory)
    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"坊工{n}")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    employment = Employment.FIXED
    skills = factory.LazyFunction(lambda: [ProcessKind.ASSEMBLY, ProcessKind.PACKAGING])
    hours_per_week = 40
