"""The firm's new-job form with its bill of materials (来料): rows prefilled from the line's last job (the
first line, or the one in ?line=; a small script refills them when the line changes), written with the
job, refused row by row in words with nothing written; and the head sees them on the job page before
accepting."""

from __future__ import annotations

import json
import re

import pytest

from dispatch import services
from dispatch.models import Job
from materials.models import BomLine
from materials.services import BomInput
from tests.conftest import tomorrow
from tests.factories import LineFactory
from tests.materials.conftest import CLOTH, D

PANEL = BomInput("面板", "ge", "1", "0.5")
SCREW = BomInput("螺丝", "ge", "2", "0.5")


def job_data(cast, rows: list[tuple[str, str, str, str]], total: int | None = None, line=None) -> dict:
    data = {
        "workshop": cast.ws.pk,
        "line": (line or cast.line).pk,
        "title": "开关面板装配",
        "quantity": 100,
        "piece_rate": "0.035",
        "due_on": tomorrow().isoformat(),
        "bom-TOTAL_FORMS": total if total is not None else len(rows),
        "bom-INITIAL_FORMS": 0,
        "bom-MIN_NUM_FORMS": 0,
        "bom-MAX_NUM_FORMS": 30,
    }
    for i, (material, unit, per_piece, loss) in enumerate(rows):
        data.update(
            {
                f"bom-{i}-material": material,
                f"bom-{i}-unit": unit,
                f"bom-{i}-per_piece": per_piece,
                f"bom-{i}-loss_pct": loss,
            }
        )
    return data


def row_values(html: str) -> list[tuple[str, str]]:
    """(material, per piece) of each BOM row as the form shows it."""
    out = []
    for i in range(30):
        m = re.search(rf'name="bom-{i}-material"(?: value="([^"]*)")?', html)
        if m is None:
            break
        p = re.search(rf'name="bom-{i}-per_piece"(?: value="([^"]*)")?', html)
        out.append((m.group(1) or "", p.group(1) or ""))
    return out


@pytest.fixture
def second_line(cast):
    line = LineFactory(firm=cast.firm, name="包装线")
    cast.pairing.lines.add(line)
    return line


def test_the_rows_start_from_the_lines_last_job(client, cast, issue_job, second_line):
    issue_job(quantity=50, bom=[BomInput("旧面板", "ge", "1")])
    issue_job(quantity=50, bom=[PANEL, SCREW])  # the newest of cast.line
    services.job_issue(
        actor=cast.clerk,
        workshop=cast.ws,
        line=second_line,
        title="包装",
        quantity=50,
        piece_rate=D("0.02"),
        due_on=tomorrow(),
        bom=[CLOTH],
    )
    client.force_login(cast.clerk)

    first = client.get("/dashboard/jobs/new/").content.decode()
    chosen = client.get(f"/dashboard/jobs/new/?line={second_line.pk}").content.decode()

    # The first line by name is 包装线 (second_line): its cloth; ?line= picks cast.line's panel and screw.
    assert row_values(first)[:2] == [("布料", "0.35"), ("", "")]
    assert row_values(client.get(f"/dashboard/jobs/new/?line={cast.line.pk}").content.decode())[:3] == [
        ("面板", "1"),
        ("螺丝", "2"),
        ("", ""),
    ]
    assert row_values(chosen)[0] == ("布料", "0.35")
    boms = json.loads(re.search(r'id="bom-by-line"[^>]*>(.*?)</script>', first, re.S).group(1))
    assert [r["material"] for r in boms[str(cast.line.pk)]] == ["面板", "螺丝"]
    assert boms[str(second_line.pk)][0] == {
        "material": "布料",
        "unit": "m",
        "per_piece": "0.35",
        "loss_pct": "2",
        "unit_price": "0",
    }
    assert "bom.js" in first


def test_a_line_that_never_had_materials_starts_with_blank_rows(client, cast):
    client.force_login(cast.clerk)
    html = client.get("/dashboard/jobs/new/?line=999999999999999999999").content.decode()
    assert row_values(html) == [("", "")] * 4


def test_the_firm_issues_a_job_with_its_bill_of_materials(client, cast):
    client.force_login(cast.clerk)
    rows = [("面板", "ge", "1", "0.5"), ("", "ge", "", ""), ("布料", "m", "0.35", "2")]

    response = client.post("/dashboard/jobs/new/", job_data(cast, rows))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/jobs/{job.pk}/"
    assert list(job.bom_lines.order_by("id").values_list("material", "unit", "per_piece", "loss_pct")) == [
        ("面板", "ge", D("1"), D("0.5")),
        ("布料", "m", D("0.35"), D("2")),
    ]


def test_a_job_without_materials_is_still_one_click(client, cast):
    client.force_login(cast.clerk)
    assert client.post("/dashboard/jobs/new/", job_data(cast, [("", "ge", "", "")] * 4)).status_code == 302
    assert Job.objects.count() == 1 and not BomLine.objects.exists()


@pytest.mark.parametrize(
    "rows, words",
    [
        ([("面板", "ge", "0", "0")], "物料第1行:每件用量必须大于0"),
        ([("面板", "ge", "1", "0"), ("螺丝", "ge", "-2", "0")], "物料第2行:每件用量必须大于0"),
        ([("面板", "ge", "abc", "0")], "物料第1行:请输入数字"),
        ([("", "ge", "1", "0")], "物料第1行:请填写物料名称"),
        ([("面板", "ge", "1", "120")], "物料第1行:损耗率在0到100之间"),
        ([("面板", "ge", "10000000", "0")], "物料第1行:每件用量太大了"),
        (
            [("面板", "ge", "1", "0"), ("", "ge", "", ""), ("面板", "ge", "2", "0")],
            "物料第3行:面板和第1行重复了",
        ),
        ([("面板", "箱", "1", "0")], "单位请从列表里选。"),
    ],
)
def test_a_bad_row_is_refused_in_words_and_nothing_is_written(client, cast, rows, words):
    client.force_login(cast.clerk)

    response = client.post("/dashboard/jobs/new/", job_data(cast, rows))

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Job.objects.exists() and not BomLine.objects.exists()


def test_more_rows_than_the_form_allows_are_refused(client, cast):
    client.force_login(cast.clerk)
    rows = [(f"料{i}", "ge", "1", "0") for i in range(31)]
    response = client.post("/dashboard/jobs/new/", job_data(cast, rows))
    assert response.status_code == 200 and not Job.objects.exists()
    assert "物料最多 30 行。" in response.content.decode()


def test_rows_without_their_count_are_refused_not_issued_without_materials(client, cast):
    """Found in a trial: rows posted with no bom-TOTAL_FORMS issued the job without its materials."""
    client.force_login(cast.clerk)
    data = job_data(cast, [("面板", "ge", "1", "0")])
    del data["bom-TOTAL_FORMS"]

    response = client.post("/dashboard/jobs/new/", data)

    assert response.status_code == 200 and "物料表的行数不对" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("initial", [0, -1, 5])
def test_prefilled_rows_are_kept_whatever_the_page_says_was_prefilled(client, cast, issue_job, initial):
    """Found in a trial: with bom-INITIAL_FORMS=0 the line's usual rows, sent back as prefilled, were
    read as untouched blanks and the job was issued without them."""
    issue_job(quantity=50, bom=[PANEL, SCREW])
    client.force_login(cast.clerk)
    data = job_data(cast, [("面板", "ge", "1", "0.5"), ("螺丝", "ge", "2", "0.5"), ("", "ge", "", "")])
    data.update({"bom-0-unit_price": "0", "bom-1-unit_price": "0", "bom-INITIAL_FORMS": initial})

    before = Job.objects.count()

    response = client.post(f"/dashboard/jobs/new/?line={cast.line.pk}", data)

    assert response.status_code == 302 and Job.objects.count() == before + 1
    job = Job.objects.latest("pk")  # the one this post made
    assert sorted(job.bom_lines.values_list("material", flat=True)) == ["螺丝", "面板"]


@pytest.mark.parametrize("total", [-1, "-0", "abc", "", 0, 1, "¹²³", "٣"])
def test_a_tampered_row_count_is_refused_not_read_as_no_materials(client, cast, total):
    """Found in trials: bom-TOTAL_FORMS=-1, then -0, dropped every row and the job was issued without
    them; "abc" showed Django's ManagementForm words. Two rows typed, a count of 0 or 1 drops one."""
    client.force_login(cast.clerk)
    rows = [("面板", "ge", "1", "0"), ("螺丝", "ge", "2", "0")]
    response = client.post("/dashboard/jobs/new/", job_data(cast, rows, total=total))
    assert response.status_code == 200
    page = response.content.decode()
    assert "物料表的行数不对,请刷新页面后重新填写。" in page and "ManagementForm" not in page
    assert "隐藏字段" not in page and "TOTAL_FORMS)" not in page
    assert not Job.objects.exists() and not BomLine.objects.exists()


def test_the_head_sees_the_bill_of_materials_before_accepting(client, cast, issue_job):
    job = issue_job(quantity=300, bom=[PANEL, CLOTH])
    client.force_login(cast.head)

    html = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert job.state == "issued"
    bom = re.search(r'<table data-table="bom">.*?</table>', html, re.S).group(0)
    assert "面板" in bom and "布料" in bom
    assert '<td class="num">302</td>' in bom  # 300 × 1.005 = 301.5 → 302
    assert '<td class="num">107.1</td>' in bom  # 300 × 0.35 × 1.02
    assert f"/dashboard/jobs/{job.pk}/materials/" in html


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("quantity", "10000000", "1 到 100 万件"),  # the box said 1000 万 while the service refused 100 万+
        ("quantity", "99999999999999999999", "1 到 100 万件"),
        ("title", "长" * 201, "品名/工序最多 200 个字(现在 201 个)"),
        ("instructions", "要" * 2001, "加工要求最多 2000 个字(现在 2001 个)"),
    ],
)
def test_an_out_of_range_job_is_refused_in_the_forms_own_words(client, cast, field, value, words):
    """Found in a trial: the quantity's words said 1 to 10 million pieces and the service then refused
    10 million; a long title got Django's stock sentence; 100,000 characters of instructions went to every
    worker's phone."""
    client.force_login(cast.clerk)

    response = client.post("/dashboard/jobs/new/", {**job_data(cast, []), field: value})

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Job.objects.exists()
