"""Waves with open answers to code, and the demo codebook."""

import re
from pathlib import Path

from django.utils import timezone

from coding.codebooks import read_codebook_file
from coding.services import store_codebook
from surveys.models import Answer, Response
from tests.studies.builders import make_wave

CODEBOOK_FILE = Path(__file__).resolve().parents[2] / "coding" / "codebooks" / "wishes.yaml"
ANSWERS = [
    "Schnellere Antworten am Vormittag wären gut.",
    "Please add a larger model for coding.",
    "Mehr Vorlagen für Arztbriefe.",
    "Integration with the hospital information system.",
    "Nichts, bin zufrieden.",
]


def wishes_codebook():
    return store_codebook(read_codebook_file(CODEBOOK_FILE), source_name=str(CODEBOOK_FILE))


def add_wish_answers(wave, texts=ANSWERS, status=Response.Status.COMPLETED) -> list[Answer]:
    answers = []
    for index, text in enumerate(texts):
        response = Response.objects.create(
            wave=wave, instrument_version=wave.instrument_version, participant_key=f"coding-{wave.slug}-{index}-{status}",
            status=status, completed_at=timezone.now() if status == Response.Status.COMPLETED else None, language="de")
        answers.append(Answer.objects.create(response=response, item="wishes", value=text))
    return answers


def wave_with_wishes(version, texts=ANSWERS, slug="coding-wave"):
    wave = make_wave(version, slug=slug)
    return wave, add_wish_answers(wave, texts)


def flat(text):
    """pdftotext's text on one line, with the hyphens of line breaks joined again."""
    return re.sub(r"(?<=[-\u2010])\s+", "", " ".join(text.split())).replace("\u2010", "")
