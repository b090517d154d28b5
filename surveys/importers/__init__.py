"""Questionnaires from other survey tools: one module per source format, the same tiny interface.

`read(path, report, default_language) -> definition dict` (the structure of an Uptake YAML file),
filling a ConversionReport. Adding a format = adding a module and a line in `source_format`.
"""

import csv
from pathlib import Path

from django.utils.translation import gettext as _

from surveys.importers import limesurvey, redcap, xlsform
from surveys.importers.common import ConversionReport, SourceFormatError

READERS = {"limesurvey": limesurvey.read, "xlsform": xlsform.read, "redcap": redcap.read}
YAML_SUFFIXES = (".yaml", ".yml")


def source_format(path: str | Path) -> str:
    """yaml, limesurvey, xlsform or redcap, from the file's suffix (and for .csv its header row)."""
    suffix = Path(path).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix == ".lss":
        return "limesurvey"
    if suffix in (".xlsx", ".xls"):
        return "xlsform"
    if suffix == ".csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceFormatError(f"{path}: cannot read the file ({exc})") from None
        return "redcap" if redcap.is_dictionary(header) else "xlsform"
    raise SourceFormatError(_("%(file)s: unknown questionnaire file type %(suffix)r; expected .yaml, .lss (LimeSurvey), "
                              ".xlsx/.xls/.csv (XLSForm) or .csv (REDCap data dictionary)") % {"file": path, "suffix": suffix or "(none)"})


def read_questionnaire(path: str | Path, default_language: str = "en") -> tuple[dict, ConversionReport]:
    """(definition dict, ConversionReport) for a LimeSurvey, XLSForm or REDCap file."""
    kind = source_format(path)
    report = ConversionReport(source=str(path), source_format=kind)
    return READERS[kind](path, report, default_language), report
