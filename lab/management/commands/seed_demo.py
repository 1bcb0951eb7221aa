from django.core.management.base import BaseCommand, CommandError

from dispatch.demo import demo_jobs_create
from dispatch.models import Job
from lab.seasonbook import SEASON_DAYS
from lab.seasonrows import SeasonRefused, load_season
from logistics.demo import demo_courier_logins, seed_demo_logistics
from pay.models import PayLine
from workshop.demo import DEMO_PASSWORD, DEMO_PIN, demo_logins, seed_demo

# Here, in the lab: the demo takes in door delivery and a season of history written in bulk (as the
# bench's data is), and only the lab (above every app in the import layers) may build them all.


class Command(BaseCommand):
    help = (
        "Build the demo workshop 暖心坊 of 新街社区 with its places, depot, vehicles and couriers; on a "
        "fresh database a season of history before today (about three months: jobs made, inspected and paid, "
        "past months closed and paid out) and three demo jobs of today. Idempotent: a second run changes "
        "nothing. The jobs' follow-up tasks go to the Celery broker (REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-jobs", action="store_true", help="people, firms, lines and places only (no history)"
        )
        parser.add_argument("--no-season", action="store_true", help="today's three demo jobs, no history")
        parser.add_argument(
            "--season-days", type=int, default=SEASON_DAYS, help="days of history before today"
        )

    def handle(self, *args, **options):
        if options["season_days"] < 7:
            raise CommandError("--season-days: a season is at least 7 days")
        summary = seed_demo()
        ws = summary.workshop
        delivery = seed_demo_logistics(ws)
        jobs, season = 0, None
        if not options["no_jobs"] and not Job.objects.filter(workshop=ws).exists():
            if not options["no_season"]:
                try:
                    season = load_season(ws, days=options["season_days"])
                except SeasonRefused as exc:
                    raise CommandError(str(exc)) from exc
            jobs = demo_jobs_create(ws)
        self.stdout.write(
            f"{ws.county}{ws.subdistrict}{ws.community}·{ws.name}: "
            f"{ws.workers.count()} workers, {ws.pairings.count()} firms, {ws.couriers.count()} couriers; "
            f"{summary.created + delivery.created} rows and {jobs} demo jobs created"
        )
        if season is not None:
            months = ", ".join(f"{m:%Y-%m}" for m in season.months_closed) or "none"
            paid = ", ".join(f"{m:%Y-%m}" for m in season.months_paid) or "none"
            self.stdout.write(
                f"History {season.first_day} to {season.last_day}: {season.jobs} jobs, {season.shares} "
                f"shares, {season.reports} reports, {season.pay_lines} pay lines (¥{season.wages_yuan}); "
                f"months closed {months}, paid out {paid}; loaded in {season.seconds:.1f} s"
            )
        elif (
            not (options["no_jobs"] or options["no_season"] or jobs)
            and not PayLine.objects.filter(worker__workshop=ws).exists()
        ):
            self.stdout.write(
                "This demo has no history (it was made before the demo loaded a season): "
                "make clean, then make run, for a workshop as it looks after three months."
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(
            f"Workers sign in at /m/login/ with their phone and the PIN {DEMO_PIN}; so do couriers:"
        )
        for phone, who in demo_courier_logins(ws):
            self.stdout.write(f"  {phone:<14} {who}")
