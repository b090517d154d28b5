import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys import services
from surveys.instrument_files import parse_instrument_yaml
from surveys.instruments import InstrumentError
from surveys.models import InstrumentVersion
from tests.surveys.builders import SMALL_INSTRUMENT, invite, make_instrument_version, make_wave, start


@pytest.mark.django_db
def test_instrument_yaml_round_trips_through_export_and_import(tmp_path, capsys):
    version = make_instrument_version(tmp_path)
    exported = tmp_path / "exported.yaml"
    call_command("export_instrument", "small", out=str(exported))

    result = services.import_instrument(exported)

    assert result.outcome == "unchanged" and result.version == version
    assert parse_instrument_yaml(exported.read_text())[1] == version.definition


@pytest.mark.django_db
def test_editing_an_answered_version_creates_a_new_version(client, tmp_path):
    version = make_instrument_version(tmp_path)
    wave = make_wave(tmp_path, version=version)
    start(client, wave, invite(wave))
    edited = tmp_path / "edited.yaml"
    edited.write_text(SMALL_INSTRUMENT.replace("Ihre Rolle?", "Ihre berufliche Rolle?"))

    result = services.import_instrument(edited)

    assert result.outcome == "created" and result.version.number == 2
    assert InstrumentVersion.objects.get(number=1).definition == version.definition
    assert wave.responses.get().instrument_version.number == 1


@pytest.mark.django_db
def test_editing_an_unanswered_version_replaces_it(tmp_path):
    make_instrument_version(tmp_path)
    edited = tmp_path / "edited.yaml"
    edited.write_text(SMALL_INSTRUMENT.replace("Ihre Rolle?", "Ihre berufliche Rolle?"))

    result = services.import_instrument(edited)

    assert result.outcome == "replaced" and InstrumentVersion.objects.count() == 1


@pytest.mark.parametrize(
    "change, expected",
    [
        (("type: likert\n", "type: likret\n"), "line 50 (pages[3].items[0]): unknown item type"),
        (("points: 5", "points: 6"), "line 52 (pages[3].items[0].points): Input should be 5 or 7"),
        (("- code: hours", "- code: role"), "line 57 (pages[3].items[1].code): code 'role' is already used at pages[0].items[0]"),
        (("includes: patient", "includes: patients"), "line 41 (pages[2].show_if): 'patients' is not an option of 'data_kinds'"),
        (("        text: {de: Stunden pro Woche, en: Hours per week}\n", "        text: {de: Stunden pro Woche}\n"),
         "line 61 (pages[3].items[1].text.en): required field is missing"),
        (("min: 0\n        max: 80", "min: 90\n        max: 80"), "line 59 (pages[3].items[1].min): min 90.0 is greater than max 80.0"),
        (("title: {de: Daten, en: Data}", "title: {de: Daten, en: Data"), "line 30: not valid YAML (expected ',' or '}', but got ':'; while parsing a flow mapping that starts on line 29)"),
    ],
)
def test_an_invalid_definition_names_the_line_path_and_problem(change, expected):
    old, new = change
    assert old in SMALL_INSTRUMENT

    with pytest.raises(InstrumentError) as error:
        parse_instrument_yaml(SMALL_INSTRUMENT.replace(old, new, 1), source="small.yaml")

    assert f"small.yaml {expected}" in str(error.value)


def test_a_condition_on_a_later_page_is_rejected():
    text = SMALL_INSTRUMENT.replace(
        "  - code: data\n    title: {de: Daten, en: Data}\n",
        "  - code: data\n    title: {de: Daten, en: Data}\n    show_if: {item: satisfaction, gte: 3}\n",
    )
    with pytest.raises(InstrumentError, match=r"pages\[1\]\.show_if\.item\): 'satisfaction' is not an item on an earlier page"):
        parse_instrument_yaml(text, source="small.yaml")


def test_an_unknown_standard_instrument_lists_the_known_ones():
    text = SMALL_INSTRUMENT.replace("      - code: wishes\n", "      - include: suss\n      - code: wishes\n")
    with pytest.raises(InstrumentError, match=r"unknown standard instrument 'suss'; expected one of .*sus"):
        parse_instrument_yaml(text, source="small.yaml")


@pytest.mark.django_db
def test_import_command_reports_the_problem_and_stores_nothing(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL_INSTRUMENT.replace("points: 5", "points: 4"))

    with pytest.raises(CommandError, match=r"broken.yaml line 52 \(pages\[3\].items\[0\].points\)"):
        call_command("import_instrument", str(broken))
    assert not InstrumentVersion.objects.exists()


@pytest.mark.django_db
def test_editing_a_library_instrument_does_not_change_a_frozen_version(client, tmp_path, monkeypatch):
    from surveys import instrument_files as instruments

    library = tmp_path / "library"
    library.mkdir()
    nps = (instruments.LIBRARY_DIR / "nps.yaml").read_text()
    (library / "nps.yaml").write_text(nps)
    monkeypatch.setattr(instruments, "LIBRARY_DIR", library)
    instruments.library_instrument.cache_clear()
    with_nps = SMALL_INSTRUMENT.replace("      - code: wishes\n", "      - include: nps\n      - code: wishes\n")
    version = make_instrument_version(tmp_path, text=with_nps)
    wave = make_wave(tmp_path, version=version)
    start(client, wave, invite(wave))
    original_wording = version.spec.item("nps").text.en

    (library / "nps.yaml").write_text(nps.replace(original_wording, "How likely are you to recommend it?"))
    instruments.library_instrument.cache_clear()
    result = services.import_instrument(tmp_path / "small.yaml")
    instruments.library_instrument.cache_clear()

    assert InstrumentVersion.objects.get(number=1).spec.item("nps").text.en == original_wording
    assert result.outcome == "created"
    assert result.version.spec.item("nps").text.en == "How likely are you to recommend it?"


def test_randomized_options_keep_one_order_per_respondent_and_differ_between_respondents():
    from surveys.instruments import option_order

    text = SMALL_INSTRUMENT.replace("        type: multiple_choice\n", "        type: multiple_choice\n        randomize: true\n")
    spec, _ = parse_instrument_yaml(text)
    item = spec.item("data_kinds")
    orders = {seed: [option.code for option in option_order(item, seed)] for seed in range(20)}

    assert orders[7] == [option.code for option in option_order(item, 7)]
    assert len({tuple(order) for order in orders.values()}) == 2  # public/patient swap; "none" stays put
    assert all(order[-1] == "none" for order in orders.values())
