from django.core.management.base import BaseCommand

from dispatch.demo import seed_demo_jobs
from workshop.demo import DEMO_PASSWORD, DEMO_PIN, demo_logins, seed_demo


class Command(BaseCommand):
    help = (
        "Build the demo workshop 暖心坊 of 新街社区 with three demo jobs (idempotent: a second run "
        "changes nothing). The jobs' follow-up tasks go to the Celery broker (REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-jobs", action="store_true", help="people, firms and lines only")

    def handle(self, *args, **options):
        summary = seed_demo()
        ws = summary.workshop
        jobs = 0 if options["no_jobs"] else seed_demo_jobs(ws)
        self.stdout.write(
            f"{ws.county}{ws.subdistrict}{ws.community}·{ws.name}: "
            f"{ws.workers.count()} workers, {ws.pairings.count()} firms; "
            f"{summary.created} rows and {jobs} demo jobs created"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(f"Workers sign in at /m/login/ with their phone and the PIN {DEMO_PIN}.")
