"""The analysis's own messages (a statistic not computable, a test replaced, an iteration limit) as a text file
beside the PDF: the people who rerun the analysis need them, the readers of the report do not."""

from pathlib import Path

from analysis.pipeline.io import open_private


def analysis_log(bundle):
    """One line per message: result id, its title, the message; the analysis's words, untranslated."""
    lines = [f"{result['id']}\t{result.get('title', '')}\t{message}"
             for result in bundle.results.values() for message in result.get("messages") or [] if message]
    header = [f"# Messages of the analysis for {bundle.meta.get('title', '')} "
              f"(data SHA-256 {bundle.meta.get('inputs', {}).get('data_sha256', '')})", "# result\ttitle\tmessage"]
    return "\n".join(header + lines) + "\n"


def write_analysis_log(bundle, pdf_path):
    """Write `<pdf>.analysis-log.txt` and return its path."""
    path = Path(pdf_path).with_name(Path(pdf_path).name + ".analysis-log.txt")
    with open_private(path, "w", encoding="utf-8") as handle:
        handle.write(analysis_log(bundle))
    return path
