"""A study's questionnaire as a LimeSurvey or REDCap researcher expects it: start from a template, upload any
file, edit it in the browser with errors at their line, download it as YAML, XLSForm and a printable PDF."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyxform.xls2json_backends import xlsx_to_dict

from studies.models import Study
from surveys.demo import DEMO_INSTRUMENT, add_synthetic_responses
from surveys.instrument_files import dump_yaml
from surveys.models import Instrument, InstrumentVersion
from tests.studies.builders import make_user, study_with_members
from tests.surveys.interop_builders import pyxform_markdown_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return study_with_members()


def new_study(client, slug, template=""):
    owner = make_user(f"{slug}-owner", can_create_studies=True)
    client.force_login(owner)
    client.post(reverse("studies:create"), {"title": slug.title(), "slug": slug, "template": template})
    return Study.objects.get(slug=slug)


def upload(client, slug, name, content):
    return client.post(reverse("studies:upload", args=[slug]), {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_the_demo_file_uploaded_into_a_second_study_becomes_that_studys_own_questionnaire(client, cast):
    study = new_study(client, "second")

    page = upload(client, "second", "survey.yaml", DEMO_INSTRUMENT.read_bytes()).content.decode()

    study.refresh_from_db()
    assert "Questionnaire version 1: created." in page
    assert study.instrument.code == "ai_platform_survey_2" and study.instrument != cast.study.instrument
    assert "the file&#x27;s code “ai_platform_survey” became “ai_platform_survey_2”" in page
    assert cast.study.instrument.versions.count() == 1  # the first study's questionnaire is untouched


def test_a_file_with_another_code_becomes_the_next_version_of_the_studys_questionnaire(client, cast):
    client.force_login(cast.owner)
    add_synthetic_responses(cast.wave, 1, seed=1)  # version 1 is frozen
    renamed = (DEMO_INSTRUMENT.read_text(encoding="utf-8").replace("code: ai_platform_survey", "code: staff_survey_2027", 1)
               .replace("Which of these best describes your main role?", "Which best describes your role?"))

    page = upload(client, cast.study.slug, "staff.yaml", renamed.encode()).content.decode()

    assert "Questionnaire version 2: created." in page and "became “ai_platform_survey”" in page
    assert cast.study.instrument.versions.count() == 2 and not Instrument.objects.filter(code="staff_survey_2027").exists()


@pytest.mark.parametrize("template, items", [("demo", None), ("sus", 10)])
def test_a_new_study_starts_from_the_demo_or_a_validated_instrument(client, template, items):
    study = new_study(client, f"from-{template}", template)

    version = study.instrument.latest_version()
    spec = version.spec
    if items is None:
        assert spec.title.de == "Befragung zur KI-Plattform" and len(spec.pages) > 5
    else:
        asked = [item for _page, item in spec.items()]
        assert {item.instrument for item in asked} == {"sus"} and sum(len(item.rows) for item in asked) == items
        assert "To be written" in spec.information.en  # a placeholder the researcher replaces before fielding
    page = client.get(reverse("studies:study", args=[study.slug]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert version.file_name == f"template: {template}" and "/tmp" not in page


def test_the_creation_form_offers_the_demo_and_every_library_instrument(client):
    client.force_login(make_user("creator", can_create_studies=True))
    page = client.get(reverse("studies:index")).content.decode()
    assert 'value="demo"' in page and 'value="sus"' in page and 'value="umux_lite"' in page


def test_an_unclosed_quote_shows_the_line_where_it_opens_and_where_yaml_gave_up(client, cast):
    """Finding 8: an error made on line 52 was shown as lines 87-93 (where the parser stopped)."""
    client.force_login(cast.owner)
    lines = DEMO_INSTRUMENT.read_text(encoding="utf-8").splitlines()
    broken_line = next(number for number, line in enumerate(lines, 1) if line.strip().startswith("de: Ich habe die Informationen"))
    lines[broken_line - 1] = lines[broken_line - 1].replace("de: ", 'de: "', 1)

    response = client.post(reverse("studies:upload", args=[cast.study.slug]),
                           {"file": SimpleUploadedFile("survey.yaml", "\n".join(lines).encode())})

    page = response.content.decode()
    assert response.status_code == 400 and f"starts on line {broken_line}" in page
    assert f'<span class="problem-line">{broken_line:4d}  ' in page  # the line with the open quote is shown, marked
    assert "upload it again" in page


def test_the_questionnaire_is_edited_in_the_browser_checked_with_a_preview_in_both_languages_and_saved(client, cast):
    client.force_login(cast.owner)
    add_synthetic_responses(cast.wave, 1, seed=1)
    url = reverse("studies:edit", args=[cast.study.slug])
    text = client.get(url).context["text"]
    assert text == dump_yaml(cast.study.instrument.latest_version().definition)
    edited = text.replace("Which of these best describes your main role?", "Which best describes your role?", 1)

    preview = client.post(url, {"text": edited, "check": ""}).content.decode()

    assert "Which best describes your role?" in preview and "Welche Tätigkeit beschreibt Ihre Hauptaufgabe am besten?" in preview
    assert "Wie häufig nutzen Sie die KI-Plattform?" in preview  # validated instruments are written out in the preview
    assert InstrumentVersion.objects.filter(instrument=cast.study.instrument).count() == 1  # checking stores nothing
    page = client.post(url, {"text": edited, "save": ""}, follow=True).content.decode()
    assert "Questionnaire version 2: created." in page
    latest = cast.study.instrument.latest_version()
    assert latest.number == 2 and latest.spec.item("role").text.en == "Which best describes your role?"


def test_an_edit_with_a_mistake_names_its_line_and_stores_nothing(client, cast):
    client.force_login(cast.owner)
    url = reverse("studies:edit", args=[cast.study.slug])
    lines = client.get(url).context["text"].splitlines()
    wrong = next(number for number, line in enumerate(lines, 1) if "points: 5" in line)
    lines[wrong - 1] = lines[wrong - 1].replace("points: 5", "points: 6")

    response = client.post(url, {"text": "\n".join(lines), "save": ""})

    assert response.status_code == 400
    assert f'<span class="problem-line">{wrong:4d}  ' in response.content.decode()
    assert cast.study.instrument.versions.count() == 1


def test_a_version_downloads_as_yaml_xlsform_and_a_printable_pdf(client, cast, tmp_path):
    client.force_login(cast.viewer)
    download = lambda kind, **query: client.get(reverse("studies:questionnaire_download", args=[cast.study.slug, 1, kind]), query)

    yaml_file = download("yaml")
    assert yaml_file["Content-Disposition"] == 'attachment; filename="ai_platform_survey-v1.yaml"'
    assert yaml_file.content.decode() == dump_yaml(cast.study.instrument.latest_version().definition)

    workbook = tmp_path / "form.xlsx"
    workbook.write_bytes(download("xlsform").content)
    survey = xlsx_to_dict(str(workbook))["survey"]  # pyxform, the reference reader, reads it
    assert any(row.get("name") == "frequency" for row in survey)

    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(download("pdf", lang="de").content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Befragung zur KI-Plattform" in text and "Welche Tätigkeit beschreibt Ihre Hauptaufgabe am besten?" in text
    assert "Wie häufig nutzen Sie die KI-Plattform?" in text and "How often" not in text


VISITS_FORM = """
| survey |
|        | type         | name     | label::English (en) | label::Deutsch (de) | relevant              |
|        | begin_repeat | visits   | Visits              | Besuche             |                       |
|        | date         | day      | Day                 | Tag                 |                       |
|        | end_repeat   |          |                     |                     |                       |
|        | calculate    | twice    |                     |                     |                       |
|        | geopoint     | place    | Where?              | Wo?                 |                       |
|        | integer      | nights   | Nights              | Nächte              | once(${day}) != ''    |
"""


def test_an_upload_reports_what_came_across_in_german_on_a_german_page(client, cast, tmp_path):
    """Issue 23, finding 5: the conversion report's lines were English on a German page."""
    client.force_login(cast.owner)
    form = pyxform_markdown_form(tmp_path / "besuche.xlsx", VISITS_FORM)

    page = client.post(reverse("studies:upload", args=[cast.study.slug]), {"file": SimpleUploadedFile("besuche.xlsx", form.read_bytes())},
                       follow=True, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    for german in ("Fragebogenversion 1: ersetzt (noch niemand hatte ihn beantwortet).",
                   "survey-Zeile 2 (visits): Die Wiederholung visits wird einmal gefragt",
                   "survey-Zeile 3 (day): Aus „date“ wurde eine Textfrage (Uptake hat keinen Datums- oder Zeittyp)",
                   "survey-Zeile 6 (place): „geopoint“ ist ein Ort, was Uptake nicht erfragen kann",
                   "Information für Teilnehmende: fehlt in der Datei, ein Platzhalter steht an seiner Stelle",
                   "vergleicht keine Antwort mit einem Wert"):
        assert german in page, german
    for english in ("replaced", "survey row", "is asked once", "became a text item", "which Uptake cannot ask", "not in the file",
                    "does not compare an answer",
                    "”"):
        assert english not in page, english


def test_a_broken_file_is_explained_in_german_on_a_german_page_with_its_lines_marked(client, cast):
    client.force_login(cast.owner)
    lines = DEMO_INSTRUMENT.read_text(encoding="utf-8").splitlines()
    quoted = next(number for number, line in enumerate(lines, 1) if line.strip().startswith("de: Ich habe die Informationen"))
    scale = next(number for number, line in enumerate(lines, 1) if "points: 5" in line)
    unclosed = lines.copy()
    unclosed[quoted - 1] = unclosed[quoted - 1].replace("de: ", 'de: "', 1)
    six_points = lines.copy()
    six_points[scale - 1] = six_points[scale - 1].replace("points: 5", "points: 6")
    upload = lambda text: client.post(reverse("studies:upload", args=[cast.study.slug]), HTTP_ACCEPT_LANGUAGE="de",
                                      data={"file": SimpleUploadedFile("fragebogen.yaml", "\n".join(text).encode())}).content.decode()

    page = upload(unclosed)
    assert "kein gültiges YAML" in page and f"der Abschnitt beginnt in Zeile {quoted}: " in page
    assert f'<span class="problem-line">{quoted:4d}  ' in page and "not valid" not in page and "starts on line" not in page

    page = upload(six_points)
    assert f"fragebogen.yaml Zeile {scale} (pages[0].items[2].points): erlaubt ist: 5 oder 7" in page
    assert f'<span class="problem-line">{scale:4d}  ' in page and "Input should" not in page


def test_the_yaml_made_from_an_uploaded_xlsform_is_offered_for_download_and_imports_back_unchanged(client, cast, tmp_path):
    """Finding 8: the YAML an upload generated could not be downloaded."""
    client.force_login(cast.owner)
    form = pyxform_markdown_form(tmp_path / "besuche.xlsx", VISITS_FORM)
    page = upload(client, cast.study.slug, "besuche.xlsx", form.read_bytes()).content.decode()
    version = cast.study.instrument.latest_version()
    link = reverse("studies:questionnaire_download", args=[cast.study.slug, version.number, "yaml"])
    assert version.file_name == "besuche.xlsx" and f'href="{link}"' in page

    generated = client.get(link).content

    assert [item.code for _page, item in version.spec.items()] == ["day", "nights"]
    again = upload(client, cast.study.slug, "besuche.yaml", generated).content.decode()
    assert f"Questionnaire version {version.number}: unchanged." in again


def test_a_form_row_without_a_name_gets_one_german_line_naming_the_row(client, cast, tmp_path):
    """Finding 3: a row without `name` ended in a traceback; now one line, in the page's language, and nothing stored."""
    client.force_login(cast.owner)
    form = pyxform_markdown_form(tmp_path / "ohne-name.xlsx", """
| survey |
|        | type    | name  | label |
|        | integer | age   | Age   |
|        | text    |       | Name  |
""")

    response = client.post(reverse("studies:upload", args=[cast.study.slug]), HTTP_ACCEPT_LANGUAGE="de",
                           data={"file": SimpleUploadedFile("ohne-name.xlsx", form.read_bytes())})

    page = response.content.decode()
    assert response.status_code == 400
    assert "ohne-name.xlsx survey-Zeile 3 (Typ text): kein `name`; jede Frage und Gruppe braucht" in page
    assert "problem-line" not in page  # a sheet row of a workbook: no excerpt of the binary file
    assert cast.study.instrument.versions.count() == 1


def test_the_creation_form_names_the_library_instruments_in_the_page_language(client):
    """Library names were English on German pages, and the core module (not a validated scale) was offered
    as a 'validated instrument'."""
    client.force_login(make_user("creator", can_create_studies=True))
    german = client.get(reverse("studies:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(reverse("studies:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Aus der Instrumentenbibliothek: Uptake-Kernmodul für institutionelle KI-Plattformen" in german
    assert "Leistungserwartung (UTAUT, adaptiert)" in german and "Performance expectancy" not in german
    assert "From the instrument library: Performance expectancy (UTAUT, adapted)" in english
    assert "Validated" not in english and "Validiert" not in german
