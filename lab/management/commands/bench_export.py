"""Benchmark: export N pay lines to xlsx as the background task does, and report time and peak memory.

    python manage.py bench_export --lines 100000            # the task body in this process
    python manage.py bench_export --lines 100000 --celery   # through a running worker (-Q exports)

Creates a throwaway workshop with N pay lines (bulk_create, in batches), asks for a pay-line export as
its head and runs the export task twice: once plain (its time, and this process's peak RSS before and
after: the export's own growth of the high-water mark), once with tracemalloc on inside the task (the
Python heap's peak while writing; tracing slows it down, so its time is not the figure). In process it
also writes the same rows with bare openpyxl (write-only, plain values: ``lab.exportbench``) and reports
``export_cpu_to_bare``, the plain run's CPU time over bare openpyxl's (best of --repeat), issue 15's
target being at most 1.3 at 100,000 lines. Prints one JSON line (and returns it, for ``call_command``),
then deletes what it made, unless --keep. --no-trace skips the traced run.
"""

from __future__ import annotations

import json
import resource
import time

from django.core.management.base import BaseCommand, CommandError

from dashboard import exports
from dashboard.models import Export, ExportKind, ExportStatus
from lab import benchdata, exportbench


def _rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = "Export N pay lines to xlsx as the background task does; print time and peak memory as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=100_000)
        parser.add_argument("--workers", type=int, default=200, help="distinct workers (and phone numbers)")
        parser.add_argument("--celery", action="store_true", help="enqueue to a running worker instead")
        parser.add_argument("--timeout", type=float, default=1800.0)
        parser.add_argument("--keep", action="store_true", help="keep the rows and the file")
        parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
        parser.add_argument("--repeat", type=int, default=2, help="bare openpyxl runs (the best counts)")

    def _run(self, world, *, measure: bool, celery: bool, timeout: float) -> Export:
        export = Export.objects.create(
            user=world.head,
            kind=ExportKind.PAY_LINES,
            params={"from": world.start.isoformat(), "to": world.end.isoformat(), "measure": measure},
        )
        self.made.append(export)
        if not celery:
            exports.export_run(export_id=export.pk)
            export.refresh_from_db()
            return export
        from dashboard.tasks import run_export

        run_export.delay(export.pk)
        deadline = time.monotonic() + timeout
        while True:
            export.refresh_from_db()
            if export.status in (ExportStatus.DONE, ExportStatus.FAILED):
                return export
            if time.monotonic() > deadline:
                raise CommandError("the export did not finish in time: is a worker consuming 'exports'?")
            time.sleep(0.5)

    def handle(self, *args, lines, workers, celery, timeout, keep, no_trace, repeat, **options):
        if lines <= 0:
            raise CommandError("--lines must be positive")
        began = time.perf_counter()
        world = benchdata.make_pay_lines(lines=lines, workers=workers)
        made_in = time.perf_counter() - began
        self.stderr.write(f"made {world.lines} pay lines in {made_in:.1f}s")
        self.made: list[Export] = []
        try:
            rss_before = _rss_mib()
            wall, cpu = time.perf_counter(), time.process_time()
            export = self._run(world, measure=False, celery=celery, timeout=timeout)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rss_after = _rss_mib()
            if export.status != ExportStatus.DONE:
                raise CommandError(f"export failed: {export.error}")
            bare = None if celery else exportbench.bare_cpu(export, repeat=repeat)
            traced = None if no_trace else self._run(world, measure=True, celery=celery, timeout=timeout)
            result = {
                "lines": world.lines,
                "rows_written": export.rows_done,
                "via": "celery" if celery else "in-process task body",
                "seconds_task": export.seconds,
                "seconds_wall": round(wall, 2),
                # CPU time of this process: the export's own cost, whatever else the machine runs.
                "seconds_cpu": round(cpu, 2) if not celery else None,
                # The same rows written by bare openpyxl (write-only mode, plain values), CPU seconds.
                "seconds_cpu_bare": round(bare, 2) if bare else None,
                "export_cpu_to_bare": round(cpu / bare, 3) if bare else None,
                "rows_per_second": round(export.rows_done / export.seconds) if export.seconds else None,
                "peak_python_heap_mib": round(traced.peak_kib / 1024, 1)
                if traced and traced.peak_kib
                else None,
                "seconds_task_traced": traced.seconds if traced else None,
                "process_peak_rss_mib_before": rss_before if not celery else None,
                "process_peak_rss_mib_after": rss_after if not celery else None,
                "file_mib": round(export.file.size / 1024 / 1024, 1),
                "make_rows_seconds": round(made_in, 1),
            }
            # Django writes a command's returned text to stdout; call_command returns it.
            return json.dumps(result)
        finally:
            if not keep:
                for made in self.made:
                    made.refresh_from_db()
                    if made.file:
                        made.file.delete(save=False)
                    made.delete()
                benchdata.delete_world(world)
