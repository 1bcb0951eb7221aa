"""``manage.py health [--json]``: the /healthz report for an operator; exit 0 when nothing fails, else 1."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from health import checks


def _value(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    return "-" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Check the broker (eviction policy, persistence), the database, live workers per queue, queue "
        "depths, the oldest unsent outbox message and the last beat. Exit 1 when a check fails."
    )
    # The report is wanted most when something is wrong: the system checks (health.E001, ...) must not
    # stop it from running.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the /healthz JSON instead of a table"
        )

    def handle(self, *args, as_json: bool = False, **options):
        report = checks.run_all()
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            width = max(len(c["name"]) for c in report["checks"])
            for check in report["checks"]:
                detail = "; ".join(f"{k} {_value(v)}" for k, v in check["detail"].items())
                self.stdout.write(f"{check['name']:<{width}}  {check['status']:<4}  {detail}")
            self.stdout.write(f"{'overall':<{width}}  {report['status']:<4}  took_ms {report['took_ms']}")
        failing = [c["name"] for c in report["checks"] if c["status"] == checks.FAIL]
        if failing:
            raise CommandError(f"failing: {', '.join(failing)}", returncode=1)
