"""The words in figures, in the run's language: axis texts, footnotes and labels from the codebook.

Only figures use this; results.json keeps its keys and codes whatever the language. Labels come
from the codebook (label_de / label_en), never from this module: a matrix row or a multiple-choice
option is shown by the text in its brackets ("… [Speed of the answers]"), wrapped so long wording
does not push the plot aside.
"""

from __future__ import annotations

import textwrap

WRAP = 40  # characters per line of a tick label or title

TEXT = {
    "en": {
        "percent_valid": "% of valid answers",
        "percent_diverging": "% of valid answers (disagreement left, agreement right of 0)",
        "percent_answered": "% of respondents who answered the item",
        "percent_group": "% of respondents in the group who answered the item",
        "footnote": "Cells with fewer than {t} responses are suppressed (not drawn, marked “<{t}”).",
        "footnote_bins": "Bins with fewer than {t} responses are suppressed (not drawn, marked “<{t}”).",
        "sus_axis": "SUS score (grades: Sauro & Lewis curved grading scale)",
        "sus_title": "System Usability Scale: distribution of scores",
        "responses": "responses",
        "mean": "mean {m}",
        "tertile": ["low", "middle", "high"],
        "usage_groups": "{label}: thirds of the respondents",
        "suppressed_group": "fewer than {t}: not shown",
        "n": "n = {n}",
    },
    "de": {
        "percent_valid": "% der gültigen Antworten",
        "percent_diverging": "% der gültigen Antworten (Ablehnung links, Zustimmung rechts von 0)",
        "percent_answered": "% der Befragten, die die Frage beantwortet haben",
        "percent_group": "% der Befragten der Gruppe, die die Frage beantwortet haben",
        "footnote": "Zellen mit weniger als {t} Antworten sind unterdrückt (nicht gezeichnet, markiert „<{t}“).",
        "footnote_bins": "Klassen mit weniger als {t} Antworten sind unterdrückt (nicht gezeichnet, markiert „<{t}“).",
        "sus_axis": "SUS-Wert (Noten: Sauro-Lewis-Notenskala)",
        "sus_title": "System Usability Scale: Verteilung der Werte",
        "responses": "Antworten",
        "mean": "Mittelwert {m}",
        "tertile": ["niedrig", "mittel", "hoch"],
        "usage_groups": "{label}: Drittel der Befragten",
        "suppressed_group": "weniger als {t}: nicht gezeigt",
        "n": "n = {n}",
    },
}

# Scores the run derives have no codebook row; their names in figures.
DERIVED = {
    "en": {"sus_score": "SUS score (0–100)", "umux_lite": "UMUX-LITE (0–100)", "nps": "Likelihood to recommend (0–10)"},
    "de": {"sus_score": "SUS-Wert (0–100)", "umux_lite": "UMUX-LITE (0–100)", "nps": "Weiterempfehlung (0–10)"},
}


def words(language: str) -> dict:
    return TEXT.get(language, TEXT["en"])


def wrap(text: str, width: int = WRAP) -> str:
    """Break a label into lines of at most `width` characters (a longer single word stays whole)."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def short_label(label: str) -> str:
    """The part a figure needs: the row or option in brackets, else the whole label."""
    text = str(label).strip()
    if text.endswith("]") and " [" in text:
        return text.rsplit(" [", 1)[1][:-1]
    return text


def stem(label: str) -> str:
    """The question a matrix row or an option belongs to (the text before the brackets)."""
    text = str(label).strip()
    return text.rsplit(" [", 1)[0] if text.endswith("]") and " [" in text else text


def number(value: float, decimals: int, language: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language == "de" else text
