from django.core.management.base import BaseCommand

from matching.demo import seed_lists
from workshop.models import Workshop


class Command(BaseCommand):
    help = (
        "Put demo needs and wishes on the two lists of the demo workshop 暖心坊 (run seed_demo first; "
        "idempotent: a second run writes nothing)."
    )

    def handle(self, *args, **options):
        workshop = Workshop.objects.filter(name="暖心坊", community="新街社区").first()
        if workshop is None:
            self.stderr.write("No demo workshop: run `manage.py seed_demo` first.")
            return
        created = seed_lists(workshop)
        self.stdout.write(
            f"Two lists of {workshop.name}: {created} entries created; staff pages at /lists/, "
            f"the public board at /open/{workshop.pk}/"
        )
