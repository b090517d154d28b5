"""The wave export with usage: survey answers joined, by pseudonym, to the usage of respondents who consented.

`export_with_usage(wave, out_dir, language) -> ExportFiles` is THE contract between the Django side
and `analysis`: the files it writes are everything an analysis of a wave reads (the report pipeline
calls it; `manage.py export_wave` writes the same files through `export_wave_with_usage`).

surveys.export writes the answers and knows nothing of platform_logs; this module adds the
`usage_*` columns (docs/export-format.md, "Usage columns") and, only when asked, the population
file of all platform users for the nonresponse analysis. After the join the pseudonym column is
dropped unless the caller keeps it: the analysis does not need it, and every identifier that
leaves the database is one too many. The kept column is the wave-linkage pseudonym, which links
waves but cannot be joined to usage: only respondents who consented are linked, and only here.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings

from analysis.pipeline.io import open_private, write_csv
from coding.export import add_code_columns
from platform_logs.features import COUNT_COLUMNS, SHARE_COLUMNS, linkable_responses, usage_features, usage_window
from platform_logs.models import FEATURES
from surveys.export import CODEBOOK_COLUMNS, ExportError, wave_table, write_export

PSEUDONYM = "pseudonym"
RESPONDED = "responded"
TENURE = "usage_tenure_days"
USAGE_COLUMNS = COUNT_COLUMNS + SHARE_COLUMNS + ["usage_rating_mean", "usage_score_mean", TENURE]
_FEATURE_NAMES = {  # de, en
    "chat": ("nur Chat", "chat only"), "web_search": ("Websuche", "web search"),
    "image_generation": ("Bilderzeugung", "image generation"), "code_interpreter": ("Code-Interpreter", "code interpreter"),
    "knowledge": ("Wissen/Dateien (RAG)", "knowledge/files (RAG)"), "vision": ("Bildeingabe", "image input"),
    "tools": ("Werkzeuge", "tools"),
}
# variable: (label_de, label_en, min, max); the unit is part of the label.
USAGE_CODEBOOK = {
    "usage_active_days": ("Aktive Tage im Nutzungszeitraum (Tage)", "Active days in the usage window (days)", 0, ""),
    "usage_chats": ("Unterhaltungen (Anzahl)", "Conversations (count)", 0, ""),
    "usage_messages": ("Gesendete Nachrichten (Anzahl)", "Messages sent (count)", 0, ""),
    "usage_replies": ("Erhaltene Antworten (Anzahl)", "Replies received (count)", 0, ""),
    "usage_tokens_in": ("Eingabe-Tokens der Antworten (Tokens)", "Input tokens of replies (tokens)", 0, ""),
    "usage_tokens_out": ("Ausgabe-Tokens der Antworten (Tokens)", "Output tokens of replies (tokens)", 0, ""),
    "usage_models": ("Verschiedene genutzte Modelle (Anzahl)", "Distinct models used (count)", 0, ""),
    "usage_ratings": ("Abgegebene Bewertungen (Anzahl)", "Ratings given (count)", 0, ""),
    "usage_logins": ("Anmeldungen (Anzahl)", "Logins (count)", 0, ""),
    "usage_api_requests": ("API-Anfragen (Anzahl)", "API requests (count)", 0, ""),
    "usage_api_tokens_in": ("Eingabe-Tokens der API-Anfragen (Tokens)", "Input tokens of API requests (tokens)", 0, ""),
    "usage_api_tokens_out": ("Ausgabe-Tokens der API-Anfragen (Tokens)", "Output tokens of API requests (tokens)", 0, ""),
    **{f"usage_share_{feature}": (f"Anteil der Antworten mit {de} (Anteil 0–1)", f"Share of replies using {en} (proportion 0–1)", 0, 1)
       for feature, (de, en) in _FEATURE_NAMES.items() if feature in FEATURES},
    "usage_rating_mean": ("Mittlere Daumen-Bewertung (−1 bis 1)", "Mean thumbs rating (−1 to 1)", -1, 1),
    "usage_score_mean": ("Mittlere Punktbewertung (1–10 Punkte)", "Mean score given (1–10 points)", 1, 10),
    TENURE: ("Tage seit der ersten Nutzung bis zum Ende des Nutzungszeitraums (Tage)",
             "Days from first use to the end of the usage window (days)", 0, ""),
}


@dataclass
class LinkageSummary:
    """Counts only: never who."""

    window_start: str
    window_end: str
    consenting_respondents: int
    respondents_linked: int
    consenting_without_usage: int
    platform_users: int
    # Active users with no completed response given with linkage consent; unknown in anonymous waves.
    platform_users_not_linked: int | None

    def __str__(self):
        not_linked = "unknown (anonymous wave)" if self.platform_users_not_linked is None \
            else self.platform_users_not_linked
        return (f"usage window {self.window_start} to {self.window_end}: {self.respondents_linked} respondents linked, "
                f"{self.consenting_without_usage} consenting respondents without usage, "
                f"{self.platform_users} platform users active, {not_linked} of them not responding with linkage consent")


@dataclass
class UsageExportResult:
    paths: list[Path]
    rows: int
    summary: LinkageSummary


@dataclass
class ExportFiles:
    """The CSV files one wave's analysis reads (docs/export-format.md), by role."""

    responses: Path
    codebook: Path
    linkage: Path  # <slug>_linkage.json: consenting, linked and unlinked respondents (counts only)
    population: Path | None  # all platform users, pseudonymous waves only (nonresponse analysis)


def export_with_usage(wave, out_dir, language="en") -> ExportFiles:
    """Export `wave` as CSV with its usage columns, codebook and linkage summary, plus the population file
    when the wave is pseudonymous: the files `analysis` reads, in the codebook language `language`."""
    paths = export_wave_with_usage(wave, out_dir, "csv", language, with_population=wave.is_pseudonymous).paths

    def ending(suffix):
        return next((Path(path) for path in paths if str(path).endswith(suffix)), None)

    return ExportFiles(responses=ending("_responses.csv"), codebook=ending("_codebook.csv"),
                       linkage=ending("_linkage.json"), population=ending("_population.csv"))


def export_wave_with_usage(wave, out_dir, fmt, language="en", keep_pseudonym=False, with_population=False):
    """Write the table with usage columns, its codebook, <slug>_linkage.json and, if asked, <slug>_population.csv."""
    if with_population and not wave.is_pseudonymous:
        raise ExportError("the population file needs a pseudonymous wave: in an anonymous one nobody knows who responded")
    table, codebook = wave_table_with_usage(wave, keep_pseudonym)
    paths = write_export(table, codebook, out_dir, wave.slug, fmt, language)
    summary = linkage_summary(wave)
    linkage_path = Path(out_dir) / f"{wave.slug}_linkage.json"
    with open_private(linkage_path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(summary.__dict__, indent=2) + "\n")
    paths.append(linkage_path)
    if with_population:
        paths.append(write_csv(population_table(wave), Path(out_dir) / f"{wave.slug}_population.csv"))
    return UsageExportResult(paths, len(table), summary)


def wave_table_with_usage(wave, keep_pseudonym=False):
    """(table, codebook) of surveys.export.wave_table with the usage columns; empty cells for rows not linked."""
    table, codebook = wave_table(wave)
    start, end = usage_window(wave)
    linked = dict(linkable_responses(wave).values_list("pk", "pseudonym"))
    keys = [linked.get(int(response_id), "") for response_id in table["response_id"]]
    usage = export_features(usage_features(start, end, set(linked.values())), end)
    columns = usage.reindex(keys).set_axis(table.index)
    table = pd.concat([table, _typed(columns)], axis=1)
    codebook = pd.concat([codebook, usage_codebook()], ignore_index=True)
    table, codebook = add_code_columns(wave, table, codebook)
    if not keep_pseudonym:
        table = table.drop(columns=PSEUDONYM)
        codebook = codebook[codebook["variable"] != PSEUDONYM].reset_index(drop=True)
    return table, codebook


def population_table(wave):
    """All people active on the platform in the wave's usage window: usage columns and `responded` (0/1), no pseudonym.

    `responded` is 1 only for a completed response whose respondent consented to linkage. A
    privacy decision (README, "Privacy decisions"): marking a respondent who refused linkage would
    put their usage next to the fact that they answered, which is the linkage they refused. The
    nonresponse analysis therefore compares consenting respondents with everyone else.
    """
    start, end = usage_window(wave)
    usage = export_features(usage_features(start, end), end)
    usage = usage[usage["usage_active_days"] > 0]
    responded = set(_consenting_pseudonyms(wave))
    population = _typed(usage).reset_index(drop=False)
    population.insert(0, RESPONDED, population[PSEUDONYM].isin(responded).astype("int64"))
    # Rows in a fixed order that does not follow the pseudonym (which is not exported).
    population = population.drop(columns=PSEUDONYM).sort_values(USAGE_COLUMNS + [RESPONDED], kind="stable")
    return population.reset_index(drop=True)[[RESPONDED] + USAGE_COLUMNS]


def linkage_summary(wave):
    start, end = usage_window(wave)
    consenting = set(linkable_responses(wave).values_list("pseudonym", flat=True))
    usage = usage_features(start, end)
    active = set(usage.index[usage["usage_active_days"] > 0])
    return LinkageSummary(
        window_start=start.isoformat(), window_end=end.isoformat(),
        consenting_respondents=len(consenting),
        respondents_linked=len(consenting & active),
        consenting_without_usage=len(consenting - active),
        platform_users=len(active),
        platform_users_not_linked=len(active - consenting) if wave.is_pseudonymous else None,
    )


def usage_codebook():
    """Codebook rows (docs/export-format.md) for the usage columns."""
    rows = []
    for variable in USAGE_COLUMNS:
        label_de, label_en, low, high = USAGE_CODEBOOK[variable]
        rows.append(dict.fromkeys(CODEBOOK_COLUMNS, "") | {
            "variable": variable, "source": "usage", "type": "number", "label_de": label_de, "label_en": label_en,
            "min": low, "max": high, "reverse_coded": 0,
        })
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def export_features(features, window_end):
    """Feature columns as exported: the first-seen date becomes tenure in days (a date says more about a person)."""
    first_seen = pd.to_datetime(features["usage_first_seen"])
    end_day = pd.Timestamp(pd.Timestamp(window_end).tz_convert(settings.TIME_ZONE).date())
    exported = features.drop(columns="usage_first_seen")
    exported[TENURE] = (end_day - first_seen).dt.days
    return exported[USAGE_COLUMNS]


def _typed(columns):
    """Counts as nullable integers (written 4, not 4.0), the rest as nullable floats; missing stays empty."""
    typed = columns.copy()
    for name in USAGE_COLUMNS:
        whole = name in COUNT_COLUMNS or name == TENURE
        typed[name] = pd.to_numeric(typed[name], errors="coerce").astype("Float64").round(4 if not whole else 0)
        if whole:
            typed[name] = typed[name].astype("Int64")
    return typed


def _consenting_pseudonyms(wave):
    return linkable_responses(wave).values_list("pseudonym", flat=True)
