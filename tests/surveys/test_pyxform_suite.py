"""Every public XLSForm of pyxform's own test suite (tests/example_xls) that Uptake's types can express
imports with all its questions.

pyxform's repository is not part of its wheel, so this test reads a clone of it: PYXFORM_REPO names a
work tree or a bare git directory (`git clone --bare https://github.com/XLSForm/pyxform`); without one
it skips. pyxform itself (a dev dependency) says what each form holds: a form pyxform refuses is not a
form, and a question counts when its type is one Uptake asks (text, numbers, dates as text, selects
from the choices sheet). Offline, tests/surveys/test_import_xlsform.py builds forms with pyxform's
markdown reader, the format of pyxform's own tests.
"""

import os
import subprocess
from pathlib import Path

import pytest
from pyxform.xls2json import parse_file_to_json

from surveys.importers import read_questionnaire
from surveys.importers.common import uptake_code
from surveys.instrument_files import validate_definition

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = [os.environ.get("PYXFORM_REPO", ""), REPO.parent / "pyxform", REPO.parent / ".mirror" / "XLSForm+pyxform" / "repo"]
FORMS = "tests/example_xls"
ASKED = {"text", "integer", "decimal", "range", "select one", "select all that apply", "date", "time", "dateTime"}
GENERATED = "reserved_name_for_field_list_labels"  # label rows pyxform adds for table-list appearances


def pyxform_forms(target: Path) -> list[Path]:
    """The suite's forms, copied out of the clone (a work tree or a bare git directory) into `target`."""
    for candidate in filter(None, map(str, CANDIDATES)):
        tree = Path(candidate)
        if (tree / FORMS).is_dir():
            return sorted(path for path in (tree / FORMS).iterdir() if path.suffix in (".xls", ".xlsx", ".csv"))
        if (tree / "HEAD").is_file():
            listing = subprocess.run(["git", "--git-dir", str(tree), "ls-tree", "--name-only", "HEAD", f"{FORMS}/"],
                                     capture_output=True, text=True, check=True).stdout.split()
            paths = []
            for name in listing:
                if Path(name).suffix in (".xls", ".xlsx", ".csv"):
                    content = subprocess.run(["git", "--git-dir", str(tree), "show", f"HEAD:{name}"],
                                             capture_output=True, check=True).stdout
                    (target / Path(name).name).write_bytes(content)
                    paths.append(target / Path(name).name)
            return paths
    pytest.skip("no clone of github.com/XLSForm/pyxform: set PYXFORM_REPO to a work tree or bare git directory")


def asked_questions(node: dict) -> list[dict]:
    """The questions of pyxform's JSON for a form whose types Uptake asks, inside groups and repeats too."""
    found = []
    for child in node.get("children", []):
        if child.get("type") in ("group", "repeat", "loop"):
            found += asked_questions(child)
        elif child.get("type") in ASKED and not str(child.get("itemset", "")).endswith((".csv", ".xml", ".geojson")):
            found.append(child)
    return found


def test_every_form_of_pyxforms_test_suite_imports_with_its_questions(tmp_path):
    checked, problems = [], {}
    for path in pyxform_forms(tmp_path):
        try:
            form = parse_file_to_json(str(path))
        except Exception:  # noqa: BLE001 - whatever pyxform refuses is not a form (fruits.csv, unknown_question_type.xls)
            continue
        expected = [question["name"] for question in asked_questions(form) if not question["name"].startswith(GENERATED)]
        if not expected:
            continue  # only calculations, locations, includes: nothing Uptake asks
        try:
            data, _report = read_questionnaire(path)
            spec = validate_definition(data, source=path.name)
        except Exception as exc:  # noqa: BLE001 - every failure is collected with its form
            problems[path.name] = str(exc)
            continue
        codes = {item.code for _page, item in spec.items()}
        with_other = {item.code for _page, item in spec.items() if getattr(item, "other", None)}
        missing = [name for name in expected if uptake_code(name) not in codes
                   and not (name.endswith("_other") and uptake_code(name[:-len("_other")]) in with_other)]
        if missing:
            problems[path.name] = f"questions missing: {missing}"
        checked.append(path.name)

    assert problems == {}
    assert len(checked) >= 40  # 46 forms of pyxform 4.5.0's suite hold questions Uptake asks
