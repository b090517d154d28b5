from django.core.management.base import BaseCommand, CommandError

from surveys.instruments import InstrumentError
from surveys.services import import_instrument


class Command(BaseCommand):
    help = "Import an instrument definition (YAML). A changed file becomes a new version once the old one has responses."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            result = import_instrument(file)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        version = result.version
        self.stdout.write(f"{version.instrument.code} version {version.number}: {result.outcome}")
