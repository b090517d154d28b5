"""Command line: `python -m analysis run PLAN.yaml --data T.csv --codebook C.csv --out DIR`,
`python -m analysis meta STUDIES.csv --measure RR --method REML [--test knha] [--json]`,
`python -m analysis agreement CODING.csv [--level nominal|ordinal|interval] [--json]`,
`python -m analysis pool BUNDLE.json... --out DIR` (sites' aggregate bundles, docs/consortium.md)."""

from __future__ import annotations

import argparse
import json
import sys

from .errors import AnalysisError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Run an analysis plan over a survey export.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run PLAN over an exported wave and write the results bundle")
    run.add_argument("plan", help="analysis plan (YAML)")
    run.add_argument("--data", required=True, help="tidy table (.csv or .sav) from export_wave")
    run.add_argument("--codebook", required=True, help="codebook CSV from export_wave")
    run.add_argument("--out", required=True, help="directory for results.json, tables/ and figures/")
    run.add_argument("--population", help="optional CSV of usage features for all platform users (nonresponse)")
    run.add_argument("--language", choices=("de", "en"),
                     help="language of the codebook labels in figures and tables (default: the plan's, else en)")
    meta = commands.add_parser("meta", help="meta-analysis of study-level data (2x2 counts, means/SDs, or yi,vi)")
    meta.add_argument("studies", help="CSV, one row per study: ai,bi,ci,di or m1i,sd1i,n1i,m2i,sd2i,n2i or yi,vi")
    meta.add_argument("--measure", choices=("RR", "OR", "RD", "MD", "SMD"),
                      help="effect size computed from counts or means (not needed with yi,vi)")
    meta.add_argument("--method", choices=("REML", "DL", "PM", "FE"), default="REML", help="tau^2 estimator")
    meta.add_argument("--test", choices=("z", "knha"), default="z", help="z or Knapp-Hartung inference")
    meta.add_argument("--json", action="store_true", help="print the result as one JSON object")
    agree = commands.add_parser("agreement", help="agreement between coders of a long table unit,coder,code")
    agree.add_argument("file", help="CSV with the columns unit,coder,code (export_coding writes it)")
    agree.add_argument("--level", choices=("nominal", "ordinal", "interval"), default="nominal")
    agree.add_argument("--json", action="store_true", help="print JSON instead of a table")
    agree.add_argument("--bootstrap", type=int, default=1000, help="resamples for alpha's 95%% interval")
    agree.add_argument("--seed", type=int, default=0)
    pool = commands.add_parser("pool", help="pool the signed aggregate bundles of several sites")
    pool.add_argument("bundles", nargs="+", help="bundle files from export_aggregates, one per site")
    pool.add_argument("--out", required=True, help="directory for pooled.json and its CSV tables")
    pool.add_argument("--method", choices=("REML", "DL", "PM"), default="REML", help="tau^2 estimator for contrasts")
    pool.add_argument("--test", choices=("z", "knha"), default="knha", help="z or Knapp-Hartung inference")
    pool.add_argument("--trusted-keys", help="file of the sites' public keys, one a line: refuse bundles signed otherwise")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "agreement":
        return _agreement(args)
    from .pipeline.cli import meta_command, pool_command, run_command

    try:
        if args.command == "meta":
            print(meta_command(args.studies, args.measure, args.method, args.test, args.json))
            return 0
        if args.command == "pool":
            path = pool_command(args.bundles, args.out, args.method, args.test, args.trusted_keys)
            print(f"wrote {path}")
            return 0
        path = run_command(args.plan, args.data, args.codebook, args.out, args.population, args.language)
    except AnalysisError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _agreement(args) -> int:
    from .agreement import agreement, agreement_json, read_long

    try:
        table = agreement(read_long(args.file), level=args.level, n_boot=args.bootstrap, seed=args.seed)
    except (AnalysisError, OSError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(agreement_json(table, args.level), indent=2))
    else:
        print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
