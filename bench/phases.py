"""The run's phases: dataset parts, in-process scenarios, HTTP under gunicorn.

Each phase records what it measured, what it skipped and why, and what failed, then moves on:
one broken scenario costs its own figures, not the run.
"""

import asyncio
import time
import traceback
from collections.abc import Iterable

from bench.context import Context
from bench.database import PROJECT_DIR
from bench.dataset import rows_of
from bench.loadgen import LoadResult, merge, run_load
from bench.progress import log
from bench.registry import PARTS, SCENARIOS, Scenario
from bench.server import gunicorn


def _parts_in_order(names: Iterable[str]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in PARTS[name].after:
            visit(dependency)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def build_parts(ctx: Context, scenarios: list[Scenario]) -> dict[str, str]:
    """Build every part the scenarios need; return {part: why it is missing} for the others."""
    failed: dict[str, str] = {}
    for name in _parts_in_order(n for s in scenarios for n in s.needs):
        if blocked := [dep for dep in PARTS[name].after if dep in failed]:
            failed[name] = f"dataset part {blocked[0]!r} missing"
            continue
        log(f"dataset: building {name}")
        start = time.perf_counter()
        try:
            ctx.data[name] = PARTS[name].build(ctx)
        except NotImplementedError as exc:
            failed[name] = f"dataset part {name!r} not implemented yet: {exc}"
            continue
        except Exception as exc:
            traceback.print_exc()
            failed[name] = f"dataset part {name!r} failed"
            ctx.results.error(f"dataset.{name}", f"{type(exc).__name__}: {exc}")
            continue
        seconds = round(time.perf_counter() - start, 3)
        ctx.results.dataset[name] = {"seconds": seconds, "rows": rows_of(ctx.data[name])}
        ctx.record(f"dataset.{name}.seconds", seconds)
    if ctx.data:
        analyze(ctx)
    return failed


def analyze(ctx: Context) -> None:
    """Planner statistics and visibility maps for the freshly loaded tables, as a production
    database has them (autovacuum vacuums and analyzes tables after bulk changes; it may be
    off, or a minute late). Without statistics PostgreSQL plans the recursive BOM queries for
    empty tables (seconds instead of milliseconds); without the visibility map no index-only
    scan (counts). SQLite keeps no statistics unless asked, like a default installation."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    log("dataset: VACUUM ANALYZE")
    start = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE")
    seconds = round(time.perf_counter() - start, 3)
    ctx.results.dataset["analyze"] = {"seconds": seconds, "rows": {}}
    ctx.record("dataset.analyze.seconds", seconds)


def run_inprocess(ctx: Context, scenario: Scenario) -> None:
    log(f"in-process: {scenario.name}")
    try:
        scenario.run(ctx)
    except NotImplementedError as exc:
        ctx.results.skip(scenario.name, f"not implemented yet: {exc}")
    except Exception as exc:
        traceback.print_exc()
        ctx.results.error(scenario.name, f"{type(exc).__name__}: {exc}")


def run_http(ctx: Context, scenarios: list[Scenario], env: dict[str, str]) -> None:
    """Each endpoint at each concurrency for the profile's duration, bracketed by two slices of
    `GET /api/health` (half as long) run right before and right after it: its ratio is to the
    mean of the two, so load from elsewhere on the machine drifting over the minutes of the
    phase moves the endpoint and its floor together. The health row merges all its slices."""
    from django.db import connections

    profile = ctx.profile
    connections.close_all()  # nothing of ours holds the database during the load
    auth = {"Authorization": f"Bearer {ctx.token}"}
    paths = {s.name: s.http(ctx) for s in scenarios if s.http and s.name != "health"}
    health_path = SCENARIOS["health"].http(ctx)
    runs = ctx.results.http["runs"]
    log(f"http: starting gunicorn ({profile.http_workers} workers)")
    with gunicorn(env=env, cwd=PROJECT_DIR, workers=profile.http_workers) as server:
        ctx.results.http["server"] = {
            "workers": profile.http_workers,
            "seconds_per_run": profile.http_seconds,
            "health_slice_seconds": max(profile.http_seconds / 2, 1),
            "concurrency": list(profile.http_concurrency),
        }

        def load(path: str, concurrency: int, seconds: float) -> LoadResult:
            return asyncio.run(
                run_load(
                    server.host,
                    server.port,
                    path,
                    concurrency=concurrency,
                    duration_s=seconds,
                    max_requests=profile.http_max_requests,
                    headers=auth,
                )
            )

        def record(name: str, result: LoadResult, floor_rps: float | None) -> None:
            ratio = round(result.rps / floor_rps, 3) if floor_rps else None
            runs.append({"name": name, **result.as_dict(), "health_rps": floor_rps, "ratio": ratio})
            prefix = f"http.{name}.c{result.concurrency}"
            for figure in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors"):
                ctx.record(f"{prefix}.{figure}", getattr(result, figure))
            ctx.record(f"{prefix}.ratio", ratio)

        for path in [health_path, *paths.values()]:  # warm every worker up; not recorded
            load(path, profile.http_workers, profile.http_warmup_seconds)
        for concurrency in profile.http_concurrency:
            slice_s = ctx.results.http["server"]["health_slice_seconds"]
            log(f"http: health at concurrency {concurrency} for {slice_s:g}s")
            health = [load(health_path, concurrency, slice_s)]
            measured = []
            for name, path in paths.items():
                log(f"http: {name} at concurrency {concurrency} for {profile.http_seconds:g}s")
                result = load(path, concurrency, profile.http_seconds)
                log(f"http: health at concurrency {concurrency} for {slice_s:g}s")
                health.append(load(health_path, concurrency, slice_s))
                measured.append((name, result, (health[-2].rps + health[-1].rps) / 2))
            floor = merge(health)
            record("health", floor, floor.rps)
            for name, result, floor_rps in measured:
                record(name, result, round(floor_rps, 2))
        server.sampler.stop()
        peaks = server.sampler.peaks_mb()
    ctx.results.http["server"]["worker_peak_rss_mb"] = peaks
    ctx.record("http.errors_total", sum(run["errors"] for run in runs))
    ctx.record("http.worker_peak_rss_mb", max(peaks.values()) if peaks else None)
