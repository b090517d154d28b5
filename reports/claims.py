"""The claims ledger: a report names a method only where it also shows that method's result.

A report section enters what it shows with `show` (a table or figure, by its key and title) or
`say` (a sentence, by a key), each with the methods whose result it holds (`"kruskal-wallis"`,
`"weights"`). The methods text, the methods table and the CHERRIES answers then name a method
through `claim(method, *evidence)`, which returns the words only when one of the evidence keys was
shown, and '' otherwise. So a method whose table was withheld, could not be computed or is not
rendered is not named. Every section that adds results (the publication's results, coded open
answers, a consortium report) enters them here before the methods are written; the ledger goes to
`<report>.assets/claims.json` for a reader (and a test) to check each claim against the page.
"""

import json
from dataclasses import asdict, dataclass

from analysis.pipeline.io import open_private


@dataclass(frozen=True)
class Claim:
    method: str  # the words the report prints
    evidence: str  # the key of the shown block or sentence that holds its result
    shown_as: str  # what the reader finds there: the block's title or the sentence


class Ledger:
    def __init__(self):
        self.shown: dict[str, str] = {}  # evidence key -> the title or sentence a reader sees
        self.claims: list[Claim] = []
        self.withheld: list[str] = []  # methods not named because nothing shows their result

    def show(self, block, *methods):
        """Enter a table or figure (None passes through unchanged) under its key and the methods it shows."""
        if block is not None:
            for key in (block.key, *methods):
                self.shown.setdefault(key, block.title)
        return block

    def say(self, key, sentence, *methods):
        """Enter a sentence of the results (empty sentences show nothing); returns it."""
        if sentence:
            for name in (key, *methods):
                self.shown.setdefault(name, sentence)
        return sentence

    def shows(self, *evidence):
        return any(key in self.shown for key in evidence)

    def claim(self, method, *evidence):
        """`method` if one of `evidence` was shown (recorded as a claim), else '' (recorded as withheld)."""
        found = next((key for key in evidence if key in self.shown), None)
        if found is None:
            self.withheld.append(method)
            return ""
        self.claims.append(Claim(method, found, self.shown[found]))
        return method

    def write(self, path):
        """claims.json: every printed claim with the block or sentence that shows it, and the withheld ones."""
        document = {"claims": [asdict(claim) for claim in self.claims], "withheld": sorted(set(self.withheld))}
        with open_private(path, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return path
