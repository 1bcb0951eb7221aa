from django.core.management.base import BaseCommand

from dispatch.demo import seed_demo_jobs
from logistics.demo import demo_courier_logins, seed_demo_logistics
from workshop.demo import DEMO_PASSWORD, DEMO_PIN, demo_logins, seed_demo

# Here, not in ``dispatch``: the demo takes in door delivery too, and only ``logistics`` (above the flow in
# the import layers) may build both.


class Command(BaseCommand):
    help = (
        "Build the demo workshop 暖心坊 of 新街社区 with its places, depot, vehicles and couriers, and three "
        "demo jobs (idempotent: a second run changes nothing). The jobs' follow-up tasks go to the Celery "
        "broker (REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-jobs", action="store_true", help="people, firms, lines and places only")

    def handle(self, *args, **options):
        summary = seed_demo()
        ws = summary.workshop
        delivery = seed_demo_logistics(ws)
        jobs = 0 if options["no_jobs"] else seed_demo_jobs(ws)
        self.stdout.write(
            f"{ws.county}{ws.subdistrict}{ws.community}·{ws.name}: "
            f"{ws.workers.count()} workers, {ws.pairings.count()} firms, {ws.couriers.count()} couriers; "
            f"{summary.created + delivery.created} rows and {jobs} demo jobs created"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(
            f"Workers sign in at /m/login/ with their phone and the PIN {DEMO_PIN}; so do couriers:"
        )
        for phone, who in demo_courier_logins(ws):
            self.stdout.write(f"  {phone:<14} {who}")
