from django.core.management.base import BaseCommand

from studies.demo import load_demo_study


class Command(BaseCommand):
    help = "Create the demo study for the demo wave, owned by the demo account `researcher` (after load_demo)."

    def handle(self, *args, **options):
        study = load_demo_study()
        self.stdout.write(f"Research workspace: {study.title} at /studies/{study.slug}/ (owner: researcher)")
