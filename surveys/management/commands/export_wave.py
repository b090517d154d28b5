from django.core.management.base import BaseCommand, CommandError

from surveys.export import FORMATS, LANGUAGES, ExportError, export_wave
from surveys.models import Wave


class Command(BaseCommand):
    help = "Write a wave's tidy table (CSV or SPSS .sav) and its codebook, as in docs/export-format.md."

    def add_arguments(self, parser):
        parser.add_argument("wave", help="wave slug")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
        parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
        parser.add_argument("--language", choices=LANGUAGES, default="en",
                            help="language of the SPSS variable and value labels (the codebook has both)")

    def handle(self, *args, wave, fmt, out, language, **options):
        found = Wave.objects.select_related("instrument_version").filter(slug=wave).first()
        if found is None:
            slugs = ", ".join(Wave.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"unknown wave {wave!r}; existing waves: {slugs}")
        try:
            result = export_wave(found, out, fmt, language)
        except ExportError as exc:
            raise CommandError(f"wave {wave!r}: {exc}") from exc
        for path in result.paths:
            self.stdout.write(str(path))
        self.stdout.write(f"{result.rows} responses exported")
