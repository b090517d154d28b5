from django.conf import settings
from django.core.management.base import BaseCommand

from surveys.demo import DEMO_SEED, load_demo


class Command(BaseCommand):
    help = "Load the demo AI-platform survey, a demo wave with synthetic responses, and demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEMO_SEED,
                            help="another seed makes another synthetic site (its own wave) for a demo consortium")

    def handle(self, seed, **options):
        summary = load_demo(seed)
        base = settings.UPTAKE_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Demo wave '{summary.wave.slug}' with {summary.responses} responses."))
        self.stdout.write(f"  Survey (invitation link): {summary.invitation_url}")
        self.stdout.write(f"  Administration:           {base}/admin/")
        for username, password in summary.accounts:
            self.stdout.write(f"  Account:                  {username} / {password}")
        self.stdout.write(f"  More links: python manage.py create_invitations {summary.wave.slug} --count 5")
