"""Benchmark the analysis package: the default plan over synthetic waves.

    .venv/bin/python benchmarks/analysis_bench.py            # 400, 5,000 and 50,000 responses
    .venv/bin/python benchmarks/analysis_bench.py --sizes 5000

Waves are generated in the shape of the demo survey's real export (its codebook, kept equal to
`export_wave ai-platform-2026` by tests/integration/test_export_to_analysis.py) with linked
usage features and a population table. Each size runs in a fresh process so that peak memory (ru_maxrss) belongs to that size
alone. Timed: read CSV + codebook, run the whole demo plan (with a population table for
nonresponse), write the bundle. Not timed: generating and writing the synthetic wave.
Target from the issue: <= 10 s for 5,000 responses on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "analysis" / "plans" / "demo.yaml"
DEMO_CODEBOOK = REPO / "tests" / "analysis" / "data" / "demo_codebook.csv"


def run_one(size: int) -> dict:
    sys.path.insert(0, str(REPO))
    started_imports = time.perf_counter()
    from analysis.pipeline.cli import run_command
    from analysis.synthetic import generate_wave

    import pandas as pd

    import_seconds = time.perf_counter() - started_imports
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        demo = pd.read_csv(DEMO_CODEBOOK, dtype=str, keep_default_na=False)
        table, codebook, population = generate_wave(size, demo, seed=42)
        table.to_csv(directory / "responses.csv", index=False)
        codebook.to_csv(directory / "codebook.csv", index=False)
        population.to_csv(directory / "population.csv", index=False)
        started = time.perf_counter()
        run_command(PLAN, directory / "responses.csv", directory / "codebook.csv", directory / "out",
                    directory / "population.csv")
        seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"responses": size, "seconds": round(seconds, 2), "import_seconds": round(import_seconds, 2),
            "peak_rss_mib": round(peak_mib, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 5_000, 50_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return 0
    print(f"{'responses':>10} {'run s':>8} {'import s':>9} {'peak RSS MiB':>13}")
    for size in args.sizes:
        child = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True,
                               check=True)
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{row['responses']:>10,} {row['seconds']:>8.2f} {row['import_seconds']:>9.2f} {row['peak_rss_mib']:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
