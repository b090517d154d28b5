from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.instrument_files import dump_yaml
from surveys.models import InstrumentVersion
from surveys.xlsform_export import write_xlsform

FORMATS = ("yaml", "xlsform")


class Command(BaseCommand):
    help = ("Write an instrument version (the latest unless --number is given) as YAML, to stdout or --out, "
            "or with --format xlsform as an XLSForm workbook (.xlsx, --out required).")

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--number", type=int, help="version number (default: the latest)")
        parser.add_argument("--format", choices=FORMATS, default="yaml")
        parser.add_argument("--out")

    def handle(self, code, number=None, out=None, format="yaml", **options):
        versions = InstrumentVersion.objects.filter(instrument__code=code).order_by("-number")
        if number is not None:
            versions = versions.filter(number=number)
        found = versions.first()
        if found is None:
            known = ", ".join(
                f"{v.instrument.code} v{v.number}" for v in InstrumentVersion.objects.select_related("instrument")
            )
            raise CommandError(f"no instrument {code!r}{f' version {number}' if number else ''}; known: {known or 'none'}")
        if format == "xlsform":
            if not out:
                raise CommandError("--format xlsform writes a workbook: give the file with --out FILE.xlsx")
            write_xlsform(found.spec, out)
            self.stdout.write(f"wrote {out}")
            return
        text = dump_yaml(found.definition)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {out}")
        else:
            self.stdout.write(text, ending="")
