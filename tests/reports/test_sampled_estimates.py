"""A report says when personas or topics were fitted on samples (above 5,000 rows or answers), in the
report's language, and says nothing of samples when every row was used."""

from django.utils import translation

from reports import tables
from reports.bundle import Bundle

CHOICE = [{"k": 2, "stability": 0.93, "silhouette": 0.355, "chosen": True},
          {"k": 3, "stability": 0.71, "silhouette": 0.31, "chosen": False}]
TOPICS = [{"topic": 1, "terms": "login, passwort", "n_answers": 9100}, {"topic": 2, "terms": "befunde", "n_answers": 7569},
          {"topic": None, "terms": "no topic", "n_answers": 0}]


def bundle(tmp_path, language, sample=None, fitted_on=None):
    results = {"personas/choice": {"table": CHOICE, "values": {"sample": sample}},
               "text/wishes": {"table": TOPICS, "values": {"answers": 16669, "fitted_on": fitted_on} if fitted_on else {}}}
    return Bundle(tmp_path, {"disclosure_threshold": 5, "labels": {}}, results, {"language": language})


def test_sampled_personas_and_topics_are_named_in_the_table_notes(tmp_path):
    with translation.override("en"):
        found = bundle(tmp_path, "en", sample=5000, fitted_on=5000)
        personas, topics = tables.personas(found), tables.topics(found)[0]
    assert any("fitted on a random sample of 5,000 and every respondent assigned to the nearest cluster centre (CLARA"
               in note for note in personas.notes)
    assert topics.notes == ["Topics fitted on a random sample of 5,000 of the 16,669 answers; n counts every answer."]


def test_german_notes_are_german(tmp_path):
    with translation.override("de"):
        found = bundle(tmp_path, "de", sample=5000, fitted_on=5000)
        personas, topics = tables.personas(found), tables.topics(found)[0]
    assert any("Zufallsstichprobe von 5.000 angepasst" in note for note in personas.notes)
    assert topics.notes == ["Themen an einer Zufallsstichprobe von 5.000 der 16.669 Antworten angepasst; n zählt jede "
                            "Antwort."]


def test_without_samples_no_note_speaks_of_them(tmp_path):
    with translation.override("en"):
        found = bundle(tmp_path, "en")
        personas, topics = tables.personas(found), tables.topics(found)[0]
    assert not any("sample of" in note for note in personas.notes + topics.notes)
