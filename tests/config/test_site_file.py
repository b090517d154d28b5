"""Site facts come from one file that the server, the report worker and the command line all read."""

from tests.config.test_settings import manage

PRINT = ("shell", "--no-imports", "-c", "from django.conf import settings as s; "
         "print(s.UPTAKE_STAFF_COUNT, s.UPTAKE_INSTITUTION_NAME, s.UPTAKE_ONPREM_HARDWARE_EUR, s.UPTAKE_COLOURS)")


def test_the_site_file_sets_the_facts_reports_need(tmp_path):
    site = tmp_path / "site.yaml"
    site.write_text("institution_name: Klinikum Beispielstadt\nstaff_count: 322\nonprem_hardware_eur: 45000\n"
                    "colours: ['#112233', '#445566', '#778899']\n", encoding="utf-8")

    result = manage(*PRINT, UPTAKE_SITE_FILE=str(site))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["322", "Klinikum", "Beispielstadt", "45000", "['#112233',", "'#445566',", "'#778899']"]


def test_an_environment_variable_overrides_one_fact_of_the_file(tmp_path):
    site = tmp_path / "site.yaml"
    site.write_text("staff_count: 322\n", encoding="utf-8")

    result = manage(*PRINT, UPTAKE_SITE_FILE=str(site), UPTAKE_STAFF_COUNT="400")

    assert result.stdout.split()[0] == "400"


def test_a_misspelt_key_stops_start_up_and_names_file_and_key(tmp_path):
    site = tmp_path / "site.yaml"
    site.write_text("staf_count: 322\n", encoding="utf-8")

    result = manage("check", UPTAKE_SITE_FILE=str(site))

    assert result.returncode != 0
    assert f"UPTAKE_SITE_FILE {site}: unknown key 'staf_count'" in result.stderr
