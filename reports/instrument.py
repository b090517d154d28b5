"""The instrument as respondents saw it, in one language, as plain data for the report appendix.

Wording comes from the stored resolved definition (InstrumentVersion.resolved): never copied here.
"""

from surveys.instruments import ChoiceItem, Likert, LikertMatrix, Number, Scale010


def instrument_as_seen(version, language):
    instrument = version.spec

    def text(value):
        return value.get(language) if value is not None else ""

    return {
        "title": text(instrument.title),
        "information": text(instrument.information),
        "consent": text(instrument.consent.agree),
        "linkage_consent": text(instrument.consent.linkage),
        "pages": [
            {"code": page.code, "title": text(page.title) or page.code, "intro": text(page.intro),
             "conditional": page.show_if is not None,
             "items": [_item(instrument, item, text) for item in page.items]}
            for page in instrument.pages
        ],
    }


def _item(instrument, item, text):
    seen = {"code": item.code, "type": item.type, "text": text(item.text), "help": text(item.help),
            "required": item.required, "conditional": item.show_if is not None, "options": [], "rows": [],
            "randomized": bool(getattr(item, "randomize", False)),
            "scale": [], "instrument": item.instrument or ""}
    if isinstance(item, ChoiceItem):
        seen["options"] = [text(option.label) for option in item.options] + ([text(item.other)] if item.other else [])
        seen["option_codes"] = {str(item.coded_value(option.code)): option.code for option in item.options}
    if isinstance(item, (Likert, LikertMatrix)):
        seen["scale"] = [text(label) for label in instrument.likert_labels(item)]
        if item.not_applicable:
            seen["scale"].append(text(item.not_applicable))
    if isinstance(item, LikertMatrix):
        seen["rows"] = [text(row.text) for row in item.rows]
    if isinstance(item, Scale010):
        seen["scale"] = [f"0 = {text(item.low)}" if item.low else "0", f"10 = {text(item.high)}" if item.high else "10"]
    if isinstance(item, Number) and item.unit:
        seen["scale"] = [text(item.unit)]
    return seen
