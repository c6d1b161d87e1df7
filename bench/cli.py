"""`python -m bench`: recreate the bench database, build the dataset, measure, check targets."""

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench.database import (
    BENCH_DIR,
    PROJECT_DIR,
    bench_database,
    production_env,
    recreate,
    redact,
    setup_django,
)
from bench.profiles import FULL, QUICK
from bench.progress import log
from bench.report import render
from bench.results import Results
from bench.targets import TARGETS, evaluate

DEFAULT_OUTPUT = BENCH_DIR / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the API, selectors and commands on a fresh database of its own "
        "(PostgreSQL <name>_bench when DATABASE_URL points to PostgreSQL, else "
        "bench/bench.sqlite3). Prints a table and writes bench/results/latest.json.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller dataset, shorter loads (≤ 3 min)"
    )
    parser.add_argument(
        "--database-url",
        help="base database URL (default: $DATABASE_URL); PostgreSQL runs on <name>_bench",
    )
    parser.add_argument(
        "--only",
        type=lambda value: [name.strip() for name in value.split(",") if name.strip()],
        help="comma-separated scenario names (e.g. health,items_list)",
    )
    parser.add_argument("--skip-http", action="store_true", help="no gunicorn / load phase")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="results JSON path")
    return parser.parse_args(argv)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    profile = QUICK if args.quick else FULL
    started = dt.datetime.now(dt.UTC)
    start = time.perf_counter()

    db = bench_database(args.database_url or os.environ.get("DATABASE_URL"))
    env = production_env(db)
    log(f"database: {db.engine} {redact(db.url)}: recreating and migrating")
    recreate(db)
    setup_django(env)  # from here on, Django is configured for the bench database

    import django

    import bench.scenarios  # noqa: F401  (registers the scenarios)
    from bench.context import Context, bench_token
    from bench.phases import build_parts, run_http, run_inprocess
    from bench.registry import SCENARIOS, unavailable

    selected = list(SCENARIOS.values())
    if args.only:
        unknown = sorted(set(args.only) - set(SCENARIOS))
        if unknown:
            print(
                f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}",
                file=sys.stderr,
            )
            return 2
        selected = [s for s in selected if s.name in args.only]

    results = Results(
        meta={
            "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "profile": profile.name,
            "database": db.engine,
            "database_name": db.name
            if db.engine == "postgresql"
            else os.path.relpath(db.name, PROJECT_DIR),
            "python": platform.python_version(),
            "django": django.get_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "git_commit": _git_commit(),
            # Other work on the machine skews every figure: judge a run by its load average.
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "argv": sys.argv[1:] if argv is None else argv,
        }
    )
    ctx = Context(profile=profile, results=results, env=env, token=bench_token())

    runnable = []
    for s in selected:
        if reason := unavailable(s.requires, s.needs):
            results.skip(s.name, reason)
        else:
            runnable.append(s)
    missing_parts = build_parts(ctx, runnable)
    for s in list(runnable):
        if blocked := [p for p in s.needs if p in missing_parts]:
            results.skip(s.name, missing_parts[blocked[0]])
            runnable.remove(s)

    for s in runnable:
        if not s.mutates:
            run_inprocess(ctx, s)
    if args.skip_http:
        log("http: skipped (--skip-http)")
    else:
        loaded = [s for s in runnable if s.http and not s.mutates]
        if loaded:  # GET /api/health is always loaded too: the floor of every ratio
            try:
                run_http(ctx, loaded, env)
            except Exception as exc:
                traceback.print_exc()
                results.error("http", f"{type(exc).__name__}: {exc}")
    for s in runnable:
        if s.mutates:
            run_inprocess(ctx, s)

    results.targets = [r.as_dict() for r in evaluate(TARGETS, results.metrics)]
    results.meta["finished_at"] = (
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
    results.meta["duration_s"] = round(time.perf_counter() - start, 1)
    results.meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results.write(args.output)
    print(render(results.to_dict()))
    print(f"\nResults: {os.path.relpath(args.output, Path.cwd())}")
    return 1 if results.errors else 0
