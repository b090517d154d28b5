"""Codebooks as files: YAML in and out, REFI-QDA codebook exchange (.qdc) in and out.

A codebook belongs to one free-text item and lists its codes with German and English label,
definition, include/exclude rules and examples. It is versioned by content like instruments: the
same file imported twice is one version; a changed file is the next version, and every stored code
names the version it was made with.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from xml.etree import ElementTree

import yaml
from defusedxml import ElementTree as SafeElementTree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from surveys.instrument_checks import describe_validation_error
from surveys.instruments import Code, Text

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# REFI-QDA needs GUIDs; deriving them from item and code keeps a re-export identical.
GUID_NAMESPACE = uuid.UUID("2b1f5d2e-3c55-4f4a-9a61-7f0c2f61c0de")


class CodebookError(ValueError):
    """A codebook file that is not valid, with the file and the place in it."""


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    de: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class CodeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Code
    label: Text
    definition: Text
    include: Text | None = None
    exclude: Text | None = None
    examples: Examples = Field(default_factory=Examples)


class Codebook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    item: Code
    multiple: bool = False
    codes: list[CodeSpec] = Field(min_length=2)

    @field_validator("codes")
    @classmethod
    def _unique_codes(cls, codes):
        seen = set()
        for spec in codes:
            if spec.code in seen:
                raise ValueError(f"code {spec.code!r} is listed twice")
            seen.add(spec.code)
        return codes

    @property
    def code_names(self) -> list[str]:
        return [spec.code for spec in self.codes]

    def definition(self) -> dict:
        return self.model_dump(mode="json", exclude_defaults=True)

    def checksum(self) -> str:
        return hashlib.sha256(json.dumps(self.definition(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parse_codebook(data, source="codebook", text=None) -> Codebook:
    if not isinstance(data, dict):
        raise CodebookError(f"{source}: expected a mapping with item, multiple and codes, got {type(data).__name__}")
    try:
        return Codebook.model_validate(data)
    except ValidationError as exc:
        raise CodebookError(describe_validation_error(exc, data, source, text)) from None


def read_codebook_file(path) -> Codebook:
    """A codebook from a YAML file or a REFI-QDA .qdc file (by its suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc})") from None
    if path.suffix.lower() == ".qdc":
        return codebook_from_qdc(text, item=path.stem, source=str(path))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise CodebookError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_codebook(data, source=str(path), text=text)


def codebook_yaml(codebook: Codebook) -> str:
    return yaml.safe_dump(codebook.definition(), allow_unicode=True, sort_keys=False, width=110)


def _guid(item: str, code: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{item}/{code}")).upper()


def _description(spec: CodeSpec) -> str:
    """The definition and rules in both languages, as one REFI-QDA Description."""
    parts = []
    for language in ("en", "de"):
        lines = [f"[{language}] {spec.label.get(language)}: {spec.definition.get(language)}"]
        if spec.include:
            lines.append(f"include: {spec.include.get(language)}")
        if spec.exclude:
            lines.append(f"exclude: {spec.exclude.get(language)}")
        lines.extend(f"example: {example}" for example in getattr(spec.examples, language))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def codebook_qdc(codebook: Codebook) -> str:
    """The codebook as a REFI-QDA codebook (Codebook.xsd 1.0): one codable Code per code, named by its code."""
    ElementTree.register_namespace("", QDC_NAMESPACE)
    root = ElementTree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", {"origin": "Uptake"})
    codes = ElementTree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    for spec in codebook.codes:
        element = ElementTree.SubElement(codes, f"{{{QDC_NAMESPACE}}}Code",
                                         {"guid": _guid(codebook.item, spec.code), "name": spec.code, "isCodable": "true"})
        ElementTree.SubElement(element, f"{{{QDC_NAMESPACE}}}Description").text = _description(spec)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def codebook_from_qdc(text: str, item: str, source="codebook.qdc") -> Codebook:
    """A codebook from a REFI-QDA .qdc file: every codable Code (nested ones too) becomes a code.

    A description Uptake wrote comes back whole (labels, definitions, rules and examples in both
    languages); from other QDA programs, which keep one name and one description per code, both
    become the German and the English label and definition, to be translated in the YAML.
    Parsed with defusedxml: a codebook from elsewhere must not be able to expand entities.
    """
    try:
        root = SafeElementTree.fromstring(text)
    except Exception as exc:  # noqa: BLE001 - ParseError and defusedxml's refusals alike
        raise CodebookError(f"{source}: not a REFI-QDA codebook ({type(exc).__name__}: {exc})") from None
    if root.tag != f"{{{QDC_NAMESPACE}}}CodeBook":
        raise CodebookError(f"{source}: expected a CodeBook element in {QDC_NAMESPACE}, got {root.tag}")
    codes = []
    for element in root.iter(f"{{{QDC_NAMESPACE}}}Code"):
        if element.get("isCodable", "true") != "true":
            continue
        name = element.get("name", "").strip()
        description = (element.findtext(f"{{{QDC_NAMESPACE}}}Description") or name).strip()
        codes.append({"code": _code_from_name(name), **_from_description(description, name)})
    return parse_codebook({"item": item, "multiple": True, "codes": codes}, source=source)


def _from_description(description: str, name: str) -> dict:
    """Label, definition, rules and examples from a Description: Uptake's own layout (one block per
    language, as `_description` writes it) or any other text, which becomes the definition."""
    blocks = {}
    for block in description.split("\n\n"):
        first, _, rest = block.partition("\n")
        if first.startswith(("[de] ", "[en] ")) and ": " in first:
            label, definition = first[5:].split(": ", 1)
            blocks[first[1:3]] = {"label": label, "definition": definition, "lines": rest.splitlines()}
    if set(blocks) != {"de", "en"}:
        return {"label": {"de": name, "en": name}, "definition": {"de": description, "en": description}}
    spec = {"label": {lang: blocks[lang]["label"] for lang in blocks},
            "definition": {lang: blocks[lang]["definition"] for lang in blocks},
            "examples": {lang: [line[9:] for line in blocks[lang]["lines"] if line.startswith("example: ")] for lang in blocks}}
    for rule in ("include", "exclude"):
        texts = {lang: line[len(rule) + 2:] for lang in blocks for line in blocks[lang]["lines"] if line.startswith(f"{rule}: ")}
        if texts:
            spec[rule] = texts
    return spec


def _code_from_name(name: str) -> str:
    """A code made from a QDA program's code name: lower case, letters, digits and underscores."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower())
    return "_".join(part for part in cleaned.split("_") if part)[:40] or "code"
