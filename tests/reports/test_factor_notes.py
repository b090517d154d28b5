"""The loadings table's note names the rotation in the report's language: a one-factor solution has none."""

from django.utils import translation

from reports import tables
from reports.bundle import Bundle

LOADINGS = [{"item": "sus_1", "F1": 0.71, "communality": 0.50}, {"item": "sus_2", "F1": 0.64, "communality": 0.41}]


def note(tmp_path, language, rotation):
    adequacy = [{"kmo": 0.81, "bartlett_df": 1, "bartlett_chi2": 210.4, "bartlett_p": 0.0001, "rotation": rotation}]
    results = {"factors/sus_items": {"table": adequacy}, "factors/sus_items/loadings": {"table": LOADINGS}}
    with translation.override(language):
        found = Bundle(tmp_path, {"disclosure_threshold": 5, "labels": {}}, results, {"language": language})
        return tables.loadings(found, "factors/sus_items/loadings").notes[0]


def test_a_one_factor_solution_says_it_has_no_rotation_in_german(tmp_path):
    assert note(tmp_path, "de", "none (one factor)").endswith("Rotation: keine (ein Faktor).")
    assert note(tmp_path, "en", "none (one factor)").endswith("rotation: none (one factor).")


def test_a_rotation_keeps_its_name(tmp_path):
    assert note(tmp_path, "de", "oblimin").endswith("Rotation: oblimin.")
