from django.core.management.base import BaseCommand, CommandError

from coding.services import write_coding_csv
from surveys.models import Wave


class Command(BaseCommand):
    help = "Write every coder's codes for a free-text item in long form (unit,coder,code) for ReCal, R irr or `python -m analysis agreement`."

    def add_arguments(self, parser):
        parser.add_argument("wave", help="wave slug")
        parser.add_argument("item", help="free-text item code")
        parser.add_argument("--out", required=True, help="CSV file to write")

    def handle(self, *args, **options):
        wave = Wave.objects.filter(slug=options["wave"]).first()
        if wave is None:
            raise CommandError(f"no wave {options['wave']!r}")
        rows = write_coding_csv(wave, options["item"], options["out"])
        self.stdout.write(f"wrote {rows} rows to {options['out']}")
