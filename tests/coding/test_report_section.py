"""The publication report gains the coded open answers: a methods paragraph with model, server, codebook
version, temperature and seed, the agreement table, and the coded categories with Wilson intervals, in
English and German, and no answer text."""

import csv
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from coding.demo import gold_codes, load_demo_coding
from coding.models import Coding
from coding.services import coded_answers
from reports.services import build_report
from surveys.demo import DEMO_WISHES_FILE, WISHES, load_demo
from tests.coding.builders import flat
from tests.reports.conftest import DEMO_PLAN, demo_key_file, pdf_text

pytestmark = pytest.mark.django_db
MODEL = "coder-a-like-model"  # stored test data: a model that codes exactly as coder_a did


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("coded_reports")
    texts = {}
    with django_db_blocker.unblock(), override_settings(UPTAKE_PSEUDONYM_KEY_FILE=demo_key_file(tmp_path_factory),
                                                        UPTAKE_ANALYSIS_PLAN=DEMO_PLAN), transaction.atomic():
        wave = load_demo().wave
        sample = load_demo_coding(wave)
        gold = gold_codes()
        Coding.objects.bulk_create(
            Coding(answer=answer, codebook=sample.codebook, coder=MODEL, kind=Coding.Kind.MODEL,
                   codes=gold[answer.value]["coder_a"], prompt_hash="b" * 64, endpoint_host="127.0.0.1",
                   temperature=0.0, seed=2026, coded_at=timezone.now())
            for answer in coded_answers(wave, "wishes"))
        for language in ("en", "de"):
            texts[language] = pdf_text(build_report(wave, "publication", language, out / f"{language}.pdf").pdf)
        transaction.set_rollback(True)
    return texts


def test_demo_wave_has_at_least_150_open_answers_in_german_and_english():
    wave = load_demo().wave
    answers = coded_answers(wave, "wishes")
    assert len(answers) >= 150
    languages = Counter(row["language"] for row in csv.DictReader(DEMO_WISHES_FILE.open(encoding="utf-8")))
    assert len(WISHES) >= 150 and languages["de"] >= 50 and languages["en"] >= 30
    sample = load_demo_coding(wave)
    assert sample.answers.count() >= 100
    assert set(Coding.objects.filter(answer__in=sample.answers.all()).values_list("coder", flat=True)) == {"coder_a", "coder_b"}


def test_publication_report_shows_methods_agreement_and_coded_categories(reports):
    text = flat(reports["en"])
    assert "Coded open answers" in text
    assert MODEL in text and "server 127.0.0.1" in text and "temperature 0.0" in text and "seed 2026" in text
    assert "codebook version 1" in text
    assert "Agreement between coders per code" in text
    assert "Coded categories" in text and "Wilson" in text
    assert "Coded by the model:" in text


def test_german_report_says_it_in_german(reports):
    text = flat(reports["de"])
    assert "Kodierte Freitextantworten" in text
    assert "Übereinstimmung der Kodierenden je Code" in text
    assert "Kodierte Kategorien" in text
    assert "Coded open answers" not in text


def test_no_answer_text_reaches_the_report(reports):
    for language, text in reports.items():
        leaked = [wish for wish in WISHES if len(wish) > 25 and wish in flat(text)]
        assert leaked == [], language
