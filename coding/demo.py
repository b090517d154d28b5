"""The demo's coding: the wishes codebook and the double-coded gold sample as two coders' codes.

Gold units are demo answer texts (surveys/demo/wishes.csv ids); each is matched to the first demo
answer with that text, so the sample holds every distinct text the demo wave drew.
"""

import csv
from collections import defaultdict
from pathlib import Path

from django.db import transaction

from coding.codebooks import read_codebook_file
from coding.models import CodingSample
from coding.services import coded_answers, record_human_codes, store_codebook
from surveys.demo import DEMO_WISHES_FILE

DEMO_CODEBOOK = Path(__file__).resolve().parent / "codebooks" / "wishes.yaml"
GOLD_FILE = Path(__file__).resolve().parent / "demo" / "wishes_gold.csv"
GOLD_SEED = 0  # the gold sample was chosen by hand (every distinct text), not drawn


def gold_codes() -> dict[str, dict[str, list[str]]]:
    """text -> coder -> codes, from the gold file."""
    texts = {row["id"]: row["text"] for row in csv.DictReader(DEMO_WISHES_FILE.open(encoding="utf-8"))}
    codes = defaultdict(lambda: defaultdict(list))
    for row in csv.DictReader(GOLD_FILE.open(encoding="utf-8")):
        codes[texts[row["unit"]]][row["coder"]].append(row["code"])
    return codes


@transaction.atomic
def load_demo_coding(wave) -> CodingSample:
    """The gold sample of the demo wave with coder_a's and coder_b's codes (idempotent)."""
    version = store_codebook(read_codebook_file(DEMO_CODEBOOK), source_name="coding/codebooks/wishes.yaml")
    existing = CodingSample.objects.filter(wave=wave, codebook=version, seed=GOLD_SEED).first()
    if existing:
        return existing
    sample = CodingSample.objects.create(wave=wave, codebook=version, seed=GOLD_SEED)
    first_answer = {}
    for answer in coded_answers(wave, version.item):
        first_answer.setdefault(answer.value, answer)
    for text, coders in gold_codes().items():
        answer = first_answer.get(text)
        if answer is None:
            continue
        sample.answers.add(answer)
        for coder, codes in coders.items():
            record_human_codes(sample, answer, coder, codes)
    return sample
