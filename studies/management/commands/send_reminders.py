from django.core.management.base import BaseCommand

from studies.mailing import run_mailout
from studies.management.commands._wave import wave_by_slug
from studies.models import MailKind
from studies.tasks import schedule_mailout


class Command(BaseCommand):
    help = "Send a reminder now to everyone invited who has neither completed the survey nor opted out."

    def add_arguments(self, parser):
        parser.add_argument("wave")

    def handle(self, wave, **options):
        mailout = run_mailout(schedule_mailout(wave_by_slug(wave), MailKind.REMINDER).pk)
        self.stdout.write(f"reminders: {mailout.sent} sent, {mailout.failed} failed of {mailout.total}"
                          + (f" ({mailout.error})" if mailout.error else ""))
