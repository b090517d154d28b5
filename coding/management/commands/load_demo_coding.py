from django.core.management.base import BaseCommand, CommandError

from coding.demo import load_demo_coding
from surveys.demo import DEMO_WAVE
from surveys.models import Wave


class Command(BaseCommand):
    help = "Store the demo codebook and the double-coded gold sample of the demo wave's open answers."

    def handle(self, *args, **options):
        wave = Wave.objects.filter(slug=DEMO_WAVE).first()
        if wave is None:
            raise CommandError(f"no demo wave {DEMO_WAVE!r}: run `manage.py load_demo` first")
        sample = load_demo_coding(wave)
        self.stdout.write(f"{sample.codebook}: gold sample of {sample.answers.count()} answers coded by coder_a and coder_b")
