import sys

from django.core.management.base import BaseCommand, CommandError

from platform_logs.importers import IMPORTERS
from platform_logs.services import ImportFormatError, import_source, parse_since


class Command(BaseCommand):
    help = "Import usage metadata from an AI platform log or export (never its content)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORTERS), help="the kind of source")
        parser.add_argument("source", help="a file, or for openwebui-db a SQLite file or a postgres:// URL")
        parser.add_argument("--skip-invalid", action="store_true", help="count and report bad records instead of stopping")
        parser.add_argument("--since", help="only records at or after this date (YYYY-MM-DD or ISO 8601)")
        parser.add_argument("--client", action="append", default=[], dest="clients", metavar="CLIENT_ID",
                            help="keycloak-events: a Keycloak client of the platform whose logins count (repeatable)")

    def handle(self, kind, source, skip_invalid, since, clients, **options):
        try:
            since = parse_since(since) if since else None
            summary = import_source(kind, source, skip_invalid=skip_invalid, since=since, progress=self._progress(),
                                    clients=clients)
        except (ImportFormatError, ValueError) as error:
            raise CommandError(f"{type(error).__name__}: {error}") from None
        if sys.stderr.isatty():
            self.stderr.write("")
        for problem in summary.problems:
            self.stderr.write(f"skipped invalid record: {problem}")
        self.stdout.write(str(summary))

    def _progress(self):
        if not sys.stderr.isatty():
            return None
        return lambda read: self.stderr.write(f"\r{read:,} records read", ending="")
