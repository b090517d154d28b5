"""Instrument files: YAML in and out, standard instruments from the library, resolved definitions.

The stored `definition` keeps `include:` references as written, so an export is the same file a
researcher imported; `resolve` writes the library's items out, and versions keep that resolved
form so a later edit of a library file cannot change what respondents of a frozen version saw.
"""

import hashlib
import json
from functools import lru_cache
from collections.abc import Callable
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from pydantic import ValidationError

from surveys.file_limits import check_file_size, load_yaml
from surveys.instrument_checks import check_consistency, describe_validation_error, format_path, line_of
from surveys.instruments import Include, Instrument, InstrumentError, LibraryInstrument

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def parse_instrument_yaml(text, source="instrument"):
    """Validate YAML text and return (Instrument, definition dict as stored)."""
    try:
        data = load_yaml(text, source)
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        where = " " + _("line %(line)s") % {"line": mark.line + 1} if mark else ""
        started = _("; %(context)s that starts on line %(line)s") % {"context": exc.context, "line": context.line + 1} \
            if context and exc.context else ""
        raise InstrumentError(_("%(source)s: not valid YAML (%(problem)s%(started)s)") % {
            "source": f"{source}{where}", "problem": getattr(exc, "problem", exc), "started": started}) from exc
    if not isinstance(data, dict):
        raise InstrumentError(_("%(source)s: expected a mapping with code, title, pages ..., got %(found)s")
                              % {"source": source, "found": type(data).__name__})
    instrument = validate_definition(data, source=source, text=text)
    return instrument, instrument.model_dump(mode="json", exclude_unset=True, by_alias=True)


def validate_definition(data, source="instrument", text=None):
    """Validate a definition (as loaded from YAML or JSON) including its includes."""
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(describe_validation_error(exc, data, source, text)) from None
    expanded = expand(instrument, source=source)
    problem = check_consistency(expanded)
    if problem:
        path, message = problem
        raise InstrumentError(f"{source}{line_of(text, path)} ({format_path(path)}): {message}")
    return instrument


def resolve(definition):
    """The definition with standard instruments written out, as respondents will see it.

    Versions store this, so a later edit of a library file cannot change what a frozen version
    showed; importing the same file after such an edit yields a new version.
    """
    expanded = expand(Instrument.model_validate(definition))
    return expanded.model_dump(mode="json", exclude_unset=True, by_alias=True)


def load_definition(resolved):
    """The Instrument for a stored resolved definition (cached by content)."""
    return _load_cached(json.dumps(resolved, sort_keys=True))


_SPECS_BY_CHECKSUM: dict[str, Instrument] = {}


def spec_for_checksum(checksum: str, read_resolved: Callable[[], dict]) -> Instrument:
    """The Instrument of a stored version, validated once per process.

    A version's checksum is the SHA-256 of its resolved definition, so it names the content: the
    resolved JSON (tens of kB) is read and validated only the first time a process meets that
    checksum. Instruments are frozen pydantic models, safe to share between requests and threads.
    """
    spec = _SPECS_BY_CHECKSUM.get(checksum)
    if spec is None:
        spec = _SPECS_BY_CHECKSUM[checksum] = load_definition(read_resolved())
    return spec


@lru_cache(maxsize=64)
def _load_cached(resolved_json):
    return Instrument.model_validate(json.loads(resolved_json))


def definition_checksum(definition):
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


KEY_ORDER = ("code", "type", "include", "title", "text", "label", "help", "required", "show_if")


def dump_yaml(definition):
    """YAML for a stored definition, with code/type/text first so a person can read and diff it."""
    return yaml.safe_dump(_ordered(definition), sort_keys=False, allow_unicode=True, width=100)


def _ordered(node):
    if isinstance(node, list):
        return [_ordered(value) for value in node]
    if not isinstance(node, dict):
        return node
    rank = lambda key: KEY_ORDER.index(key) if key in KEY_ORDER else len(KEY_ORDER)
    return {key: _ordered(node[key]) for key in sorted(node, key=rank)}


# --- the standard-instrument library ------------------------------------------------------------


@lru_cache(maxsize=None)
def library_instrument(code):
    path = LIBRARY_DIR / f"{code}.yaml"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return LibraryInstrument.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise InstrumentError(describe_validation_error(exc, yaml.safe_load(text), str(path), text)) from None


def library_codes():
    return sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml"))


def expand(instrument, source="instrument"):
    """Replace `include:` items by the library's items, tagged with their instrument code."""
    label_sets = dict(instrument.label_sets)
    pages = []
    for page_index, page in enumerate(instrument.pages):
        items = []
        for item_index, item in enumerate(page.items):
            if not isinstance(item, Include):
                items.append(item)
                continue
            library = library_instrument(item.include)
            if library is None:
                raise InstrumentError(
                    f"{source} (pages[{page_index}].items[{item_index}].include): unknown standard instrument "
                    f"{item.include!r}; expected one of {', '.join(library_codes())}"
                )
            label_sets.update(library.label_sets)
            known = [included.code for included in library.items]
            unknown = [code for code in item.items or () if code not in known]
            if unknown:
                raise InstrumentError(
                    f"{source} (pages[{page_index}].items[{item_index}].items): {item.include} has no item "
                    f"{unknown[0]!r}; expected one of {', '.join(known)}"
                )
            for included in library.items:
                if item.items is not None and included.code not in item.items:
                    continue
                update = {"instrument": library.code}
                if item.required is not None:
                    update["required"] = item.required
                items.append(included.model_copy(update=update))
        pages.append(page.model_copy(update={"items": items}))
    return instrument.model_copy(update={"pages": pages, "label_sets": label_sets})


# --- the consortium core: identical items only ----------------------------------------------------

CORE_MODULE = "platform_core"


def item_fingerprint(item, label_sets=None):
    """SHA-256 of what a respondent sees of one item (wording, options, scale labels).

    Pooling across sites compares fingerprints, so an item is pooled only with items that read
    the same; the library tag and whether it is required do not change what is asked.
    """
    content = item.model_dump(mode="json", exclude={"instrument", "required"}, exclude_defaults=True)
    if isinstance(content.get("labels"), str):
        content["labels"] = [label.model_dump(mode="json") for label in (label_sets or {})[content["labels"]]]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def core_version():
    """The core module's version: code plus a SHA-256 over its items' and companions' fingerprints."""
    core = library_instrument(CORE_MODULE)
    modules = [core, *(library_instrument(code) for code in core.companions)]
    fingerprints = [[m.code, item.code, item_fingerprint(item, m.label_sets)] for m in modules for item in m.items]
    digest = hashlib.sha256(json.dumps(fingerprints).encode()).hexdigest()
    return {"code": CORE_MODULE, "sha256": digest, "instruments": [m.code for m in modules]}


def read_instrument_file(path):
    path = Path(path)
    check_file_size(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(f"{path}: cannot read the file ({exc})") from exc
    return parse_instrument_yaml(text, source=str(path))
