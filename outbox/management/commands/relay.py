"""``manage.py relay [--once|--loop]``: publish the unsent outbox rows (the production unit runs --loop)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = "Publish unsent outbox messages to the Celery broker, oldest first, each marked sent once."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="one pass, then exit (the default)")
        mode.add_argument("--loop", action="store_true", help="a pass every --interval seconds, forever")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between passes (--loop)")
        parser.add_argument(
            "--grace",
            type=float,
            default=services.RELAY_GRACE.total_seconds(),
            help="seconds a new row is left to its own after-commit fast path",
        )

    def handle(self, *args, once=False, loop=False, interval=1.0, grace=2.0, **options):
        grace_td = dt.timedelta(seconds=grace)
        while True:
            result = services.relay(grace=grace_td)
            if not loop:
                self.stdout.write(f"sent {result['sent']}, failed {result['failed']}")
                return
            if result["sent"] == 0 or result["failed"]:
                time.sleep(interval)
