from django.core.management.base import BaseCommand, CommandError

from surveys.export import FORMATS, write_export
from surveys.importers.responses import SOURCES, convert_responses
from surveys.instruments import InstrumentError
from surveys.models import InstrumentVersion


class Command(BaseCommand):
    help = ("Turn a LimeSurvey (question-code headings) or REDCap (raw data) response CSV into the tidy table and "
            "codebook export_wave writes, using the instrument imported from the same survey.")

    def add_arguments(self, parser):
        parser.add_argument("instrument", help="code of the imported instrument")
        parser.add_argument("file")
        parser.add_argument("--source", choices=SOURCES, required=True)
        parser.add_argument("--out", required=True, help="directory for <name>_responses.<format> and <name>_codebook.csv")
        parser.add_argument("--name", help="name of the files and the `wave` column (default: the file's name)")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--number", type=int, help="instrument version number (default: the latest)")

    def handle(self, instrument, file, source, out, name=None, format="csv", number=None, **options):
        versions = InstrumentVersion.objects.filter(instrument__code=instrument).order_by("-number")
        version = (versions.filter(number=number) if number else versions).first()
        if version is None:
            raise CommandError(f"no instrument {instrument!r}; import the questionnaire first (import_instrument)")
        name = name or file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        try:
            converted = convert_responses(version, file, source, name)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        paths = write_export(converted.table, converted.codebook, out, name, format)
        for column in converted.ignored_columns:
            self.stdout.write(f"WARNING column {column}: no item of {instrument} v{version.number}; not converted")
        self.stdout.write(f"{len(converted.table)} responses: wrote {', '.join(str(path) for path in paths)}")
