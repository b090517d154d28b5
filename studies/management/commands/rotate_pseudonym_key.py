"""Lives in studies, not surveys, so that the rotation is written to the audit log."""

from django.core.management.base import BaseCommand, CommandError

from studies.audit import audit
from studies.models import AuditEntry
from surveys.keys import ROTATION_BREAKS, rotate_pseudonym_key


class Command(BaseCommand):
    help = "Replace the pseudonym key with a new random one and record its fingerprint. Says what it breaks; needs --yes."
    requires_system_checks = []  # the remedy when the start-up check refuses a changed key

    def add_arguments(self, parser):
        parser.add_argument("--yes", action="store_true", help="rotate, accepting what it breaks")

    def handle(self, *args, yes=False, **options):
        if not yes:
            raise CommandError(f"{ROTATION_BREAKS}\nNothing changed. Run again with --yes to rotate.")
        fingerprint = rotate_pseudonym_key()
        # Written to every study's audit log (a site-wide entry): it changes every pseudonym from now on.
        audit(None, AuditEntry.Action.KEY_ROTATION, "pseudonym key", f"new fingerprint {fingerprint[:12]}…")
        self.stdout.write(f"{ROTATION_BREAKS}\n\nNew pseudonym key written; fingerprint {fingerprint[:12]}… recorded.")
