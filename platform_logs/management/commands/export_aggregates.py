from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis.errors import AnalysisError
from platform_logs.aggregates import export_aggregates
from surveys.models import Wave


def contrast(text):
    parts = text.split(":")
    if len(parts) != 4 or not all(parts):
        raise ValueError(text)
    return tuple(parts)


class Command(BaseCommand):
    help = ("Write a signed bundle of a wave's sufficient statistics (n, mean, variance, category counts per "
            "stratum; planned contrasts; usage-linkage summaries) for a multi-site study, after the small-cell "
            "rules: no respondent row leaves the site (docs/consortium.md).")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="wave slug")
        parser.add_argument("--out", required=True, help="bundle file to write (JSON)")
        parser.add_argument("--site", help="site name the coordinating centre sees (default: the institution name)")
        parser.add_argument("--threshold", type=int, default=settings.UPTAKE_SUPPRESSION_THRESHOLD,
                            help="smallest count that may leave the site (default: the site's threshold)")
        parser.add_argument("--round", type=int, dest="rounding", metavar="N",
                            help="round the wave's headcounts up to a multiple of N (e.g. 10)")
        parser.add_argument("--stratum", action="append", default=[], metavar="VARIABLE",
                            help="break every statistic down by this categorical variable (repeatable)")
        parser.add_argument("--contrast", action="append", default=[], type=contrast, metavar="VAR:STRATUM:A:B",
                            help="planned contrast: mean of VAR in level A minus level B of STRATUM (repeatable)")
        parser.add_argument("--registered-users", type=int, help="registered platform users (for the response rate)")
        parser.add_argument("--key", help="the site's Ed25519 signing key (default: UPTAKE_SIGNING_KEY_FILE)")

    def handle(self, *args, wave, out, site, threshold, rounding, stratum, contrast, registered_users, key, **options):
        found = Wave.objects.select_related("instrument_version").filter(slug=wave).first()
        if found is None:
            slugs = ", ".join(Wave.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"unknown wave {wave!r}; existing waves: {slugs}")
        for planned in contrast:
            if planned[1] not in stratum:
                raise CommandError(f"--contrast {':'.join(planned)}: its stratum {planned[1]!r} needs --stratum {planned[1]}")
        try:
            path, public_key = export_aggregates(
                found, out, site=site or settings.UPTAKE_INSTITUTION_NAME, threshold=threshold, rounding=rounding,
                strata=stratum, contrasts=contrast, registered_users=registered_users, key_path=key)
        except AnalysisError as exc:
            raise CommandError(f"wave {wave!r}: {exc}") from exc
        self.stdout.write(str(path))
        self.stdout.write(f"signed with the site key {public_key} (give it to the coordinating centre once)")
