from django.core.management.base import BaseCommand, CommandError

from platform_logs.demo import load_demo_usage
from surveys.models import Wave


class Command(BaseCommand):
    help = ("Import generated platform logs (chats, ratings, logins, Ollama requests) for the demo wave's usage "
            "window, after load_demo (idempotent).")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        try:
            summary = load_demo_usage(seed)
        except Wave.DoesNotExist as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
