"""Results at a glance (issue 23): per-question charts, a cross-tab and the filterable response list.

A small wave built by hand, with the small-cell threshold at 3, and every expected count worked out
below from the answers it stores:

    role          physician 8, nurse 12, other 1                    (21 answered)
    satisfaction  physician: 3 x4, 4 x1, 5 x3; nurse: 3 x5, 4 x3, 5 x4; other: no answer   (20 answered)
    data_kinds    public 21 (two physicians also: patient)
    hours         10, 10, 10, 25, 25, 25, 45                         (7 answered)
    wishes        4 open answers; sensitive_purpose 2 open answers
    plus one withdrawn response (no answers left)

Physicians answered on phones in German 10 days ago, completed; nurses on a desktop today, the first
six in German, the last six in English, the last five not finished; the "other" in English today.
"""

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from studies import results
from studies.models import AuditEntry
from surveys.instruments import Number
from surveys.models import Response
from tests.studies.builders import add_response, results_study
from tests.studies.test_workspace_crawl import CODE, ENGLISH
from tests.surveys.builders import make_instrument_version

pytestmark = pytest.mark.django_db

PHYSICIAN_SATISFACTION = [3, 3, 3, 3, 4, 5, 5, 5]
NURSE_SATISFACTION = [3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 5]
HOURS = [10, 10, 10, 25, 25, 25, 45]


@pytest.fixture
def cast(tmp_path, settings):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 3
    cast = results_study(make_instrument_version(tmp_path))
    cast.wave.title = "Welle 1"
    cast.wave.save(update_fields=["title"])
    wave, now = cast.wave, timezone.now()
    people = [("physician", s) for s in PHYSICIAN_SATISFACTION] + [("nurse", s) for s in NURSE_SATISFACTION] + [("other", None)]
    for index, (role, satisfaction) in enumerate(people):
        answers = {"role": role, "data_kinds": ["public", "patient"] if index < 2 else ["public"]}
        if satisfaction is not None:
            answers["satisfaction"] = satisfaction
        if index < 2:
            answers["sensitive_purpose"] = "Arztbriefe"
        if index < len(HOURS):
            answers["hours"] = HOURS[index]
        if index < 4:
            answers["wishes"] = f"geheimer Wunsch {index}"
        physician, nurse_number = role == "physician", index - 8
        unfinished = role == "nurse" and nurse_number >= 7
        add_response(wave, answers, status=Response.Status.IN_PROGRESS if unfinished else Response.Status.COMPLETED,
                     language="de" if physician or 0 <= nurse_number < 6 else "en", device="phone" if physician else "desktop",
                     started_at=now - (timedelta(days=10) if physician else timedelta(minutes=1)),
                     last_page="data" if unfinished else "rating", other_text="Hebamme")
    add_response(wave, {}, status=Response.Status.WITHDRAWN, started_at=now - timedelta(minutes=1))
    return cast


def url(cast, page):
    return f"/studies/{cast.study.slug}/waves/{cast.wave.slug}/{page}"


def chart_rows(html) -> list[tuple[str, ...]]:
    """The rows of the charts' tables, as (answer, count, percent)."""
    return [tuple(re.findall(r"<td>(.*?)</td>", row)) for row in re.findall(r"<tr><td>.*?</tr>", html)]


# --- per-question charts ------------------------------------------------------------------------


def test_each_question_shows_hand_counted_answers_with_percents_and_labels_in_german(client, cast):
    client.force_login(cast.analyst)
    html = client.get(url(cast, "results/"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    rows = chart_rows(html)

    # satisfaction: 9, 4, 7 of 20; no small cell
    assert ("3 – teils/teils", "9", "45,0 %") in rows
    assert ("4 – stimme zu", "4", "20,0 %") in rows
    assert ("5 – stimme voll zu", "7", "35,0 %") in rows
    assert ("weiß nicht", "0", "0,0 %") in rows
    # multiple choice: percents of the 21 who answered; each option on its own, no secondary suppression
    assert ("Öffentliche", "21", "100,0 %") in rows
    assert ("Patientendaten", "&lt; 3", "–") in rows
    assert "Beantwortet von 21" in html and "Beantwortet von 20" in html and "Beantwortet von 7" in html
    # open answers: counted (2 is below the threshold), never shown
    assert "Beantwortet von 4" in html and "Beantwortet von &lt; 3" in html
    assert "geheimer Wunsch" not in html and "Arztbriefe" not in html and "Hebamme" not in html


def test_a_small_cell_in_a_chart_is_suppressed_and_the_total_cannot_give_it_back(client, cast):
    client.force_login(cast.analyst)
    html = client.get(url(cast, "results/"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    rows = chart_rows(html)

    # role: other = 1 is small; with 21 published, physician (8, the smallest other cell) is withheld too
    assert ("Andere, bitte angeben", "&lt; 3", "–") in rows
    assert ("Ärztin/Arzt", "(s)", "–") in rows
    assert ("Pflege", "12", "57,1 %") in rows
    # hours in bins of 20 over 0..80: 3, 3, 1, 0, 0 -> the 1 is small, the first 3 withheld beside it
    assert [row for row in rows if row[0] in ("0–19", "20–39", "40–59", "60–79", "80")] == [
        ("0–19", "(s)", "–"), ("20–39", "3", "42,9 %"), ("40–59", "&lt; 3", "–"), ("60–79", "0", "0,0 %"), ("80", "0", "0,0 %")]
    # the chart draws no bar for a withheld count and prints its marker
    assert ">(s)</text>" in html and ">&lt; 3</text>" in html
    english = chart_rows(client.get(url(cast, "results/"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert ("Nursing", "12", "57.1 %") in english and ("Physician", "(s)", "–") in english


def test_number_bins_without_stated_bounds_have_round_edges_not_the_answers_own_values():
    item = Number.model_validate({"code": "minutes", "type": "number", "text": {"de": "Minuten", "en": "Minutes"}})
    # (250 - 3 + 1) / 5 = 49.6 -> bins of 50 from 0; the last bin ends at 299, not at the largest answer
    assert results._number_bins(item, Counter({3: 2, 49: 1, 120: 4, 250: 1})) == [
        ("0–49", 3), ("50–99", 0), ("100–149", 4), ("150–199", 0), ("200–249", 0), ("250–299", 1)]
    assert results._number_bins(item, Counter({7: 3})) == [("7", 3)]


# --- cross-tab ----------------------------------------------------------------------------------


def shown(table) -> list[list[str]]:
    return [[str(count) for count, _share in cells] + [str(total)] for _label, cells, total in table.lines]


def test_the_crosstab_counts_pairs_with_row_percents_and_suppresses_primary_and_secondary_cells(client, cast):
    client.force_login(cast.analyst)
    page = client.get(url(cast, "results/crosstab/"), HTTP_ACCEPT_LANGUAGE="de")  # the first two closed questions
    table = page.context["table"]

    assert (table.rows.code, table.columns.code) == ("role", "satisfaction")
    # satisfaction 1..5, don't know. physician 4 is 1 (small); physician 5 hides it from the row total,
    # nurse 4 and nurse 5 from the column totals (Hundepool et al. 2012: complementary suppression).
    assert shown(table) == [["0", "0", "4", "< 3", "(s)", "0", "8"],
                            ["0", "0", "5", "(s)", "(s)", "0", "12"],
                            ["0", "0", "0", "0", "0", "0", "0"]]
    assert [str(count) for count in table.column_totals] == ["0", "0", "9", "4", "7", "0"]
    assert str(table.total) == "20"
    assert [share for _count, share in table.cells[0]] == ["0,0 %", "0,0 %", "50,0 %", "", "", "0,0 %"]
    assert table.cells[1][2][1] == "41,7 %"
    html = page.content.decode()
    assert "<th scope=\"row\">Ärztin/Arzt</th>" in html and "<th scope=\"col\">5 – stimme voll zu</th>" in html
    assert "4<br><small>50,0 %</small>" in html


def test_a_small_row_total_of_a_crosstab_is_suppressed_too(client, cast):
    client.force_login(cast.analyst)
    page = client.get(url(cast, "results/crosstab/"), {"rows": "satisfaction", "columns": "role"}, HTTP_ACCEPT_LANGUAGE="de")
    table = page.context["table"]

    # rows 1..5, don't know; columns physician, nurse, other (nobody who answered both chose "other")
    assert shown(table)[2:5] == [["4", "5", "0", "9"], ["< 3", "(s)", "0", "4"], ["(s)", "(s)", "0", "7"]]
    assert [str(count) for count in table.column_totals] == ["8", "12", "0"]


def test_the_same_question_twice_is_a_form_error(client, cast):
    client.force_login(cast.analyst)
    page = client.get(url(cast, "results/crosstab/"), {"rows": "role", "columns": "role"}, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 400 and page.context["table"] is None


# --- the response list --------------------------------------------------------------------------


def listed(client, cast, **filters) -> list[int]:
    page = client.get(url(cast, "responses/"), filters, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200, page.content.decode()[:2000]
    return [response.pk for response in page.context["page"].listed]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, 22),
    ({"status": "in_progress"}, 5),
    ({"status": "completed"}, 16),
    ({"device": "phone"}, 8),
    ({"language": "en"}, 7),
    ({"answer": "role:nurse"}, 12),
    ({"answer": "satisfaction:5"}, 7),
    ({"answer": "role:nurse", "language": "en"}, 6),
    ({"answer": "role:nurse", "status": "in_progress"}, 5),
])
def test_the_response_list_filters_by_status_device_language_and_answer(client, cast, filters, expected):
    client.force_login(cast.analyst)
    assert len(listed(client, cast, **filters)) == expected


def test_the_response_list_filters_by_start_date(client, cast):
    client.force_login(cast.analyst)
    today, five_days_ago = timezone.localdate(), timezone.localdate() - timedelta(days=5)
    assert len(listed(client, cast, started_to=five_days_ago.isoformat())) == 8  # the physicians
    assert len(listed(client, cast, started_from=today.isoformat())) == 14  # nurses, the other, the withdrawn


def test_the_response_list_is_paginated_and_shows_no_personal_data(client, cast, monkeypatch):
    monkeypatch.setattr(results, "RESPONSES_PER_PAGE", 10)
    client.force_login(cast.analyst)
    first = client.get(url(cast, "responses/"), {"status": "completed"}, HTTP_ACCEPT_LANGUAGE="de")
    html = first.content.decode()
    third = client.get(url(cast, "responses/"), {"status": "completed", "page": 2}, HTTP_ACCEPT_LANGUAGE="de")

    assert len(first.context["page"].listed) == 10 and len(third.context["page"].listed) == 6
    assert "Seite 1 von 2" in html and "?status=completed&amp;page=2" in html
    assert ">Bewertung</td>" in html and ">Smartphone</td>" in html  # the page reached by title, the device in words
    for response in Response.objects.filter(wave=cast.wave):
        assert response.participant_key not in html
    assert "geheimer Wunsch" not in html and "Hebamme" not in html


def test_a_start_date_after_the_end_date_is_a_form_error(client, cast):
    client.force_login(cast.analyst)
    page = client.get(url(cast, "responses/"), {"started_from": "2026-05-02", "started_to": "2026-05-01"},
                      HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 400 and "Enddatum" in page.content.decode()


def test_a_researchers_test_response_is_neither_counted_nor_listed(client, cast):
    add_response(cast.wave, {"role": "nurse", "satisfaction": 3}, is_test=True)
    client.force_login(cast.analyst)

    assert ("Pflege", "12", "57,1 %") in chart_rows(client.get(url(cast, "results/"), HTTP_ACCEPT_LANGUAGE="de").content.decode())
    table = client.get(url(cast, "results/crosstab/"), HTTP_ACCEPT_LANGUAGE="de").context["table"]
    assert str(table.total) == "20"
    assert len(listed(client, cast)) == 22


# --- audit, access, language -----------------------------------------------------------------------


def test_each_view_writes_an_audit_entry(client, cast):
    client.force_login(cast.analyst)
    client.get(url(cast, "results/"))
    client.get(url(cast, "results/crosstab/"), {"rows": "satisfaction", "columns": "role"})
    client.get(url(cast, "responses/"), {"status": "in_progress"})
    client.get(url(cast, "responses/"), {"device": "phone", "answer": "role:nurse"})

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.RESULTS_VIEW).order_by("pk")
    assert [(entry.actor_name, entry.target, entry.detail) for entry in entries] == [
        ("analyst-user", "results of wave wave-1", ""),
        ("analyst-user", "cross-tab of wave wave-1", "questions satisfaction x role"),
        ("analyst-user", "response list of wave wave-1", "filtered by status=in_progress"),
        ("analyst-user", "response list of wave wave-1", "filtered by device=phone, answer=role:nurse"),
    ]
    client.force_login(cast.owner)
    audit_page = client.get(f"/studies/{cast.study.slug}/audit/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for words in ("Ergebnisse der Welle „Welle 1“", "Kreuztabelle der Welle „Welle 1“", "Antwortliste der Welle „Welle 1“",
                  "die Fragen „Ich bin zufrieden.“ × „Ihre Rolle?“", "gefiltert nach Status: in Bearbeitung",
                  "gefiltert nach Geräteklasse: Smartphone, Antwort: „Ihre Rolle?“ = Pflege"):
        assert words in audit_page
    assert "status=" not in audit_page and "role:nurse" not in audit_page


@pytest.mark.parametrize("page", ["results/", "results/crosstab/", "responses/"])
def test_viewers_and_other_researchers_do_not_see_results(client, cast, page):
    client.force_login(cast.viewer)
    assert client.get(url(cast, page)).status_code == 403
    client.force_login(cast.other_researcher)
    assert client.get(url(cast, page)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESULTS_VIEW).exists()


class _Text(HTMLParser):
    """The page's German text: without scripts, styles and anything marked as another language."""

    def __init__(self):
        super().__init__()
        self.skipping, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang")
        if self.skipping or tag in ("script", "style") or (lang and not lang.startswith("de") and tag != "html"):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


@pytest.mark.parametrize("page", ["results/", "results/crosstab/", "responses/?status=completed"])
def test_the_german_pages_have_no_english_word_and_no_code(client, cast, page):
    client.force_login(cast.analyst)
    parser = _Text()
    parser.feed(client.get(url(cast, page), HTTP_ACCEPT_LANGUAGE="de").content.decode())
    text = " ".join(parser.parts)

    assert not {word for word in re.findall(r"[A-Za-z]+", text) if word.lower() in ENGLISH}, text
    assert not CODE.findall(text), text
