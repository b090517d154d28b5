from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from studies.mailing import mark_bounced
from studies.management.commands._wave import wave_by_slug


class Command(BaseCommand):
    help = (
        "Mark the addresses a mail relay reported as undeliverable (a text file, one address per line) so "
        "they count as bounced and get no reminders."
    )

    def add_arguments(self, parser):
        parser.add_argument("wave")
        parser.add_argument("addresses", help="text file with one bounced address per line")

    def handle(self, wave, addresses, **options):
        try:
            lines = Path(addresses).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{addresses}: cannot read the bounce list ({exc})") from exc
        marked = mark_bounced(wave_by_slug(wave), lines)
        self.stdout.write(f"{marked} of {len([line for line in lines if line.strip()])} addresses marked as bounced")
