"""In-process measurement of one call: warm-up, timed runs, then query count and peak memory.

The timed runs carry no instrumentation. The SQL query count comes from one more run under
CaptureQueriesContext, the memory from one more under tracemalloc (its peak: what the call
allocated on top of what was there, in Python objects, freed or not), so neither slows the
timings down.
"""

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench.stats import summarize_ms


@dataclass
class Timing:
    runs: int
    warmup: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float
    queries: int | None
    mem_peak_kb: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def figures(self) -> dict[str, float]:
        """The figures targets may refer to."""
        figures = {
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "mem_peak_kb": self.mem_peak_kb,
            "mem_peak_mb": None if self.mem_peak_kb is None else round(self.mem_peak_kb / 1024, 2),
        }
        return {k: v for k, v in figures.items() if v is not None}


def count_queries(call: Callable[[], Any], connection=None) -> tuple[int, Any]:
    """(SQL queries the call ran, its result)."""
    from django.db import connection as default_connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection or default_connection) as captured:
        result = call()
    return len(captured), result


def peak_memory_kb(call: Callable[[], Any]) -> tuple[float, Any]:
    """(Peak Python memory the call allocated, in KB, its result)."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return round((peak - before) / 1024, 1), result


def measure(
    call: Callable[[], Any],
    *,
    warmup: int,
    runs: int,
    check: Callable[[Any], None] | None = None,
    queries: bool = True,
    memory: bool = True,
) -> Timing:
    """Time `call` (`check` validates each result, e.g. the HTTP status: a fast error is no
    figure)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    check = check or (lambda result: None)
    for _ in range(warmup):
        check(call())
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
        check(result)
    query_count = None
    if queries:
        query_count, result = count_queries(call)
        check(result)
    mem_kb = None
    if memory:
        mem_kb, result = peak_memory_kb(call)
        check(result)
    return _timing(samples, warmup, query_count, mem_kb)


def measure_pair(
    call: Callable[[], Any],
    floor: Callable[[], Any],
    *,
    warmup: int,
    runs: int,
    check: Callable[[Any], None] | None = None,
    queries: bool = True,
) -> tuple[Timing, Timing]:
    """Time `call` and the `floor` it is held to in alternation (call, floor, call, floor…), then
    `call`'s query count and both peak memories. A ratio of two measurements made one after the
    other is that of two machines when the load of a shared one drifts between them (the
    same code measured 3.0x and 3.7x its floor in two runs minutes apart); alternated, each
    sample of one has a sample of the other beside it. `check` validates `call`'s results."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    check = check or (lambda result: None)
    for _ in range(warmup):
        check(call())
        floor()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for timed, own in ((call, samples[0]), (floor, samples[1])):
            start = time.perf_counter()
            result = timed()
            own.append(time.perf_counter() - start)
            if timed is call:
                check(result)
    query_count = None
    if queries:
        query_count, result = count_queries(call)
        check(result)
    call_kb, result = peak_memory_kb(call)
    check(result)
    floor_kb, _ = peak_memory_kb(floor)
    return (
        _timing(samples[0], warmup, query_count, call_kb),
        _timing(samples[1], warmup, None, floor_kb),
    )


def _timing(samples: list[float], warmup: int, queries: int | None, mem_kb) -> Timing:
    summary = summarize_ms(samples)
    return Timing(
        runs=len(samples),
        warmup=warmup,
        median_ms=summary["median_ms"],
        p95_ms=summary["p95_ms"],
        min_ms=summary["min_ms"],
        max_ms=summary["max_ms"],
        queries=queries,
        mem_peak_kb=mem_kb,
    )
