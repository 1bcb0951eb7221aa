"""Exports (导出 xlsx): escaped text, phone and ID numbers as text, role-scoped columns, and a 2,000-line
pay-line export through the real Celery worker on its own queue, polled through the progress endpoint.

The 100,000-line figures come from ``python manage.py bench_export --lines 100000``.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
from django.conf import settings

from dashboard import exports
from dashboard.models import Export, ExportKind, ExportStatus
from lab import benchdata
from tests.dashboard.helpers import settled_job
from tests.factories import CommunityAdminFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    "raw, safe",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("礼盒包装", "礼盒包装"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_text_starting_with_a_formula_character_is_escaped(raw, safe):
    assert exports.escape_text(raw) == safe


def read_book(export: Export):
    with export.file.open("rb") as fh:
        wb = openpyxl.load_workbook(io.BytesIO(fh.read()))
    return wb.worksheets[0]


def run(user, kind, **params) -> Export:
    export = Export.objects.create(user=user, kind=kind, params=params)
    assert exports.export_run(export_id=export.pk) == ExportStatus.DONE
    export.refresh_from_db()
    return export


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


@pytest.mark.django_db
def test_pay_line_columns_follow_the_role(cast, issue_job):
    cast.alice.low_income = True
    cast.alice.id_number = "11010519491231002X"
    cast.alice.save()
    settled_job(cast, issue_job, pieces=(60, 40))
    admin = CommunityAdminFactory().user

    as_admin = read_book(run(admin, ExportKind.PAY_LINES))
    as_head = read_book(run(cast.head, ExportKind.PAY_LINES))
    as_firm = read_book(run(cast.clerk, ExportKind.PAY_LINES))

    assert {"手机号", "身份证号", "低收入"} <= set(headers(as_admin))
    assert "手机号" in headers(as_head) and "低收入" not in headers(as_head)
    assert not {"手机号", "身份证号", "低收入"} & set(headers(as_firm))
    assert as_firm.title == "对账单"
    # The firm's amounts are its processing fees, and its columns say so: no wage in its words.
    assert {"明细号", "加工费(元)"} <= set(headers(as_firm))
    assert not any("工资" in h for h in headers(as_firm))
    for ws in (as_admin, as_head, as_firm):
        assert ws.max_row == 3  # header + alice + bob

    id_col = headers(as_admin).index("身份证号")
    ids = {row[id_col].value for row in as_admin.iter_rows(min_row=2)}
    assert "11010519491231002X" in ids
    id_col = headers(as_head).index("身份证号")
    assert "110***********002X" in {row[id_col].value for row in as_head.iter_rows(min_row=2)}


@pytest.mark.django_db
def test_a_foreign_firms_export_has_no_rows_of_ours(cast, issue_job):
    settled_job(cast, issue_job, pieces=(60,))
    for kind in ExportKind:
        ws = read_book(run(cast.eve, kind))
        assert ws.max_row == 1, kind


@pytest.mark.django_db
def test_jobs_and_assignments_exports_open_with_chinese_headers(cast, issue_job):
    settled_job(cast, issue_job, pieces=(60, 40), title="=cmd|' /C calc'!A0")
    jobs = read_book(run(cast.head, ExportKind.JOBS))
    assert headers(jobs)[:5] == ["外发单号", "企业", "生产线", "工坊", "品名/工序"]
    assert jobs.cell(row=2, column=5).value == "'=cmd|' /C calc'!A0"
    assert jobs.cell(row=2, column=11).value == "已结算"
    work = read_book(run(cast.head, ExportKind.ASSIGNMENTS))
    phone = headers(work).index("手机号") + 1
    cell = work.cell(row=2, column=phone)
    assert cell.data_type == "s" and cell.number_format == "@" and cell.value.isdigit()


@pytest.mark.django_db
def test_moments_are_written_to_the_second_in_shanghai_time(cast, issue_job):
    """A share offered at 02:11:37.021 UTC is 10:11:37 in the sheet: no stray fraction of a second."""
    from dispatch.models import Assignment

    settled_job(cast, issue_job, pieces=(60,))
    offered = dt.datetime(2026, 12, 5, 2, 11, 37, 21000, tzinfo=dt.UTC)
    Assignment.objects.update(offered_at=offered)
    work = read_book(run(cast.head, ExportKind.ASSIGNMENTS, **{"from": "2026-12-01", "to": "2026-12-31"}))
    cell = work.cell(row=2, column=headers(work).index("派出时间") + 1)
    assert cell.value == dt.datetime(2026, 12, 5, 10, 11, 37)
    assert cell.number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.django_db
def test_running_an_export_twice_changes_nothing(cast, issue_job):
    settled_job(cast, issue_job, pieces=(60,))
    export = run(cast.head, ExportKind.JOBS)
    name = export.file.name
    assert exports.export_run(export_id=export.pk) == ExportStatus.DONE
    export.refresh_from_db()
    assert export.file.name == name


@pytest.mark.django_db
def test_the_status_endpoint_of_a_queued_export_has_no_download(client, cast):
    export = Export.objects.create(user=cast.head, kind=ExportKind.JOBS)
    client.force_login(cast.head)
    data = client.get(f"/dashboard/exports/{export.pk}/status/").json()
    assert data["status"] == "queued" and data["percent"] == 0 and data["download"] is None
    assert client.get(f"/dashboard/exports/{export.pk}/download/").status_code == 404


@pytest.mark.celery
def test_2000_pay_lines_export_through_the_real_worker_with_text_phones_and_escaped_formulas(
    client, celery_worker
):
    world = benchdata.make_pay_lines(lines=2000, workers=60)
    client.force_login(world.head)
    response = client.post(
        "/dashboard/exports/",
        {"kind": "pay_lines", "start": world.start.isoformat(), "end": world.end.isoformat()},
    )
    assert response.status_code == 302
    export = Export.objects.get(user=world.head)
    assert response["Location"] == f"/dashboard/exports/{export.pk}/"
    assert settings.CELERY_TASK_ROUTES["dashboard.tasks.run_export"]["queue"] == "exports"

    deadline = time.monotonic() + 120
    seen = []
    while True:
        status = client.get(f"/dashboard/exports/{export.pk}/status/").json()
        seen.append(status["percent"])
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["status"] == "done", status
    assert status["rows_done"] == status["rows_total"] == 2000
    assert seen == sorted(seen)

    download = client.get(status["download"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    ws = wb.worksheets[0]
    assert ws.title == "工资明细"
    head = headers(ws)
    assert head[:4] == ["工资明细号", "入账日期", "坊工", "手机号"]
    assert ws.max_row == 2001
    phone, name, title, amount = (head.index(h) for h in ("手机号", "坊工", "品名/工序", "金额(元)"))
    rows = list(ws.iter_rows(min_row=2))
    assert all(r[phone].data_type == "s" and r[phone].number_format == "@" for r in rows)
    assert all(r[phone].value.isdigit() and len(r[phone].value) == 11 for r in rows)
    assert {r[name].value for r in rows if r[name].value.startswith("'")} >= {"'=张0"}
    titles = {r[title].value.split(" #")[0] for r in rows}
    assert titles == {"'" + t if t[0] in "=+-@" else t for t in benchdata.TRICKY_TITLES}
    assert all(r[amount].value == 2.2 for r in rows)
    assert not any(c.data_type == "f" for r in rows for c in r)
    benchdata.delete_world(world)


@pytest.mark.django_db
def test_old_exports_are_purged_with_their_files(cast, issue_job, settings):
    settled_job(cast, issue_job, pieces=(60,))
    old, new = run(cast.head, ExportKind.JOBS), run(cast.head, ExportKind.JOBS)
    Export.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=8))
    from dashboard.tasks import purge_old_exports

    assert purge_old_exports.run() == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [new.pk]
    assert not old.file.storage.exists(old.file.name) and new.file.storage.exists(new.file.name)
    assert purge_old_exports.run() == 0


@pytest.mark.django_db
def test_the_bench_command_reports_time_and_memory_and_cleans_up(settings):
    import json

    from django.core.management import call_command

    from pay.models import PayLine
    from workshop.models import Workshop

    out = io.StringIO()
    returned = call_command("bench_export", lines=300, workers=20, stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert json.loads(returned) == result
    assert result["lines"] == result["rows_written"] == 300
    assert result["seconds_task"] > 0 and result["peak_python_heap_mib"] > 0
    assert result["export_cpu_to_bare"] > 0 and result["seconds_cpu_bare"] > 0
    assert PayLine.objects.count() == 0 and Workshop.objects.count() == 0 and Export.objects.count() == 0


@pytest.mark.django_db
def test_the_cpu_ratio_to_bare_openpyxl_is_a_function_that_cleans_up():
    from lab.exportbench import export_cpu_to_bare
    from pay.models import PayLine

    result = export_cpu_to_bare(lines=120, workers=10, repeat=1)
    assert result["lines"] == result["rows_written"] == 120
    assert result["export_cpu_to_bare"] > 0
    assert PayLine.objects.count() == 0 and Export.objects.count() == 0


@pytest.mark.django_db
def test_every_pay_line_cell_keeps_its_value_and_number_format_per_role(cast, issue_job):
    from pay import money
    from pay.models import PayLine

    cast.alice.low_income = True
    cast.alice.id_number = "11010519491231002X"
    cast.alice.save()
    job = settled_job(cast, issue_job, pieces=(60, 40), title="+SUM(1)")
    line = PayLine.objects.select_related("worker", "period").get(worker=cast.alice)
    admin = CommunityAdminFactory().user
    phone = str(cast.alice.phone.national_number)
    month = line.period.month.strftime("%Y-%m") if line.period else None  # "" reads back as None
    common = [cast.ws.name, job.line.firm.name, job.pk, "'+SUM(1)", 60]
    expected = {
        admin: [line.pk, line.booked_on, "alice_name", phone, "11010519491231002X", "emp", "是", *common],
        cast.head: [line.pk, line.booked_on, "alice_name", phone, "110***********002X", "emp", *common],
        cast.clerk: [line.pk, line.booked_on, "alice_name", *common],
    }
    formats = {"入账日期": "yyyy-mm-dd", "手机号": "@", "身份证号": "@"}
    formats |= {"计件单价(元/件)": "0.0000", "金额(元)": "#,##0.00", "加工费(元)": "#,##0.00"}
    for user, want in expected.items():
        ws = read_book(run(user, ExportKind.PAY_LINES))
        head = headers(ws)
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == line.pk)
        got = [c.value for c in row]
        if user is cast.clerk:
            rate, amount = job.piece_rate, money.firm_amount(60, job.piece_rate)
        else:
            rate, amount = line.rate, line.amount
        want = [cast.alice.name if v == "alice_name" else v for v in want]
        want = [cast.alice.get_employment_display() if v == "emp" else v for v in want]
        assert got[1].date() == want[1]
        assert got[:1] + got[2:] == [*want[:1], *want[2:], float(rate), float(amount), month], user
        for i, c in enumerate(row):
            if head[i] in formats:
                assert c.number_format == formats[head[i]], head[i]
            else:  # whole numbers are plain numbers (General), like text
                assert c.number_format == "General", head[i]
                whole = head[i] in ("工资明细号", "明细号", "外发单号", "合格件数")
                assert isinstance(c.value, int if whole else str | None), head[i]
