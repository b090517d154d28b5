"""Benchmark the analysis package: the default plan over synthetic waves, beside its floor.

    .venv/bin/python benchmarks/analysis_bench.py            # 400, 5,000 and 50,000 responses
    .venv/bin/python benchmarks/analysis_bench.py --sizes 5000

Waves are generated in the shape of the demo survey's real export (its codebook, kept equal to
`export_wave ai-platform-2026` by tests/integration/test_export_to_analysis.py) with linked
usage features and a population table. For each size the analysis and its floor
(benchmarks/analysis_floor.py: the same statistics recomputed directly with SciPy, statsmodels and
scikit-learn, no figures or files) each run in a fresh process on the same files, so that peak
memory (ru_maxrss) belongs to that run alone. Timed for the analysis: read CSV + codebook, run the
whole demo plan (with a population table for nonresponse), write the bundle with its figures;
for the floor: read the CSVs and compute. Not timed: imports, generating and writing the wave.
Wall and CPU seconds (the analysis's including its figure process) are both printed: on a shared
machine the CPU ratio is the steadier one.
Target from issue 24: analysis of 5,000 responses <= 2x its floor; 50,000 within 1.5x of 5,000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "analysis" / "plans" / "demo.yaml"
DEMO_CODEBOOK = REPO / "tests" / "analysis" / "data" / "demo_codebook.csv"
FLOOR = Path(__file__).resolve().parent / "analysis_floor.py"


def write_wave(size: int, directory: Path) -> None:
    sys.path.insert(0, str(REPO))
    import pandas as pd

    from analysis.synthetic import generate_wave

    demo = pd.read_csv(DEMO_CODEBOOK, dtype=str, keep_default_na=False)
    table, codebook, population = generate_wave(size, demo, seed=42)
    table.to_csv(directory / "responses.csv", index=False)
    codebook.to_csv(directory / "codebook.csv", index=False)
    population.to_csv(directory / "population.csv", index=False)


def cpu_time() -> float:
    """CPU seconds of this process and its finished children (the process that draws the figures)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_analysis(directory: Path) -> dict:
    sys.path.insert(0, str(REPO))
    import analysis
    from analysis.pipeline.cli import run_command

    for name in analysis.__all__:  # the package loads its modules on first use; imports are not timed
        getattr(analysis, name)
    started, cpu = time.perf_counter(), cpu_time()
    run_command(PLAN, directory / "responses.csv", directory / "codebook.csv", directory / "out",
                directory / "population.csv")
    seconds, cpu_seconds = time.perf_counter() - started, cpu_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "peak_rss_mib": round(peak_mib, 1)}


def child(command: list[str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 5_000, 50_000])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_analysis(args.child)))
        return 0
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(f"{'responses':>10} {'analysis s':>11} {'(CPU s)':>8} {'floor s':>8} {'(CPU s)':>8} {'ratio':>6} "
          f"{'(CPU)':>6} {'values':>7} {'peak RSS MiB':>13}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as directory:
            directory = Path(directory)
            write_wave(size, directory)
            analysis = child([sys.executable, __file__, "--child", str(directory)])
            floor = child([sys.executable, str(FLOOR), str(directory)])
        print(f"{size:>10,} {analysis['seconds']:>11.2f} {analysis['cpu_seconds']:>8.2f} {floor['seconds']:>8.2f} "
              f"{floor['cpu_seconds']:>8.2f} {analysis['seconds'] / floor['seconds']:>6.2f} "
              f"{analysis['cpu_seconds'] / floor['cpu_seconds']:>6.2f} {floor['values']:>7,} "
              f"{analysis['peak_rss_mib']:>13.1f}")
    print(f"load average at end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
