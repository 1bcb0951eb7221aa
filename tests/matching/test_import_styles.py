"""Sheets in header styles the project never made, built by the tests: a street office's register with
"每周能干几个钟头" and "在家做还是来坊里", a firms' sheet with "月需求量(件)", "计件单价" and "需求时段",
a GBK csv, and a sheet no synonym fits, mapped once on the mapping page and remembered for the next
upload from the same community."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric

from matching import imports
from matching.models import DemandEntry, ImportKind, ImportMapping, WishRecord
from tests.factories import credit_code
from tests.matching.conftest import csv_bytes, xlsx
from workshop.models import PartnerFirm, ProcessKind, WorkPlace, WorkWish

AUGUST = dt.date(2025, 8, 20)


def _id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


OLD_HAIYAN = _id("33042419600312002")  # born 1960 under 海盐县's code of 1983: a warning, not a refusal
YOUNG_HAIYAN = _id("33042419880415003")


def run_preview(user, ws, data, *, kind=ImportKind.WISHES, name="表.xlsx", today=AUGUST):
    table = imports.read_table(name, data)
    draft = imports.draft_create(actor=user, kind=kind, workshop=ws, filename=name, table=table)
    return imports.preview(actor=user, draft=draft, today=today)


STREET_REGISTER = [
    [
        "序号",
        "*居民姓名",
        "本人手机",
        "身份证号码",
        "会干的活",
        "每周能干几个钟头",
        "在家做还是来坊里",
        "所在网格",
        "是否低保户",
        "本人签字同意",
    ],
    [
        1,
        "王秀英",
        "+86 149-1234-5678",
        OLD_HAIYAN,
        "装配、包装",
        "约40个钟头",
        "来坊里",
        "新街一网格",
        "否",
        "",
    ],
    [
        2,
        "李桂兰",
        "１３９００１３９００１",
        YOUNG_HAIYAN,
        "缝纫",
        "二十",
        "在家做",
        "新街二网格",
        "是",
        "已签",
    ],
    [3, "张建国", "19212345678", "", "手工", "12小时", "都行", "新街三网格", "", ""],
]


def test_a_street_offices_register_with_other_headers_is_recognised_and_written(cast, admin):
    data = xlsx(STREET_REGISTER, title="望海街道新街社区 居民就业意向登记表(2025年)", width=10)
    preview = run_preview(admin, cast.ws, data)
    assert preview.ok, preview.messages
    assert preview.layout.source == "auto" and preview.header_row == 2
    assert [(p.row, p.column, p.header) for p in preview.warnings] == [(3, "D", "身份证号码")]
    assert "1983年起才使用,晚于出生年份1960年" in preview.warnings[0].message
    imports.commit(actor=admin, draft=preview.draft)
    wang = WorkWish.objects.get(name="王秀英")
    assert (wang.phone.as_e164, wang.hours_per_week, wang.work_place) == (
        "+8614912345678",
        40,
        WorkPlace.WORKSHOP,
    )
    assert wang.skills == [ProcessKind.ASSEMBLY, ProcessKind.PACKAGING]
    assert wang.list_record.id_number == OLD_HAIYAN
    li = WorkWish.objects.get(name="李桂兰")
    assert (li.hours_per_week, li.work_place, li.low_income) == (20, WorkPlace.HOME, True)
    assert WorkWish.objects.get(name="张建国").phone.as_e164 == "+8619212345678"


FIRMS_SHEET = [
    [
        "企业名",
        "营业执照号",
        "对接人",
        "对接人电话",
        "外发工序",
        "加工产品",
        "月需求量（件）",
        "计件单价",
        "需求时段",
        "能否在家做",
        "其它要求",
    ],
    [
        "海盐恒达电器",
        credit_code(951),
        "周经理",
        "0573-8601 2345",
        "装配",
        "开关面板",
        "1.5万件",
        "0.12元/件",
        "9月到12月",
        "能",
        "",
    ],
    [
        "织里服饰",
        credit_code(952),
        "沈主任",
        "13900573000",
        "缝纫",
        "童装",
        "两千",
        "1毛2",
        "长期",
        "不行",
        "自带剪刀",
    ],
]


def test_a_firms_sheet_with_monthly_figures_rates_and_periods_in_words_is_read(cast, admin):
    preview = run_preview(admin, cast.ws, xlsx(FIRMS_SHEET), kind=ImportKind.DEMANDS)
    assert preview.ok, preview.messages
    assert preview.layout.source == "auto"
    notes = [(p.row, p.column, p.message) for p in preview.warnings]
    assert notes == [(2, "G", "每月15000件,折合每周约3462件"), (3, "G", "每月2000件,折合每周约462件")]
    imports.commit(actor=admin, draft=preview.draft, today=AUGUST)
    panels = DemandEntry.objects.get(firm__credit_code=credit_code(951))
    assert (panels.process_kind, panels.pieces_per_week, panels.piece_rate) == (
        ProcessKind.ASSEMBLY,
        3462,
        Decimal("0.1200"),
    )
    assert (panels.starts_on, panels.ends_on, panels.place) == (
        dt.date(2025, 9, 1),
        dt.date(2025, 12, 31),
        "home_ok",
    )
    clothes = DemandEntry.objects.get(firm__credit_code=credit_code(952))
    assert (clothes.pieces_per_week, clothes.piece_rate, clothes.starts_on, clothes.ends_on) == (
        462,
        Decimal("0.1200"),
        AUGUST,
        None,
    )
    assert clothes.notes == "自带剪刀" and clothes.place == "workshop"
    assert PartnerFirm.objects.get(credit_code=credit_code(951)).phone.as_e164 == "+8657386012345"


def test_a_gbk_csv_with_tabs_and_its_own_headers_is_read(cast, admin):
    rows = [
        ["姓名", "联系手机", "能干的活", "每周空闲小时", "在家还是到坊", "住址"],
        ["陈阿姨", "135 0013 5000", "包装和装配", "一十六", "家里", "海滨花园3幢"],
        ["沈大伯", "0086 137 0013 7000", "打包", "8", "坊里", "城东"],
    ]
    data = "\n".join("\t".join(r) for r in rows).encode("gbk")
    preview = run_preview(admin, cast.ws, data, name="居民.csv")
    assert preview.ok, preview.messages
    imports.commit(actor=admin, draft=preview.draft)
    chen = WorkWish.objects.get(name="陈阿姨")
    assert (chen.phone.as_e164, chen.hours_per_week, chen.work_place, chen.area) == (
        "+8613500135000",
        16,
        WorkPlace.HOME,
        "海滨花园3幢",
    )
    assert chen.skills == [ProcessKind.ASSEMBLY, ProcessKind.PACKAGING]


# --- the mapping page ------------------------------------------------------------------------------------

ODD_HEADER = [
    "编号",
    "居民的名字",
    "手机(本人)",
    "擅长做什么活",
    "每周大概能来几个钟头",
    "在家还是来坊里做",
    "住哪个小区",
]


def _upload(client, ws, rows, name="名单.xlsx", kind="wishes"):
    data = xlsx(rows)
    return client.post(
        "/lists/import/", {"kind": kind, "workshop": ws.pk, "file": SimpleUploadedFile(name, data)}
    )


def test_unrecognised_headers_go_to_the_mapping_page_with_guesses_and_it_is_remembered(client, cast, admin):
    client.force_login(admin)
    first = [ODD_HEADER, ["1", "王秀英", "13800138000", "装配", "20", "到坊", "新街小区"]]
    response = _upload(client, cast.ws, first, name="八月名单.xlsx")
    token = response["Location"].split("/")[3]
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == f"/lists/import/{token}/columns/"
    page = client.get(response["Location"]).content.decode()
    assert "这份表格的表头没有全部认出来" in page
    preselected = dict(re.findall(r'name="col_(\d+)"[^>]*>.*?<option value="(\w*)"[^>]*selected', page, re.S))
    assert preselected == {
        "0": "",
        "1": "name",
        "2": "phone",
        "3": "skills",
        "4": "hours",
        "5": "place",
        "6": "area",
    }
    assert WorkWish.objects.count() == 0
    choice = {f"col_{i}": f for i, f in enumerate(["", "name", "phone", "skills", "hours", "place", "area"])}
    response = client.post(f"/lists/import/{token}/columns/", {"header_row": "1", **choice})
    assert response.status_code == 302 and response["Location"] == f"/lists/import/{token}/"
    assert "确认导入" in client.get(response["Location"]).content.decode()
    client.post(f"/lists/import/{token}/confirm/")
    assert WorkWish.objects.get().name == "王秀英"
    mapping = ImportMapping.objects.get()
    assert (mapping.community, mapping.kind, mapping.filename) == (
        cast.ws.community,
        "wishes",
        "八月名单.xlsx",
    )

    # Next month, the same register (other people): straight to the preview, read the same way.
    again = [ODD_HEADER, ["1", "李桂兰", "13900139001", "缝纫", "12", "在家", "望海新村"]]
    response = _upload(client, cast.ws, again, name="九月名单.xlsx")
    response = client.get(response["Location"])
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-layout="remembered"' in body and "按本社区上次设定的列对应读取" in body
    assert "确认导入" in body


def test_the_mapping_page_refuses_a_field_given_twice_and_a_required_one_missing(client, cast, admin):
    client.force_login(admin)
    response = _upload(
        client, cast.ws, [ODD_HEADER, ["1", "王秀英", "13800138000", "装配", "20", "到坊", "新街"]]
    )
    token = response["Location"].split("/")[3]
    twice = {f"col_{i}": f for i, f in enumerate(["", "name", "phone", "skills", "hours", "place", "name"])}
    page = client.post(f"/lists/import/{token}/columns/", {"header_row": "1", **twice}).content.decode()
    assert "“姓名”选了2列(居民的名字、住哪个小区),一个字段只能对应一列。" in page
    short = {f"col_{i}": f for i, f in enumerate(["", "name", "phone", "skills", "hours", "place", ""])}
    page = client.post(f"/lists/import/{token}/columns/", {"header_row": "1", **short}).content.decode()
    assert "还缺这些列:片区。" in page
    assert not ImportMapping.objects.exists() and not WorkWish.objects.exists()


def test_a_header_found_by_its_synonyms_still_says_which_columns_it_left_out(client, cast, admin):
    client.force_login(admin)
    rows = [
        ["姓名", "手机号", "技能", "每周小时", "在家/到坊", "片区", "家里几口人"],
        ["王秀英", "13800138000", "装配", "20", "到坊", "新街", "3"],
    ]
    body = client.get(_upload(client, cast.ws, rows)["Location"]).content.decode()
    assert 'data-layout="auto"' in body and "没有导入的列:家里几口人" in body


# --- new skills ------------------------------------------------------------------------------------------

SKILL_ROWS = [
    ["姓名", "手机号", "技能", "每周小时", "在家/到坊", "片区"],
    ["王秀英", "13800138000", "缝纫、钉扣", "20", "在家", "新街"],
    ["李桂兰", "13900139001", "穿线", "12", "在家", "新街"],
    ["张建国", "13700137002", "钉扣", "30", "到坊", "城东"],
]


def test_unknown_skills_are_offered_and_the_admin_adds_them_with_one_click(client, cast, admin):
    client.force_login(admin)
    preview_url = _upload(client, cast.ws, SKILL_ROWS)["Location"]
    body = client.get(preview_url).content.decode()
    assert "表格里的新技能" in body and "确认导入" not in body
    assert re.search(r'data-skill="钉扣".*?\(第2、4行\).*?<option value="fabric" selected>', body, re.S)
    assert "第3行 C列“技能”" not in body  # the table says it in its own columns
    assert '<tr data-row="3" data-column="C">' in body
    response = client.post(preview_url + "skills/", {"name": "钉扣", "process_kind": "fabric"}, follow=True)
    assert "已添加新技能“钉扣”(属于布料加工)" in response.content.decode()
    client.post(preview_url + "skills/", {"name": "钉扣", "process_kind": "fabric"})  # a double click
    client.post(preview_url + "skills/", {"name": "穿线", "process_kind": "fabric"})
    body = client.get(preview_url).content.decode()
    assert "确认导入" in body and "表格里的新技能" not in body
    client.post(preview_url + "confirm/")
    wang = WorkWish.objects.get(name="王秀英")
    assert wang.skills == [ProcessKind.FABRIC]
    assert WishRecord.objects.get(wish=wang).skill_words == ["缝纫", "钉扣"]
    from matching.models import Skill

    assert list(Skill.objects.values_list("name", "process_kind", "community")) == [
        ("穿线", "fabric", cast.ws.community),
        ("钉扣", "fabric", cast.ws.community),
    ]


def test_a_head_cannot_add_a_skill_and_is_told_who_can(client, cast, admin, stranger):
    from matching.models import Skill

    client.force_login(admin)
    preview_url = _upload(client, cast.ws, SKILL_ROWS)["Location"]
    client.force_login(cast.head)
    response = client.post(preview_url + "skills/", {"name": "钉扣", "process_kind": "fabric"})
    assert response.status_code == 403
    assert "只有社区管理员可以添加新技能。请把这个词告诉社区管理员。" in response.content.decode()
    client.force_login(stranger)  # another community's admin: not her upload
    assert client.post(preview_url + "skills/", {"name": "钉扣", "process_kind": "fabric"}).status_code == 404
    assert not Skill.objects.exists()
    with pytest.raises(PermissionDenied, match="只有本社区的社区管理员可以添加新技能"):
        imports.skill_add(actor=cast.head, workshop=cast.ws, name="钉扣", process_kind="fabric")
    assert not Skill.objects.exists()


# --- ID numbers: checked, warned, masked -----------------------------------------------------------------


def test_id_numbers_are_masked_on_the_preview_and_the_wish_and_their_warning_shown(client, cast, admin):
    client.force_login(admin)
    preview_url = _upload(client, cast.ws, STREET_REGISTER)["Location"]
    body = client.get(preview_url).content.decode()
    assert OLD_HAIYAN not in body and YOUNG_HAIYAN not in body
    assert OLD_HAIYAN[:3] + "*" * 11 + OLD_HAIYAN[-4:] in body
    assert "请核对(不影响导入)" in body
    assert "身份证号码的地区代码330424(海盐县)1983年起才使用,晚于出生年份1960年" in body
    client.post(preview_url + "confirm/")
    wish = WorkWish.objects.get(name="王秀英")
    page = client.get(f"/lists/supply/{wish.pk}/").content.decode()
    assert OLD_HAIYAN not in page and OLD_HAIYAN[-4:] in page
    client.force_login(cast.head)
    assert OLD_HAIYAN[-4:] not in client.get(f"/lists/supply/{wish.pk}/").content.decode()


def test_a_malformed_id_number_is_named_by_row_and_column_and_never_printed(client, cast, admin):
    wrong = OLD_HAIYAN[:-1] + ("1" if OLD_HAIYAN[-1] != "1" else "2")
    rows = [row[:] for row in STREET_REGISTER]
    rows[2][3] = wrong
    client.force_login(admin)
    body = client.get(_upload(client, cast.ws, rows)["Location"]).content.decode()
    assert wrong not in body
    assert re.search(
        r'<tr data-row="3" data-column="D">.*?身份证号码</td><td>身份证号码校验位不正确', body, re.S
    )


def test_an_imported_id_number_goes_with_her_onto_the_roster(cast, admin):
    from matching import services

    preview = run_preview(admin, cast.ws, xlsx(STREET_REGISTER))
    imports.commit(actor=admin, draft=preview.draft)
    wish = WorkWish.objects.get(name="李桂兰")
    services.wish_set_status(actor=admin, wish=wish, to="contacted")
    worker = services.wish_enrol(actor=admin, wish=wish, workshop=cast.ws)
    assert worker.id_number == YOUNG_HAIYAN


def test_the_street_register_saved_as_a_gbk_csv_reads_the_same(cast, admin):
    preview = run_preview(admin, cast.ws, csv_bytes(STREET_REGISTER, encoding="gbk"), name="登记.csv")
    assert preview.ok, preview.messages


def test_the_preview_page_reads_the_same_number_of_queries_for_5_rows_and_for_50(
    client, cast, admin, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin)
    counts = []
    for n in (5, 50):
        rows = [["姓名", "手机号", "技能", "每周小时", "在家/到坊", "片区"]]
        rows += [[f"居民{i}", f"1370000{n:02d}{i:02d}", "装配", "20", "到坊", "新街"] for i in range(n)]
        url = _upload(client, cast.ws, rows)["Location"]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_hours_a_day_are_read_as_a_day_and_made_weekly_with_a_note(cast, admin):
    # Found trying it as a new user: "每天能做几小时" was taken for weekly hours, so 3 a day became 3 a week.
    rows = [
        ["姓名", "手机号", "技能", "每天能做几小时", "在家/到坊", "片区"],
        ["陈阿婆", "13912345601", "包装", "３", "在家", "新街一片"],
        ["吴阿姨", "13912345602", "装配", "2.5小时", "到坊", "新街二片"],
        ["钱大伯", "13912345603", "装配", "二十", "到坊", "新街二片"],
    ]
    preview = run_preview(admin, cast.ws, xlsx(rows))

    assert preview.layout.columns["hours_day"] == 3 and "hours" not in preview.layout.columns
    assert [(p.row, p.message) for p in preview.errors] == [(4, "“二十”应在0.5到14小时之间(每天)")]
    notes = {p.row: p.message for p in preview.warnings}
    assert (
        notes[2] == "每天3小时,按每周6天折合每周18小时" and notes[3] == "每天2.5小时,按每周6天折合每周15小时"
    )

    rows.pop()
    preview = run_preview(admin, cast.ws, xlsx(rows))
    imports.commit(actor=admin, draft=preview.draft)
    assert sorted(WorkWish.objects.values_list("name", "hours_per_week")) == [("吴阿姨", 15), ("陈阿婆", 18)]


def test_a_name_spaced_out_to_line_up_is_written_without_the_spaces(cast, admin):
    rows = [
        ["姓名", "手机号", "技能", "每周小时", "在家/到坊", "片区"],
        ["陆 阿 毛", "13912345611", "包装", "20", "在家", "新街一片"],
        ["Li Na 李娜", "13912345612", "包装", "20", "在家", "新街一片"],
    ]
    preview = run_preview(admin, cast.ws, xlsx(rows))
    imports.commit(actor=admin, draft=preview.draft)
    assert sorted(WorkWish.objects.values_list("name", flat=True)) == ["Li Na 李娜", "陆阿毛"]


def test_a_known_firms_name_under_another_credit_code_is_refused_not_made_a_second_firm(cast, admin):
    # Found trying it as a new user: a mistyped code silently made a second 海盐新街纺织有限公司.
    known = PartnerFirm.objects.create(name="海盐新街纺织有限公司", credit_code=credit_code(961))
    rows = [
        FIRMS_SHEET[0],
        ["海盐新街纺织有限公司", credit_code(962), "", "", "缝纫", "童装", "两千", "", "长期", "", ""],
    ]

    preview = run_preview(admin, cast.ws, xlsx(rows), kind=ImportKind.DEMANDS)

    assert not preview.ok
    assert [(p.row, p.column) for p in preview.errors] == [(2, "B")]
    assert known.credit_code in preview.errors[0].message
    assert PartnerFirm.objects.filter(name=known.name).count() == 1


@pytest.mark.parametrize(
    "header, field",
    [
        ("每天可做(小时)", "hours_day"),
        ("每天大概能做多久", "hours_day"),
        ("日均工作时长", "hours_day"),
        ("一天能干几个钟头（小时）", "hours_day"),
        ("每天工作几小时", "hours_day"),
        ("每周工时(小时)", "hours"),
        ("每周大概能来几个钟头", "hours"),
        ("空闲时间", "hours"),
    ],
)
def test_the_mapping_page_guesses_hours_a_day_from_headers_no_synonym_lists(header, field):
    # A per-day header outside the synonyms was guessed as weekly hours ("小时" alone outweighed "每天").
    from matching.imports.columns import guess_columns

    assert guess_columns(["姓名", header], ImportKind.WISHES) == {"name": 0, field: 1}
