"""Spreadsheet exports (导出 xlsx): jobs, assignments and pay lines of a period, scoped by role.

Rows stream from the database (``values_list().iterator()``, server-side cursors on PostgreSQL) into an
openpyxl write-only workbook, which spools rows to a temporary file: memory stays bounded by the
distinct strings (names, titles), not by the number of rows. With lxml installed (a dependency for this)
openpyxl serialises rows in C, about three times faster than its pure-Python writer.

Headers are Chinese. Phone and ID numbers are text cells (format ``@``), so Excel keeps leading digits
and never shows 1.39E+10. Any text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) gets a leading apostrophe, so a spreadsheet never runs a formula that came from user
input (CSV/formula injection).

What each role gets: community admins see phone, full ID number and low-income status; heads see phone
and a masked ID number; firm staff get their firm's rows only and no worker contact data (their pay-line
export is their statement, 对账单), a worker named or numbered as the head chose (``Scope.worker_label``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.db import OperationalError
from django.db.models import CharField, ExpressionWrapper, F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from phonenumber_field.phonenumber import PhoneNumber

from dispatch.models import Assignment, AssignmentKind, AssignmentState, JobState
from pay import money
from pay.models import PayLine
from workshop.models import Employment, ProcessKind
from workshop.roles import Scope, scope_for
from workshop.validators import mask_id_number

from . import selectors
from .models import Export, ExportKind, ExportStatus

logger = logging.getLogger("nuanxin.exports")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 1000  # rows between two progress updates (one UPDATE each)
CHUNK = 2000  # rows fetched per round trip


@functools.lru_cache(maxsize=16384)
def escape_text(value: str) -> str:
    """A text cell's value made safe: control characters a workbook cannot hold (a name pasted with a
    bell or a NUL in it) dropped, so one bad name never breaks the file; and a leading apostrophe before
    = + - @, so it is never a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = (
        # text | id_text (phone, ID number: always text) | int | qty (a Decimal, shown as Excel's General) |
        # money | rate | pct (a percentage to 0.1, as a number: 70.3 for 70.3 %) | date | datetime
        "text"
    )
    width: int = 12


def _national(phone) -> str:
    if not phone:
        return ""
    return str(getattr(phone, "national_number", phone))


def _local(value: dt.datetime | None):
    """A moment as the sheet holds it: Asia/Shanghai wall time to the second (a spreadsheet has no zone,
    and microseconds read back as a stray fraction, e.g. ``10:11:37.021``)."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


@dataclass
class Plan:
    """What one export writes: the sheet's title, its columns, the row count and a row iterator."""

    title: str
    columns: list[Column]
    total: int
    rows: Callable[[], Iterator[tuple]]


def _period(export: Export) -> tuple[dt.date, dt.date, int | None]:
    p = export.params or {}
    today = timezone.localdate()
    start = dt.date.fromisoformat(p["from"]) if p.get("from") else today.replace(month=1, day=1)
    end = dt.date.fromisoformat(p["to"]) if p.get("to") else today
    return start, end, (int(p["workshop"]) if p.get("workshop") else None)


def _jobs_plan(scope: Scope, start, end, workshop_id) -> Plan:
    lo, hi = selectors.Period(start, end).bounds()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), workshop_id).filter(
        issued_at__gte=lo, issued_at__lt=hi
    )
    states, kinds = dict(JobState.choices), dict(ProcessKind.choices)
    fields = (
        "pk",
        "line__firm__name",
        "line__name",
        "workshop__name",
        "title",
        "process_kind",
        "quantity",
        "pieces_assigned",
        "piece_rate",
        "due_on",
        "state",
        "issued_at",
        "instructions",
    )
    columns = [
        Column(_("外发单号"), "int", 10),
        Column(_("企业"), width=24),
        Column(_("生产线"), width=14),
        Column(_("工坊"), width=12),
        Column(_("品名/工序"), width=24),
        Column(_("工序类别")),
        Column(_("数量(件)"), "int"),
        Column(_("已派件数"), "int"),
        Column(_("计件单价(元/件)"), "rate"),
        Column(_("交货日期"), "date"),
        Column(_("状态")),
        Column(_("分发时间"), "datetime", 18),
        Column(_("加工要求"), width=30),
    ]

    def rows():
        for r in jobs.order_by("issued_at", "pk").values_list(*fields).iterator(chunk_size=CHUNK):
            r = list(r)
            r[5], r[10], r[11] = kinds.get(r[5], r[5]), states.get(r[10], r[10]), _local(r[11])
            yield r

    return Plan(_("外发单"), columns, jobs.count(), rows)


def _assignments_plan(scope: Scope, start, end, workshop_id) -> Plan:
    lo, hi = selectors.Period(start, end).bounds()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), workshop_id)
    qs = Assignment.objects.filter(job__in=jobs.values("pk"), offered_at__gte=lo, offered_at__lt=hi)
    contact = not scope.is_firm
    states, kinds = dict(AssignmentState.choices), dict(AssignmentKind.choices)
    fields = [
        "pk",
        "job_id",
        "job__title",
        "job__line__firm__name",
        "job__workshop__name",
        "worker__name",
        "worker__phone",
        "worker__low_income",
        "kind",
        "pieces",
        "pieces_reported",
        "pieces_passed",
        "pieces_rejected",
        "due_on",
        "state",
        "offered_at",
        "done_at",
        "worker_id",
        "worker__workshop_id",
    ]
    columns = [
        Column(_("派工号"), "int", 10),
        Column(_("外发单号"), "int", 10),
        Column(_("品名/工序"), width=24),
        Column(_("企业"), width=24),
        Column(_("工坊")),
        Column(_("坊工")),
    ]
    if contact:
        columns.append(Column(_("手机号"), "id_text", 14))
    if scope.sees_low_income:
        columns.append(Column(_("低收入")))
    columns += [
        Column(_("类型"), width=8),
        Column(_("派工件数"), "int"),
        Column(_("已报工"), "int"),
        Column(_("合格"), "int"),
        Column(_("不合格"), "int"),
        Column(_("交货日期"), "date"),
        Column(_("状态")),
        Column(_("派出时间"), "datetime", 18),
        Column(_("完成时间"), "datetime", 18),
    ]
    yes, no = _("是"), _("否")

    def rows():
        for r in qs.order_by("offered_at", "pk").values_list(*fields).iterator(chunk_size=CHUNK):
            out = [*r[:5], scope.worker_label_of(r[17], r[18], r[5])]
            if contact:
                out.append(_national(r[6]))
            if scope.sees_low_income:
                out.append(yes if r[7] else no)
            out += [
                kinds.get(r[8], r[8]),
                *r[9:13],
                r[13],
                states.get(r[14], r[14]),
                _local(r[15]),
                _local(r[16]),
            ]
            yield out

    return Plan(_("派工"), columns, qs.count(), rows)


def _pay_lines_plan(scope: Scope, start, end, workshop_id) -> Plan:
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), workshop_id)
    qs = PayLine.objects.filter(
        assignment__job__in=jobs.values("pk"), booked_on__gte=start, booked_on__lte=end
    )
    firm = scope.is_firm
    employments = {k: str(v) for k, v in Employment.choices}
    # Only the columns this scope writes are fetched. The phone comes as its stored text (E.164), not as
    # a PhoneNumber parsed per row: one parse per distinct number (``_national_of``).
    fields = ["pk", "booked_on", "worker__name"]
    if firm:
        fields += ["worker_id", "worker__workshop_id"]
    else:
        qs = qs.annotate(_phone=ExpressionWrapper(F("worker__phone"), output_field=CharField()))
        fields += ["_phone", "worker__id_number", "worker__employment"]
    if scope.sees_low_income:
        fields.append("worker__low_income")
    fields += [
        "worker__workshop__name",
        "assignment__job__line__firm__name",
        "assignment__job_id",
        "assignment__job__title",
        "pieces_passed",
    ]
    fields += ["assignment__job__piece_rate"] if firm else ["rate", "amount"]
    fields.append("period__month")
    # A firm's rows are its processing fees (加工费), not anyone's wages: its columns say so.
    columns = [
        Column(_("明细号") if firm else _("工资明细号"), "int", 10),
        Column(_("入账日期"), "date"),
        Column(_("坊工")),
    ]
    if not firm:
        columns += [
            Column(_("手机号"), "id_text", 14),
            Column(_("身份证号"), "id_text", 20),
            Column(_("用工类型")),
        ]
    if scope.sees_low_income:
        columns.append(Column(_("低收入")))
    columns += [
        Column(_("工坊")),
        Column(_("企业"), width=24),
        Column(_("外发单号"), "int", 10),
        Column(_("品名/工序"), width=24),
        Column(_("合格件数"), "int"),
        Column(_("计件单价(元/件)"), "rate"),
        Column(_("加工费(元)") if firm else _("金额(元)"), "money"),
        Column(_("结算周期")),
    ]
    yes, no = _("是"), _("否")
    show_id = mask_id_number if not scope.sees_low_income else (lambda v: v or "")
    low_income = scope.sees_low_income
    months: dict = {}

    def rows():
        for r in qs.order_by("booked_on", "pk").values_list(*fields).iterator(chunk_size=CHUNK):
            if firm:
                out = [r[0], r[1], scope.worker_label_of(r[3], r[4], r[2])]
                i = 5
            else:
                out = [r[0], r[1], r[2], _national_of(r[3]), show_id(r[4]), employments.get(r[5], r[5])]
                i = 6
            if low_income:
                out.append(yes if r[i] else no)
                i += 1
            out += r[i : i + 5]  # workshop, firm, job number, title, pieces passed
            if firm:
                # The firm's rows are at its own rate (加工费): the worker's rate and pay stay the workshop's.
                out += [r[i + 5], money.firm_amount(r[i + 4], r[i + 5])]
            else:
                out += r[i + 5 : i + 7]
            month = r[-1]
            if month not in months:
                months[month] = month.strftime("%Y-%m") if month else ""
            out.append(months[month])
            yield out

    title = _("对账单") if firm else _("工资明细")
    return Plan(title, columns, qs.count(), rows)


@functools.lru_cache(maxsize=4096)
def _national_of(stored: str | None) -> str:
    """A phone number as stored (E.164 text, e.g. ``+8613912345678``) as its national digits."""
    if not stored:
        return ""
    return _national(PhoneNumber.from_string(stored))


def transfer_plan(rows, *, month: dt.date) -> Plan:
    """A bank batch-payment file (代发工资) of ``rows`` (``dashboard.pay_selectors.SheetRow``: worker
    and Decimal yuan), in the columns banks' templates take: 序号, 收款人姓名, 收款账号, 开户行,
    金额(元) (a number to the fen), 身份证号, 手机号, 用途/摘要. The account and ID numbers are whole here
    (the bank needs them) and text cells; this file is the head's and the community admin's only."""
    columns = [
        Column(_("序号"), "int", 6),
        Column(_("收款人姓名"), width=12),
        Column(_("收款账号"), "id_text", 22),
        Column(_("开户行"), width=24),
        Column(_("金额(元)"), "money", 12),
        Column(_("身份证号"), "id_text", 20),
        Column(_("手机号"), "id_text", 14),
        Column(_("用途/摘要"), width=20),
    ]
    purpose = _("%(y)d年%(m)d月计件工资") % {"y": month.year, "m": month.month}

    def out():
        for i, r in enumerate(rows, start=1):
            w = r.worker
            yield [
                i,
                w.name,
                w.bank_account,
                w.bank_name,
                r.amount,
                w.id_number,
                _national(w.phone),
                purpose,
            ]

    return Plan(_("代发工资"), columns, len(rows), out)


PLANS = {
    ExportKind.JOBS: _jobs_plan,
    ExportKind.ASSIGNMENTS: _assignments_plan,
    ExportKind.PAY_LINES: _pay_lines_plan,
}


def plan_for(export: Export) -> Plan:
    """The rows ``export`` covers, scoped by its user's dashboard role as of now."""
    scope = scope_for(export.user)
    if not scope.is_staff_role:
        raise PermissionError("no dashboard role")
    start, end, workshop_id = _period(export)
    return PLANS[export.kind](scope, start, end, workshop_id)


NUMBER_FORMATS = {
    "id_text": "@",
    "int": "0",
    "money": "#,##0.00",
    "pct": "0.0",
    "rate": "0.0000",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def _converter(ws, column: Column) -> Callable[[object], object]:
    """The function that turns a value of ``column`` into what ``ws.append`` takes: text escaped (and so
    never a formula); phone and ID numbers as text cells (format ``@``); amounts, rates and dates as
    cells with the column's number format; other numbers as they are.

    A styled column has ONE ``WriteOnlyCell`` that every row reuses with a new value: a write-only
    sheet serialises a row's cells as soon as it is appended, so the cell is free again by the next row,
    and its style is resolved once instead of once per cell."""
    if column.kind == "id_text":
        text_cell = WriteOnlyCell(ws)
        text_cell.number_format = "@"

        def id_text(value):
            text_cell.value = escape_text("" if value is None else str(value))
            text_cell.data_type = "s"
            return text_cell

        return id_text
    if column.kind == "text":

        def text(value):
            if value is None:
                return None
            return escape_text(value if isinstance(value, str) else str(value))

        return text
    if column.kind in ("money", "rate", "date", "datetime", "pct"):
        styled = WriteOnlyCell(ws)
        styled.number_format = NUMBER_FORMATS[column.kind]

        def formatted(value):
            if value is None:
                return None
            if isinstance(value, str):
                return escape_text(value)
            styled.value = value
            return styled

        return formatted

    def plain(value):
        return escape_text(value) if isinstance(value, str) else value

    return plain


class _Sheet(WriteOnlyWorksheet):
    """openpyxl's write-only sheet, with a row conversion that takes a cell object as it is (a column's
    reused styled cell, see ``_converter``) instead of first trying it as a value (a caught ValueError
    per styled cell, and a fresh blank cell after each). The cells written are the same."""

    def _values_to_row(self, values, row_idx):
        blank = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                blank.value = value
                cell = blank
            cell.column = col_idx
            cell.row = row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell
            if cell is blank and (blank.has_style or blank.hyperlink):
                blank = WriteOnlyCell(self)


def write_sheet(wb: Workbook, plan: Plan, *, on_progress: Callable[[int], None] | None = None) -> int:
    """Append ``plan`` as one sheet of ``wb`` (a write-only workbook): headers, then its rows; returns rows
    written. ``on_progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows."""
    from openpyxl.utils import get_column_letter

    ws = _Sheet(parent=wb, title=plan.title[:31])
    wb._add_sheet(ws)
    for i, col in enumerate(plan.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    ws.append([WriteOnlyCell(ws, value=escape_text(c.header)) for c in plan.columns])
    converters = [_converter(ws, c) for c in plan.columns]
    n = 0
    for row in plan.rows():
        ws.append([f(v) for f, v in zip(converters, row, strict=True)])
        n += 1
        if on_progress and n % PROGRESS_EVERY == 0:
            on_progress(n)
    return n


def write_xlsx(path: str | IO[bytes], plan: Plan, *, on_progress: Callable[[int], None] | None = None) -> int:
    """Write ``plan`` to an xlsx file at ``path`` (or a binary file object) in openpyxl's write-only mode;
    returns rows written.

    ``on_progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows.
    """
    wb = Workbook(write_only=True)
    n = write_sheet(wb, plan, on_progress=on_progress)
    wb.save(path)
    return n


def export_filename(export: Export) -> str:
    start, end, _ws = _period(export)
    return f"nuanxin-{export.kind}-{start:%Y%m%d}-{end:%Y%m%d}-{export.pk}.xlsx"


def export_run(*, export_id: int) -> str:
    """Produce the file of export ``export_id`` (the Celery task ``run_export``'s body).

    Claims the export by a conditional update (queued or running → running; a redelivered task after a
    lost worker writes it again from the start); a finished or failed export is left alone, so running
    twice is harmless. Records progress, wall time and, when ``params["measure"]``, the Python heap's
    peak (tracemalloc). Returns the final status. A transient database error propagates for the task's
    retry; any other error marks the export failed with a short message.
    """
    claimed = Export.objects.filter(
        pk=export_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
    ).update(status=ExportStatus.RUNNING, started_at=timezone.now(), rows_done=0, error="")
    if not claimed:
        return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or "missing"
    export = Export.objects.select_related("user").get(pk=export_id)
    measure = bool((export.params or {}).get("measure"))
    began = time.perf_counter()
    if measure:
        tracemalloc.start()
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="nuanxin-export-")
    os.close(fd)
    try:
        plan = plan_for(export)
        Export.objects.filter(pk=export.pk).update(rows_total=plan.total)

        def progress(n: int) -> None:
            Export.objects.filter(pk=export.pk).update(rows_done=min(n, plan.total))

        written = write_xlsx(path, plan, on_progress=progress)
        peak = tracemalloc.get_traced_memory()[1] // 1024 if measure else None
        with open(path, "rb") as fh:
            export.file.save(export_filename(export), File(fh), save=False)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            file=export.file.name,
            rows_total=max(written, plan.total),
            rows_done=written,
            finished_at=timezone.now(),
            seconds=round(time.perf_counter() - began, 3),
            peak_kib=peak,
        )
        return ExportStatus.DONE
    except OperationalError:
        raise
    except Exception as exc:  # noqa: BLE001 - any other failure is shown to the user, never retried
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:300], finished_at=timezone.now()
        )
        return ExportStatus.FAILED
    finally:
        if measure:
            tracemalloc.stop()
        os.unlink(path)


def purge_old(*, days: int) -> int:
    """Delete exports created more than ``days`` days ago, files first; returns how many rows went."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    n = 0
    for export in (
        Export.objects.filter(created_at__lt=cutoff).exclude(status=ExportStatus.RUNNING).iterator()
    ):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        n += 1
    return n
