from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.instrument_files import dump_yaml
from surveys.instruments import InstrumentError
from surveys.services import import_instrument_file


class Command(BaseCommand):
    help = ("Import a questionnaire: Uptake YAML, LimeSurvey .lss, XLSForm (.xlsx/.xls/.csv) or a REDCap data "
            "dictionary (.csv). Prints what came across; other formats are also written as Uptake YAML for review. "
            "A changed file becomes a new version once the old one has responses.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yaml-out", help="where to write the imported questionnaire as Uptake YAML "
                                               "(default: <instrument code>.yaml in the current directory)")
        parser.add_argument("--code", help="instrument code for a LimeSurvey, XLSForm or REDCap file "
                                           "(default: derived from its title, form id or form name)")
        parser.add_argument("--language", default="en",
                            help="language of the texts in files that name none (REDCap, XLSForm); default en")

    def handle(self, file, yaml_out=None, language="en", code=None, **options):
        if yaml_out and not Path(yaml_out).parent.is_dir():
            raise CommandError(f"--yaml-out {yaml_out}: the directory does not exist")
        try:
            result, report = import_instrument_file(file, default_language=language, code=code)
        except InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        version = result.version
        if report.source_format != "yaml":
            self.stdout.write("\n".join(report.lines()))
            out = Path(yaml_out or f"{version.instrument.code}.yaml")
            out.write_text(dump_yaml(version.definition), encoding="utf-8")
            self.stdout.write(f"wrote {out} (review and diff it; import it again after editing)")
        self.stdout.write(f"{version.instrument.code} version {version.number}: {result.outcome}")
