import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Wave
from surveys.services import create_invitations, invitation_url


class Command(BaseCommand):
    help = (
        "Create invitation links for a wave and print them once (only their hashes are stored). "
        "With --identifiers FILE (one OIDC subject or e-mail per line) each link carries that person's "
        "pseudonym and the output is CSV for a mail merge."
    )

    def add_arguments(self, parser):
        parser.add_argument("wave")
        parser.add_argument("--count", type=int, default=0)
        parser.add_argument("--identifiers")

    def handle(self, wave, count=0, identifiers=None, **options):
        found = Wave.objects.filter(slug=wave).first()
        if found is None:
            raise CommandError(f"no wave {wave!r}; existing waves: {', '.join(Wave.objects.values_list('slug', flat=True)) or 'none'}")
        people = []
        if identifiers:
            try:
                people = Path(identifiers).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{identifiers}: cannot read identifiers ({exc})") from exc
        if count < 0 or (count == 0 and not people):
            raise CommandError("give --count N (N >= 1) or --identifiers FILE")
        created = create_invitations(found, count=count, identifiers=people)
        if people:
            writer = csv.writer(self.stdout)
            writer.writerow(["identifier", "link"])
            for identifier, token in created:
                writer.writerow([identifier or "", invitation_url(token)])
            return
        for _identifier, token in created:
            self.stdout.write(invitation_url(token))
