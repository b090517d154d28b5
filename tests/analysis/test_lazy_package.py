"""The analysis package loads its modules on first use (PEP 562), so a page that only shows disclosed
numbers (analysis.disclosure: numpy and pandas) does not wait for scikit-learn, statsmodels and matplotlib.
Checked in a fresh interpreter: this test process has long imported everything."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "statsmodels", "matplotlib", "scipy.optimize", "pingouin")


def imported_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(n for n in {HEAVY!r} if n in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_disclosure_loads_none_of_the_statistics_stack():
    assert imported_after("import analysis.disclosure") == []


def test_the_public_names_still_load_on_use():
    loaded = imported_after("import analysis\nfrom analysis import reliability, run_plan\n"
                            "assert callable(run_plan) and callable(reliability.cronbach_alpha)\n"
                            "assert analysis.personas.__name__ == 'analysis.personas'")
    assert "statsmodels" in loaded  # the plan runner brings the statistics stack with it
