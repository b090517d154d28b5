from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from platform_logs.privacy_scan import published_addresses, scan_database, scan_files


class Command(BaseCommand):
    help = ("Look for e-mail addresses, IP addresses, phone numbers, IBANs and given canary strings (names are found "
            "only as canaries) in every text column of the database and in every file under the given directories, "
            "inside archives and documents; the study's published contact addresses are not findings. Exit non-zero "
            "naming each place (masked).")

    def add_arguments(self, parser):
        parser.add_argument("--files", nargs="*", default=[], metavar="DIR", help="export or report directories to scan")
        parser.add_argument("--canary", action="append", default=[], help="a planted string to look for (repeatable)")
        parser.add_argument("--canaries-file", type=Path, help="a file of planted strings, one a line")
        parser.add_argument("--allow", action="append", default=[],
                            help="a published address that is no one's personal data, such as the study's contact e-mail")
        parser.add_argument("--no-database", action="store_true", help="scan only the files")

    def handle(self, files, canary, canaries_file, allow, no_database, **options):
        canaries = list(canary)
        if canaries_file:
            canaries += [line.strip() for line in canaries_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        missing = [directory for directory in files if not Path(directory).exists()]
        if missing:
            raise CommandError(f"--files: {missing[0]} does not exist")
        allowed = set(allow) | (set() if no_database else published_addresses())
        findings = ([] if no_database else scan_database(canaries, allowed)) + scan_files(files, canaries, allowed)
        for finding in findings:
            self.stdout.write(str(finding))
        if findings:
            raise CommandError(f"privacy scan: {len(findings)} finding(s)")
        self.stdout.write("privacy scan: no e-mail address, IP address, phone number or IBAN found"
                          + (", nor any of the canaries" if canaries else "; names are looked for only as --canary"))
