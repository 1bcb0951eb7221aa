"""The pay-line export's CPU cost against bare openpyxl writing the same rows (issue 15).

``export_cpu_to_bare(lines=100_000)`` makes a throwaway workshop with ``lines`` pay lines
(``lab.benchdata``), runs the export task's body (``dashboard.exports.export_run``: query, rows, styles,
file) as the workshop's head, then writes the very same rows (already in memory: final cell values,
text escaped, one header row) with bare openpyxl in write-only mode, and compares the two CPU times
(``time.process_time``: seconds of this process, so what else the machine runs counts little). Deletes
what it made unless ``keep``. ``python manage.py bench_export`` reports the same ratio.
"""

from __future__ import annotations

import os
import tempfile
import time

from django.utils.functional import Promise
from openpyxl import Workbook

from dashboard import exports
from dashboard.models import Export, ExportKind, ExportStatus
from lab import benchdata


def _plain(value):
    # The cell's final value as the export writes it: text (a lazy label made str) escaped.
    if isinstance(value, str | Promise):
        return exports.escape_text(str(value))
    return value


def bare_write(path: str, header: list[str], rows: list[list]) -> None:
    """``rows`` appended as plain values to a write-only openpyxl workbook at ``path`` (the yardstick)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="bare")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)


def _export_cpu(export: Export) -> float:
    cpu = time.process_time()
    exports.export_run(export_id=export.pk)
    cpu = time.process_time() - cpu
    export.refresh_from_db()
    if export.status != ExportStatus.DONE:
        raise RuntimeError(f"export failed: {export.error}")
    return cpu


def bare_cpu(export: Export, *, repeat: int = 1) -> float:
    """CPU seconds (best of ``repeat``) bare openpyxl takes to write the rows of ``export``'s plan."""
    plan = exports.plan_for(export)
    header = [c.header for c in plan.columns]
    rows = [[_plain(v) for v in r] for r in plan.rows()]
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="nuanxin-bare-")
    os.close(fd)
    try:
        best = None
        for _ in range(max(1, repeat)):
            cpu = time.process_time()
            bare_write(path, header, rows)
            cpu = time.process_time() - cpu
            best = cpu if best is None else min(best, cpu)
        return best
    finally:
        os.unlink(path)


def export_cpu_to_bare(
    *, lines: int = 100_000, workers: int = 200, repeat: int = 2, keep: bool = False
) -> dict:
    """Measure the pay-line export of ``lines`` rows against bare openpyxl; returns a dict:
    ``export_cpu_to_bare`` (ratio of CPU seconds, ours / bare, best of ``repeat`` runs each),
    ``seconds_cpu_export``, ``seconds_cpu_bare`` (CPU seconds), ``lines``, ``rows_written``.
    Raises RuntimeError when the export fails."""
    world = benchdata.make_pay_lines(lines=lines, workers=workers)
    made: list[Export] = []
    params = {"from": world.start.isoformat(), "to": world.end.isoformat()}
    try:
        ours = []
        for _ in range(max(1, repeat)):
            made.append(Export.objects.create(user=world.head, kind=ExportKind.PAY_LINES, params=params))
            ours.append(_export_cpu(made[-1]))
        bare = bare_cpu(made[0], repeat=repeat)
        return {
            "lines": world.lines,
            "rows_written": made[0].rows_done,
            "seconds_cpu_export": round(min(ours), 3),
            "seconds_cpu_bare": round(bare, 3),
            "export_cpu_to_bare": round(min(ours) / bare, 3),
        }
    finally:
        if not keep:
            for export in made:
                export.refresh_from_db()
                if export.file:
                    export.file.delete(save=False)
                export.delete()
            benchdata.delete_world(world)
