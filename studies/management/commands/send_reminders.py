from django.core.management.base import BaseCommand

from studies.mailing import run_mailout
from studies.management.commands._wave import attribute_filter_option, wave_by_slug
from studies.models import MailKind
from studies.tasks import schedule_mailout


class Command(BaseCommand):
    help = ("Send a reminder now to everyone invited who has neither completed the survey nor opted out "
            "(with --only, to those of them with these list attributes).")

    def add_arguments(self, parser):
        parser.add_argument("wave")
        parser.add_argument("--only", default="", help="only participants with these attributes, e.g. role=nurse")

    def handle(self, wave, only="", **options):
        mailout = schedule_mailout(wave_by_slug(wave), MailKind.REMINDER, only=attribute_filter_option(only))
        mailout = run_mailout(mailout.pk)
        self.stdout.write(f"reminders: {mailout.sent} sent, {mailout.failed} failed of {mailout.total}"
                          + (f" ({mailout.error})" if mailout.error else ""))
