from django.core.management.base import BaseCommand, CommandError

from coding.codebooks import CodebookError, read_codebook_file
from coding.endpoint import EndpointError
from coding.services import ModelCodingNotAllowed, code_answers, endpoint_from_settings, store_codebook
from surveys.models import Wave


class Command(BaseCommand):
    help = "Code every answer to a free-text item with the site's own model (docs/coding.md)."

    def add_arguments(self, parser):
        parser.add_argument("wave", help="wave slug")
        parser.add_argument("item", help="free-text item code")
        parser.add_argument("--codebook", required=True, help="codebook file (.yaml or REFI-QDA .qdc)")
        parser.add_argument("--endpoint", help="OpenAI-compatible base URL (default UPTAKE_CODING_ENDPOINT)")
        parser.add_argument("--model", help="model name (default UPTAKE_CODING_MODEL)")
        parser.add_argument("--recode", action="store_true", help="replace the model's earlier codes for the item")

    def handle(self, *args, **options):
        wave = Wave.objects.filter(slug=options["wave"]).first()
        if wave is None:
            raise CommandError(f"no wave {options['wave']!r}")
        try:
            codebook = read_codebook_file(options["codebook"])
        except CodebookError as exc:
            raise CommandError(str(exc)) from None
        if codebook.item != options["item"]:
            raise CommandError(f"{options['codebook']}: codebook is for item {codebook.item!r}, not {options['item']!r}")
        version = store_codebook(codebook, source_name=str(options["codebook"]))
        endpoint = endpoint_from_settings(options["endpoint"], options["model"])
        try:
            result = code_answers(wave, version, endpoint, recode=options["recode"])
        except (ModelCodingNotAllowed, EndpointError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{version}: {result.stored} coded, {result.already_coded} already coded, "
                          f"{result.refused} replies not matching the schema (not stored), {result.total} answers")
