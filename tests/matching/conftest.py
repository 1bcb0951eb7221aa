"""Fixtures for the two lists: a community admin of the cast's community (``admin``) and one of another
community (``stranger``), factories for wishes and demands, and helpers that build messy spreadsheets."""

from __future__ import annotations

import csv
import datetime as dt
import io

import factory
import pytest
from django.utils import timezone
from openpyxl import Workbook

from matching.models import DemandEntry, DemandPlace, DemandStatus, SkillLevel
from tests.factories import CommunityAdminFactory, FirmFactory, UserFactory, WorkshopFactory
from workshop.models import ProcessKind, WishStatus, WorkPlace, WorkWish


class WishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkWish

    name = factory.Sequence(lambda n: f"居民{n}")
    phone = factory.Sequence(lambda n: f"+86137{n:08d}")
    skills = factory.LazyFunction(lambda: [ProcessKind.ASSEMBLY])
    hours_per_week = 20
    work_place = WorkPlace.WORKSHOP
    area = "新街小区"
    status = WishStatus.NEW


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemandEntry

    workshop = factory.SubFactory(WorkshopFactory)
    firm = factory.SubFactory(FirmFactory)
    process_kind = ProcessKind.ASSEMBLY
    title = "开关面板装配"
    pieces_per_week = 1200
    people_needed = 2
    starts_on = factory.LazyFunction(timezone.localdate)
    skill_level = SkillLevel.BEGINNER
    place = DemandPlace.WORKSHOP
    status = DemandStatus.NEW
    created_by = factory.SubFactory(UserFactory)


@pytest.fixture
def admin(cast):
    """A community admin of 新街社区 (the cast's workshop ws, and mallory's workshop, are both in it)."""
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


@pytest.fixture
def stranger(db):
    """A community admin of another community."""
    return CommunityAdminFactory(user=UserFactory(username="stranger"), community="老街社区").user


def low_income_wish(**kw) -> WorkWish:
    return WishFactory(
        low_income=True, low_income_consent_at=timezone.now(), consent_version=WorkWish.CONSENT_VERSION, **kw
    )


# --- spreadsheets the tests build ---------------------------------------------------------------------


def xlsx(rows: list[list], *, title: str | None = None, width: int | None = None) -> bytes:
    """A workbook whose first sheet holds ``rows``, under a merged title row when ``title`` is given."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width or len(rows[0]))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


WISH_HEADER = ["姓名", "手机号", "技能", "每周小时", "在家/到坊", "片区", "低收入", "本人同意"]
DEMAND_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "联系人",
    "联系电话",
    "工序",
    "品名",
    "件数/每周",
    "人数",
    "开始日期",
    "结束日期",
    "技能要求",
    "做工地点",
    "备注",
]


def today() -> dt.date:
    return timezone.localdate()
