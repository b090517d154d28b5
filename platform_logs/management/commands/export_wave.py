from django.core.management.base import BaseCommand, CommandError

from platform_logs.export import export_wave_with_usage
from surveys.export import FORMATS, LANGUAGES, ExportError
from surveys.models import Wave


class Command(BaseCommand):
    help = ("Write a wave's tidy table (CSV or SPSS .sav) with the usage columns of respondents who consented to "
            "linkage, its codebook and a linkage summary, as in docs/export-format.md.")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="wave slug")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
        parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
        parser.add_argument("--language", choices=LANGUAGES, default="en",
                            help="language of the SPSS variable and value labels (the codebook has both)")
        parser.add_argument("--keep-pseudonym", action="store_true",
                            help="keep the wave-linkage pseudonym column, which links waves but not usage "
                                 "(dropped by default: the analysis does not need it)")
        parser.add_argument("--with-population", action="store_true",
                            help="also write <wave>_population.csv: usage of every platform user in the usage window "
                                 "and whether they responded with linkage consent, without pseudonyms (for the "
                                 "nonresponse analysis)")

    def handle(self, *args, wave, fmt, out, language, keep_pseudonym, with_population, **options):
        found = Wave.objects.select_related("instrument_version").filter(slug=wave).first()
        if found is None:
            slugs = ", ".join(Wave.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"unknown wave {wave!r}; existing waves: {slugs}")
        try:
            result = export_wave_with_usage(found, out, fmt, language, keep_pseudonym, with_population)
        except ExportError as exc:
            raise CommandError(f"wave {wave!r}: {exc}") from exc
        for path in result.paths:
            self.stdout.write(str(path))
        self.stdout.write(f"{result.rows} responses exported")
        self.stdout.write(str(result.summary))
