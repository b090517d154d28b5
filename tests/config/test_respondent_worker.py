"""A web worker that serves only respondents never loads the analysis stack.

pandas, matplotlib, the analysis package and WeasyPrint belong to exports, reports and the task
worker; loaded through the URLconf they made every web worker about 250 MB (README, "Speed and
memory"). The check runs in a fresh interpreter, as a gunicorn worker starts: it imports the
product's URLconf, then serves one respondent from invitation link to a submitted page through
Django's full stack (its own SQLite database), and lists what was imported.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "matplotlib", "analysis", "weasyprint", "scipy", "statsmodels", "sklearn")

WORKER = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import config.urls  # noqa: F401 - what a worker imports before its first request
imported = {"urls": sorted(name for name in HEAVY if name in sys.modules)}

from pathlib import Path
from django.test import Client
from tests.surveys.builders import invite, make_wave, post_page, start

wave = make_wave(Path(sys.argv[1]))
client = Client()
first_page = start(client, wave, invite(wave))
shown = client.get(first_page)
sent = post_page(client, wave, "about", {"role": "physician"})
assert shown.status_code == 200 and sent.status_code == 302, (shown.status_code, sent.status_code)
imported["respondent"] = sorted(name for name in HEAVY if name in sys.modules)
print(json.dumps(imported))
"""


def test_a_worker_serving_respondents_imports_neither_pandas_nor_matplotlib_nor_analysis(tmp_path):
    key = tmp_path / "pseudonym.key"
    key.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "UPTAKE_PSEUDONYM_KEY_FILE": str(key),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}", "PYTHONPATH": str(REPO)}
    worker = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{WORKER}", str(tmp_path)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)

    assert worker.returncode == 0, worker.stderr[-3000:]
    imported = json.loads(worker.stdout.strip().splitlines()[-1])
    assert imported == {"urls": [], "respondent": []}
