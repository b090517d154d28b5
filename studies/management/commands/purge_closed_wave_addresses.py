from django.core.management.base import BaseCommand

from studies.mailing import purge_closed_wave_addresses


class Command(BaseCommand):
    help = "Delete the participant lists (addresses, attributes) of every closed wave; the counts remain. Run daily."

    def handle(self, **options):
        purged = purge_closed_wave_addresses()
        for slug, deleted in purged.items():
            self.stdout.write(f"{slug}: {deleted} participants deleted")
        if not purged:
            self.stdout.write("no closed wave has a participant list")
