"""The targets of issue 7, as data: which measured figure, compared how, against what.

A figure is a key of the run's flat `metrics` (see bench.results). A target whose figure was not
measured in this run (scenario skipped, quick run, --only) is `not measured`, never `met`.
"""

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

EXPLOSION_DEPTH = 5
LOT_TRACE_DEPTH = 4  # levels of lots in bench.scenarios.lots

MET = "met"
NOT_MET = "not met"
NOT_MEASURED = "not measured"

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True)
class Target:
    name: str
    key: str
    comparator: str
    threshold: float
    unit: str = ""

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}")


@dataclass(frozen=True)
class TargetResult:
    target: Target
    value: float | None
    status: str

    def as_dict(self) -> dict:
        return {
            "name": self.target.name,
            "key": self.target.key,
            "comparator": self.target.comparator,
            "threshold": self.target.threshold,
            "unit": self.target.unit,
            "value": self.value,
            "status": self.status,
        }


_MAX_GRAPH_QUERIES = EXPLOSION_DEPTH + 3

TARGETS: tuple[Target, ...] = (
    # Query counts (authentication included), in-process.
    Target("items list (page of 20): queries", "items_list.queries", "<=", 4),
    Target("BOM list (page of 20): queries", "bom_list.queries", "<=", 6),
    Target("BOM detail (36 lines): queries", "bom_detail.queries", "<=", 6),
    Target("BOM detail: queries constant in lines (36 vs 5)", "bom_detail.query_growth", "==", 0),
    Target(
        "explosion: queries <= depth + 3 at every size",
        "explosion.queries_max",
        "<=",
        _MAX_GRAPH_QUERIES,
    ),
    Target(
        "where-used: queries <= depth + 3 at every size",
        "where_used.queries_max",
        "<=",
        _MAX_GRAPH_QUERIES,
    ),
    Target(
        "explosion 10,000 nodes: time vs bare recursive SQL",
        "explosion.10000.ratio_to_sql",
        "<=",
        3,
        "x",
    ),
    Target(
        "where-used 10,000 nodes: time vs bare recursive SQL",
        "where_used.10000.ratio_to_sql",
        "<=",
        3,
        "x",
    ),
    Target(
        "lot trace 10,000 lots: queries <= depth + 3",
        "lot_trace.queries_max",
        "<=",
        LOT_TRACE_DEPTH + 3,
    ),
    Target(
        "lot trace back 10,000 lots: time vs bare recursive SQL",
        "lot_trace.back.ratio_to_sql",
        "<=",
        3,
        "x",
    ),
    Target(
        "lot trace forward 10,000 lots: time vs bare recursive SQL",
        "lot_trace.forward.ratio_to_sql",
        "<=",
        3,
        "x",
    ),
    Target(
        "order confirm: queries same at 5 and 50 components", "order.confirm.query_growth", "==", 0
    ),
    Target(
        "order produce: queries same at 5 and 50 components", "order.produce.query_growth", "==", 0
    ),
    # Engineering change (issue 14): two 500-line versions compared over the API (six queries
    # of its own, the rest authentication).
    Target("BOM compare 500 lines: queries", "bom_compare.500.queries", "<=", 9),
    Target("BOM compare: queries same at 5 and 500 lines", "bom_compare.query_growth", "==", 0),
    Target("BOM compare 500 lines: median time", "bom_compare.500.median_ms", "<=", 1000, "ms"),
    # HTTP under gunicorn, concurrency 8, relative to GET /api/health in the same run.
    Target("HTTP c8 BOM detail: throughput vs health", "http.bom_detail.c8.ratio", ">=", 0.25, "x"),
    Target("HTTP c8 items list: throughput vs health", "http.items_list.c8.ratio", ">=", 0.35, "x"),
    Target("HTTP: errors over all runs", "http.errors_total", "==", 0),
    # BOM import (manage.py import_boms), as a subprocess.
    Target("import 100,000 lines: wall time", "import_boms.100000.wall_s", "<=", 60, "s"),
    Target(
        "import 100,000 lines: time vs bulk_create of the same rows",
        "import_boms.100000.ratio_to_bulk",
        "<=",
        2,
        "x",
    ),
    Target("import 100,000 lines: peak RSS", "import_boms.100000.peak_rss_mb", "<=", 300, "MB"),
    Target(
        "import: peak RSS growth, smallest to largest file",
        "import_boms.rss_growth_mb",
        "<=",
        25,
        "MB",
    ),
    # MRP (issue 13): 10,000 items, 5 levels, 2,000 demands, stock on half the items.
    Target("MRP run 10,000 items x 5 levels: run time", "mrp.run_s", "<=", 10, "s"),
    Target("MRP run: queries per BOM level", "mrp.queries_per_level", "<=", 10),
    Target("MRP run: memory added (tracemalloc)", "mrp.mem_peak_mb", "<=", 300, "MB"),
    # Memory.
    Target(
        "gunicorn worker peak RSS over the HTTP runs", "http.worker_peak_rss_mb", "<=", 250, "MB"
    ),
    Target(
        "explosion 10,000 nodes: memory added (tracemalloc)",
        "explosion.10000.mem_peak_mb",
        "<=",
        50,
        "MB",
    ),
)


def evaluate(
    targets: tuple[Target, ...] | list[Target], metrics: Mapping[str, float | None]
) -> list[TargetResult]:
    results = []
    for target in targets:
        value = metrics.get(target.key)
        if value is None:
            results.append(TargetResult(target, None, NOT_MEASURED))
            continue
        passed = COMPARATORS[target.comparator](value, target.threshold)
        results.append(TargetResult(target, value, MET if passed else NOT_MET))
    return results


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 0.01 else f"{value:.3g}"


def format_line(result: TargetResult, width: int = 100) -> str:
    """`<name>: <value> (target <= 4) .... met`: the status always ends the line."""
    t = result.target
    value = "—" if result.value is None else _number(result.value) + t.unit
    left = f"{t.name}: {value} (target {t.comparator} {_number(t.threshold)}{t.unit}) "
    dots = "." * max(3, width - len(left) - len(result.status) - 1)
    return f"{left}{dots} {result.status}"
