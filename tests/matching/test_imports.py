"""Importing the two lists from messy spreadsheets the tests build: merged title rows, full-width digits,
+86 phones with dashes, mixed date formats, blank rows; all or nothing; importing again updates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.db.models.signals import post_save

from matching import imports
from matching.models import (
    WISH_TRANSITIONS,
    DemandEntry,
    DemandPlace,
    DemandStatus,
    EntryEvent,
    ImportBatch,
    ImportKind,
    SkillLevel,
    WishRecord,
    WishSource,
)
from tests.factories import WorkshopFactory, credit_code
from tests.matching.conftest import DEMAND_HEADER, WISH_HEADER, WishFactory, csv_bytes, xlsx
from workshop.models import PartnerFirm, ProcessKind, WishStatus, WorkPlace, WorkWish


def run_preview(user, ws, data: bytes, *, kind=ImportKind.WISHES, name="名单.xlsx", attest=False, today=None):
    table = imports.read_table(name, data)
    draft = imports.draft_create(
        actor=user, kind=kind, workshop=ws, filename=name, table=table, attest=attest
    )
    return imports.preview(actor=user, draft=draft, today=today)


def run_import(user, ws, data: bytes, **kw):
    preview = run_preview(user, ws, data, **kw)
    assert preview.ok, preview.messages
    return imports.commit(actor=user, draft=preview.draft)


def nothing_written():
    return (
        WorkWish.objects.count() == 0
        and DemandEntry.objects.count() == 0
        and ImportBatch.objects.count() == 0
        and EntryEvent.objects.count() == 0
        and WishRecord.objects.count() == 0
    )


# --- the supply list (residents) ------------------------------------------------------------------------


def test_messy_wish_workbook_is_read_and_written(cast, admin):
    rows = [
        WISH_HEADER,
        ["王秀英", "+86 138-0013-8000", "零件装配、产品包装", "２０", "到坊", "新街小区", "否", ""],
        [None, None, None, None, None, None, None, None],
        ["李桂兰", "１３９ ００１３ ９００１", "缝纫", "12小时", "在家", "望海新村", "是", "是"],
        ["  ", "", "", "", "", "", "", ""],
        ["张建国", "0086-137-0013-7002", "包装", 40.0, "都可以", "城东片", "", ""],
        ["赵美华", 13600136003, "布料加工,其他", 6, "居家", "老街片", "否", "否"],
    ]
    data = xlsx(rows, title="新街社区居民就业意向登记表(2022年8月)", width=len(WISH_HEADER))
    preview = run_preview(admin, cast.ws, data)
    assert preview.ok, preview.messages
    assert preview.header_row == 2
    assert [r["row"] for r in preview.rows] == [3, 5, 7, 8]
    batch = imports.commit(actor=admin, draft=preview.draft)
    assert (batch.rows, batch.created_count, batch.updated_count) == (4, 4, 0)
    wishes = {w.name: w for w in WorkWish.objects.all()}
    assert wishes["王秀英"].phone.as_e164 == "+8613800138000"
    assert wishes["王秀英"].skills == [ProcessKind.ASSEMBLY, ProcessKind.PACKAGING]
    assert wishes["王秀英"].hours_per_week == 20
    assert wishes["李桂兰"].phone.as_e164 == "+8613900139001"
    assert wishes["李桂兰"].work_place == WorkPlace.HOME
    assert wishes["李桂兰"].low_income is True
    assert wishes["李桂兰"].low_income_consent_at is not None
    assert wishes["李桂兰"].consent_version == imports.IMPORT_CONSENT_VERSION
    assert wishes["张建国"].phone.as_e164 == "+8613700137002"
    assert wishes["张建国"].work_place == WorkPlace.WORKSHOP
    assert wishes["赵美华"].phone.as_e164 == "+8613600136003"
    assert wishes["赵美华"].skills == [ProcessKind.FABRIC, ProcessKind.OTHER]
    assert all(w.workshop_id == cast.ws.pk and w.status == WishStatus.NEW for w in wishes.values())
    assert WishRecord.objects.filter(source=WishSource.IMPORT, batch=batch).count() == 4
    events = EntryEvent.objects.filter(wish__isnull=False)
    assert events.count() == 4
    assert all(e.actor == admin and e.to_state == WishStatus.NEW for e in events)
    assert "第3行" in events.get(wish=wishes["王秀英"]).note


def test_500_rows_with_5_bad_ones_write_nothing_and_say_which_five(cast, admin):
    rows = [WISH_HEADER]
    for i in range(500):
        rows.append([f"居民{i}", f"+86 137-{i:04d}-{i:04d}", "装配", "20", "到坊", "新街小区", "否", ""])
    # Sheet row = list index + 2 (a merged title row above the header).
    rows[10][1] = "137-0000-000"  # row 12: ten digits
    rows[120][3] = "很多"  # row 122: hours not a number
    rows[250][2] = "焊接"  # row 252: a skill nobody knows
    rows[377][0] = ""  # row 379: no name
    rows[499][6] = "是"  # row 501: low income without consent
    data = xlsx(rows, title="居民就业意向(500人)", width=len(WISH_HEADER))

    preview = run_preview(admin, cast.ws, data)

    assert not preview.ok
    assert len(preview.rows) == 495
    messages = [str(e) for e in preview.errors]
    assert len(messages) == 5, messages
    assert [e.row for e in preview.errors] == [12, 122, 252, 379, 501]
    assert messages[0] == "第12行 B列“手机号”:“137-0000-000”不是11位大陆手机号"
    assert messages[1] == "第122行 D列“每周小时”:“很多”不是数字"
    assert messages[2].startswith("第252行 C列“技能”:“焊接”还不是已知的技能")
    assert [(s.word, s.rows) for s in preview.new_skills] == [("焊接", [252])]
    assert messages[3] == "第379行 A列“姓名”:没有填写"
    assert messages[4].startswith("第501行 G列“低收入”:申报低收入需要本人同意")
    with pytest.raises(imports.ImportRefused):
        imports.commit(actor=admin, draft=preview.draft)
    assert nothing_written()


def test_import_page_previews_500_rows_with_5_errors_and_writes_nothing(client, cast, admin):
    rows = [WISH_HEADER] + [
        [f"居民{i}", f"137{i:08d}", "装配", "20", "到坊", "新街小区", "", ""] for i in range(500)
    ]
    for index in (3, 50, 100, 200, 400):
        rows[index][1] = "12345"
    client.force_login(admin)
    upload = _upload("名单.xlsx", xlsx(rows, title="名单", width=8))
    response = client.post(
        "/lists/import/", {"kind": "wishes", "workshop": cast.ws.pk, "file": upload}, follow=True
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-errors="5"' in body
    assert "共 5 行有问题,这次什么都没有写入" in body
    cells = re.findall(r'<tr data-row="(\d+)" data-column="B">.*?<td>“12345”不是11位大陆手机号</td>', body)
    assert cells == ["5", "52", "102", "202", "402"]
    assert "确认导入" not in body
    assert nothing_written()


def test_import_page_confirms_then_writes_once(client, cast, admin):
    rows = [WISH_HEADER, ["王秀英", "13800138000", "装配", "20", "到坊", "新街小区", "", ""]]
    client.force_login(admin)
    response = client.post(
        "/lists/import/",
        {"kind": "wishes", "workshop": cast.ws.pk, "file": _upload("a.csv", csv_bytes(rows))},
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    response = client.get(preview_url)
    assert response.status_code == 200 and "确认导入" in response.content.decode()
    assert WorkWish.objects.count() == 0
    response = client.post(preview_url + "confirm/")
    assert response.status_code == 302 and response["Location"] == "/lists/supply/"
    assert WorkWish.objects.count() == 1
    # A second confirm of the same upload finds it gone (written once): nothing more is written.
    response = client.post(preview_url + "confirm/")
    assert response.status_code == 404
    assert WorkWish.objects.count() == 1
    assert ImportBatch.objects.count() == 1


def test_a_guessed_upload_token_writes_nothing(client, cast, admin):
    client.force_login(admin)
    response = client.post("/lists/import/eyJrIjoid2lzaGVzIn0-forged/confirm/")
    assert response.status_code == 404
    assert nothing_written()


def test_importing_again_updates_by_phone_instead_of_duplicating(cast, admin):
    first = [
        WISH_HEADER,
        ["王秀英", "13800138000", "装配", "20", "到坊", "新街小区", "否", ""],
        ["李桂兰", "13900139001", "缝纫", "12", "在家", "望海新村", "否", ""],
    ]
    run_import(admin, cast.ws, xlsx(first))
    closed = WorkWish.objects.get(name="李桂兰")
    WorkWish.objects.filter(pk=closed.pk).update(status=WishStatus.CLOSED)
    again = [
        ["手机号码", "姓名", "会做的活", "每周能做(小时)", "做工地点", "居住片区"],
        ["138 0013 8000", "王秀英", "装配、包装", "30", "在家", "新街小区"],
        ["+86 139 0013 9001", "李桂兰", "缝纫", "12", "在家", "望海新村"],
        ["13700137002", "张建国", "包装", "40", "到坊", "城东片"],
    ]
    batch = run_import(admin, cast.ws, csv_bytes(again), name="第二次.csv")
    assert (batch.created_count, batch.updated_count) == (1, 2)
    assert WorkWish.objects.count() == 3
    wang = WorkWish.objects.get(phone="+8613800138000")
    assert (wang.hours_per_week, wang.work_place) == (30, WorkPlace.HOME)
    assert wang.skills == [ProcessKind.ASSEMBLY, ProcessKind.PACKAGING]
    # Signed up again after being closed: back on the list as new, and the history says so.
    closed.refresh_from_db()
    assert closed.status == WishStatus.NEW
    assert EntryEvent.objects.filter(
        wish=closed, from_state=WishStatus.CLOSED, to_state=WishStatus.NEW
    ).exists()
    assert WishRecord.objects.filter(source=WishSource.IMPORT).count() == 3


def test_reimporting_a_closed_wish_reopens_it_through_its_transition(cast, admin):
    wish = WishFactory(workshop=cast.ws, phone="+8613900139001", name="李桂兰", status=WishStatus.CLOSED)
    rows = [WISH_HEADER, ["李桂兰", "13900139001", "缝纫", "12", "在家", "望海新村", "", ""]]
    batch = run_import(admin, cast.ws, csv_bytes(rows), name="又报名.csv")
    assert (batch.created_count, batch.updated_count) == (0, 1)
    wish.refresh_from_db()
    assert (wish.status, wish.hours_per_week, wish.area) == (WishStatus.NEW, 12, "望海新村")
    event = EntryEvent.objects.get(wish=wish)
    assert (event.from_state, event.to_state, event.actor) == (WishStatus.CLOSED, WishStatus.NEW, admin)
    assert event.note == "表格导入 又报名.csv 第2行"


def test_a_reopen_the_wish_transitions_do_not_allow_refuses_the_import(cast, admin, monkeypatch):
    wish = WishFactory(workshop=cast.ws, phone="+8613900139001", name="原名", status=WishStatus.CLOSED)
    monkeypatch.setitem(WISH_TRANSITIONS, WishStatus.CLOSED, frozenset())
    rows = [
        WISH_HEADER,
        ["王秀英", "13800138000", "装配", "20", "到坊", "新街小区", "", ""],
        ["新名字", "13900139001", "缝纫", "12", "在家", "望海新村", "", ""],
    ]
    preview = run_preview(admin, cast.ws, csv_bytes(rows), name="a.csv")
    assert preview.ok, preview.messages
    with pytest.raises(imports.ImportRefused) as refused:
        imports.commit(actor=admin, draft=preview.draft)
    assert refused.value.preview.messages == [
        "第3行:现在的状态是“已关闭”,不能改为“新登记”。请刷新后查看最新情况。"
    ]
    wish.refresh_from_db()
    assert (wish.status, wish.name) == (WishStatus.CLOSED, "原名")
    assert WorkWish.objects.count() == 1 and not ImportBatch.objects.exists()
    assert not EntryEvent.objects.exists() and not WishRecord.objects.exists()


@pytest.fixture
def meanwhile():
    """Runs the functions given just after commit has checked the rows again and before it writes them
    (when it creates the ImportBatch), as another admin's change at that moment would."""
    changes = []

    def run(sender, **kwargs):
        for change in changes:
            change()

    post_save.connect(run, sender=ImportBatch, dispatch_uid="meanwhile")
    yield changes.append
    post_save.disconnect(sender=ImportBatch, dispatch_uid="meanwhile")


def moved(wish, to):
    return lambda: WorkWish.objects.filter(pk=wish.pk).update(status=to)


def test_a_closed_wish_moved_before_the_import_reopens_it_refuses_the_import(cast, admin, meanwhile):
    wish = WishFactory(workshop=cast.ws, phone="+8613900139001", name="原名", status=WishStatus.CLOSED)
    meanwhile(moved(wish, WishStatus.CONTACTED))
    rows = [WISH_HEADER, ["新名字", "13900139001", "缝纫", "12", "在家", "望海新村", "", ""]]
    preview = run_preview(admin, cast.ws, csv_bytes(rows), name="a.csv")
    with pytest.raises(imports.ImportRefused) as refused:
        imports.commit(actor=admin, draft=preview.draft)
    assert refused.value.preview.messages == [
        "第2行:现在的状态是“已联系”,不能改为“新登记”。请刷新后查看最新情况。"
    ]
    wish.refresh_from_db()  # the whole commit rolled back, the simulated move with it
    assert (wish.status, wish.name) == (WishStatus.CLOSED, "原名")
    assert not ImportBatch.objects.exists() and not EntryEvent.objects.exists()


def test_reimporting_a_wish_being_followed_up_updates_it_without_touching_its_status(cast, admin, meanwhile):
    contacted = WishFactory(workshop=cast.ws, phone="+8613800138000", status=WishStatus.CONTACTED)
    enrolled = WishFactory(workshop=cast.ws, phone="+8613900139001", status=WishStatus.ENROLLED)
    meanwhile(moved(contacted, WishStatus.MATCHED))
    rows = [
        WISH_HEADER,
        ["王秀英", "13800138000", "装配", "30", "到坊", "新街小区", "", ""],
        ["李桂兰", "13900139001", "缝纫", "12", "在家", "望海新村", "", ""],
    ]
    run_import(admin, cast.ws, csv_bytes(rows), name="a.csv")
    contacted.refresh_from_db()
    enrolled.refresh_from_db()
    # Another admin's move between the check and the write stands: the import writes no status.
    assert (contacted.status, contacted.name, contacted.hours_per_week) == (WishStatus.MATCHED, "王秀英", 30)
    assert (enrolled.status, enrolled.name) == (WishStatus.ENROLLED, "李桂兰")
    assert not EntryEvent.objects.exclude(from_state=F("to_state")).exists()


def test_a_wish_deleted_before_the_import_updates_it_is_a_race_not_a_new_row(cast, admin, meanwhile):
    wish = WishFactory(workshop=cast.ws, phone="+8613800138000", name="原名", status=WishStatus.CONTACTED)
    meanwhile(lambda: WorkWish.objects.filter(pk=wish.pk).delete())
    rows = [WISH_HEADER, ["新名字", "13800138000", "装配", "30", "到坊", "新街小区", "", ""]]
    preview = run_preview(admin, cast.ws, csv_bytes(rows), name="a.csv")
    with pytest.raises(ValidationError, match="导入时数据刚好有变化"):
        imports.commit(actor=admin, draft=preview.draft)
    wish.refresh_from_db()  # the whole commit rolled back, the simulated delete with it
    assert (wish.status, wish.name) == (WishStatus.CONTACTED, "原名")
    assert not ImportBatch.objects.exists() and not EntryEvent.objects.exists()


def test_gb18030_csv_with_header_synonyms(cast, admin):
    rows = [
        ["序号", "居民姓名", "联系电话", "会做的活", "每周可做小时", "居家/到坊", "所在片区", "是否低收入"],
        ["1", "陈阿姨", "0086 135 0013 5000", "零件装配", "１６", "家里", "海滨花园", "低保"],
    ]
    preview = run_preview(admin, cast.ws, csv_bytes(rows, encoding="gb18030"), name="意向.csv", attest=True)
    assert preview.ok, preview.messages
    imports.commit(actor=admin, draft=preview.draft)
    wish = WorkWish.objects.get()
    assert (wish.name, wish.phone.as_e164, wish.hours_per_week) == ("陈阿姨", "+8613500135000", 16)
    assert wish.low_income is True


def test_duplicate_phone_in_one_file_is_a_row_error(cast, admin):
    rows = [
        WISH_HEADER,
        ["王秀英", "13800138000", "装配", "20", "到坊", "新街小区", "", ""],
        ["王秀英", "+86 138 0013 8000", "装配", "20", "到坊", "新街小区", "", ""],
    ]
    preview = run_preview(admin, cast.ws, xlsx(rows))
    assert [str(e) for e in preview.errors] == ["第3行 B列“手机号”:与第2行手机号重复"]


def test_a_phone_registered_in_another_community_is_not_touched(cast, admin):
    elsewhere = WorkshopFactory(community="老街社区")
    wish = WishFactory(phone="+8613800138000", workshop=elsewhere, name="原名")
    rows = [WISH_HEADER, ["新名字", "13800138000", "装配", "20", "到坊", "新街小区", "", ""]]
    preview = run_preview(admin, cast.ws, xlsx(rows))
    assert [str(e) for e in preview.errors] == [
        "第2行 B列“手机号”:这个手机号已在其他社区的工坊登记,不能在这里更新"
    ]
    wish.refresh_from_db()
    assert wish.name == "原名"


def test_missing_columns_and_missing_header_are_file_errors(cast, admin):
    no_header = run_preview(admin, cast.ws, xlsx([["随便写的"], ["王秀英", "13800138000"]]))
    assert no_header.needs_mapping and not no_header.ok
    missing = run_preview(admin, cast.ws, xlsx([["姓名", "手机号"], ["王秀英", "13800138000"]]))
    assert missing.needs_mapping
    assert missing.file_errors == [
        "表头缺少这些列:技能、每周小时/每天小时、在家/到坊、片区。请在“对应表头”里指出是哪一列。"
    ]
    with pytest.raises(Exception, match="xls"):
        imports.read_table("旧表.xls", b"\xd0\xcf\x11\xe0 not really")


def test_only_community_admins_of_the_workshop_may_import(cast, admin, stranger):
    data = xlsx([WISH_HEADER, ["王秀英", "13800138000", "装配", "20", "到坊", "新街小区", "", ""]])
    for user in (stranger, cast.head, cast.clerk, cast.alice.user):
        with pytest.raises(PermissionDenied):
            run_preview(user, cast.ws, data)
    preview = run_preview(admin, cast.ws, data)
    with pytest.raises(PermissionDenied):
        imports.commit(actor=stranger, draft=preview.draft)
    assert nothing_written()


# --- the demand list (firms) ----------------------------------------------------------------------------


def test_messy_demand_workbook_creates_firms_and_demands(cast, admin):
    code_a, code_b = credit_code(901), credit_code(902)
    rows = [
        DEMAND_HEADER,
        [
            "海盐恒达电器有限公司",
            code_a.lower(),
            "周经理",
            "0573-8601 2345",
            "零件装配",
            "开关面板",
            "３０００",
            "3",
            "2022年8月1日",
            "2022/12/31",
            "零基础",
            "到坊",
            "9点前送料",
        ],
        [None] * 13,
        [
            "海盐恒达电器有限公司",
            f" {code_a} ",
            "",
            "",
            "包装",
            "装盒",
            "5000",
            "",
            dt.datetime(2022, 8, 15),
            "20221231",
            "熟练",
            "可居家",
            "",
        ],
        [
            "海盐织里服饰厂",
            code_b,
            "沈主任",
            "+86 139-0057-3000",
            "布料加工",
            "",
            "800",
            "2",
            "2022-08-01",
            "",
            "有经验",
            "均可",
            "",
        ],
    ]
    data = xlsx(rows, title="新街社区企业外加工和用工需求清单", width=len(DEMAND_HEADER))
    preview = run_preview(admin, cast.ws, data, kind=ImportKind.DEMANDS)
    assert preview.ok, preview.messages
    batch = imports.commit(actor=admin, draft=preview.draft)
    assert (batch.created_count, batch.updated_count) == (3, 0)
    firm_a = PartnerFirm.objects.get(credit_code=code_a)
    assert (firm_a.name, firm_a.contact, firm_a.phone.as_e164) == (
        "海盐恒达电器有限公司",
        "周经理",
        "+8657386012345",
    )
    assembly = DemandEntry.objects.get(firm=firm_a, process_kind=ProcessKind.ASSEMBLY)
    assert (assembly.pieces_per_week, assembly.people_needed) == (3000, 3)
    assert (assembly.starts_on, assembly.ends_on) == (dt.date(2022, 8, 1), dt.date(2022, 12, 31))
    assert (assembly.skill_level, assembly.place) == (SkillLevel.BEGINNER, DemandPlace.WORKSHOP)
    packing = DemandEntry.objects.get(firm=firm_a, process_kind=ProcessKind.PACKAGING)
    assert (packing.starts_on, packing.ends_on) == (dt.date(2022, 8, 15), dt.date(2022, 12, 31))
    assert (packing.skill_level, packing.place) == (SkillLevel.SKILLED, DemandPlace.HOME_OK)
    fabric = DemandEntry.objects.get(firm__credit_code=code_b)
    assert (fabric.ends_on, fabric.skill_level) == (None, SkillLevel.EXPERIENCED)
    assert all(d.workshop_id == cast.ws.pk and d.created_by == admin for d in DemandEntry.objects.all())
    assert EntryEvent.objects.filter(demand__isnull=False, to_state=DemandStatus.NEW).count() == 3


def test_importing_demands_again_updates_by_credit_code(cast, admin):
    code = credit_code(903)
    first = [DEMAND_HEADER[:9], ["恒达电器", code, "周经理", "", "装配", "面板", "3000", "3", "2022-08-01"]]
    run_import(admin, cast.ws, xlsx(first), kind=ImportKind.DEMANDS)
    again = [
        ["统一社会信用代码", "企业名称", "工序", "每周件数", "开始日期"],
        [code, "海盐恒达电器有限公司", "零件装配", "4500", "2022/9/1"],
    ]
    batch = run_import(admin, cast.ws, csv_bytes(again), kind=ImportKind.DEMANDS, name="b.csv")
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert PartnerFirm.objects.filter(credit_code=code).count() == 1
    demand = DemandEntry.objects.get()
    assert (demand.pieces_per_week, demand.starts_on) == (4500, dt.date(2022, 9, 1))
    assert demand.firm.name == "海盐恒达电器有限公司"
    # A closed demand is history: the next import of that need is a new demand.
    DemandEntry.objects.update(status=DemandStatus.CLOSED)
    batch = run_import(admin, cast.ws, csv_bytes(again), kind=ImportKind.DEMANDS, name="c.csv")
    assert (batch.created_count, batch.updated_count) == (1, 0)


def test_demand_row_errors_in_chinese(cast, admin):
    rows = [
        DEMAND_HEADER[:11],
        ["恒达电器", "91330424MA2B00000X", "", "", "装配", "", "100", "", "2022-08-01", "", ""],
        ["新企业", credit_code(904), "", "", "焊接", "", "100", "", "2022-08-01", "", ""],
        ["新企业", credit_code(905), "", "", "装配", "", "", "", "2022-08-01", "", ""],
        ["新企业", credit_code(906), "", "", "装配", "", "100", "", "明天", "", ""],
        ["新企业", credit_code(907), "", "", "装配", "", "100", "", "2022-08-01", "2022-07-01", ""],
        ["", credit_code(908), "", "", "装配", "", "100", "", "2022-08-01", "", ""],
    ]
    preview = run_preview(admin, cast.ws, xlsx(rows), kind=ImportKind.DEMANDS)
    assert [str(e) for e in preview.errors] == [
        "第2行 B列“统一社会信用代码”:“91330424MA2B00000X”无效(应为18位,校验位正确)",
        "第3行 E列“工序”:“焊接”还不是已知的技能:可在下面一键添加为新技能,或在表格里改成已知的技能",
        "第4行 G列“件数/每周”:每周件数:每周件数和每周工时至少填一项。",
        "第5行 I列“开始日期”:“明天”看不懂,请写成 2022-08-01",
        "第6行 J列“结束日期”:结束日期:结束日期不能早于开始日期。",
        "第7行 A列“企业名称”:新企业需要填写企业名称",
    ]
    assert nothing_written() and PartnerFirm.objects.filter(name="新企业").count() == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022年8月1日", dt.date(2022, 8, 1)),
        ("２０２２年８月１日", dt.date(2022, 8, 1)),
        ("2022/8/1", dt.date(2022, 8, 1)),
        ("2022-08-01", dt.date(2022, 8, 1)),
        ("2022.8.1", dt.date(2022, 8, 1)),
        ("20220801", dt.date(2022, 8, 1)),
        ("2022-08-01 00:00:00", dt.date(2022, 8, 1)),
        ("44774", dt.date(2022, 8, 1)),  # an Excel serial in a cell not formatted as a date
    ],
)
def test_dates_in_the_formats_communities_write(text, expected):
    assert imports.parse_date(imports.norm(text)) == expected


@pytest.mark.parametrize(
    "text", ["+86 138-0013-8000", "138 0013 8000", "8613800138000", "0086 13800138000", "(+86)13800138000"]
)
def test_phones_with_spaces_dashes_and_country_code(text):
    assert imports.parse_mobile(imports.norm(text)) == "+8613800138000"


@pytest.mark.parametrize("text", ["1380013800", "23800138000", "0573-86012345", "+1 415 555 0100"])
def test_phones_that_are_not_mainland_mobiles(text):
    with pytest.raises(imports.CellError, match="不是11位大陆手机号"):
        imports.parse_mobile(imports.norm(text))


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
