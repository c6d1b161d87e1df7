"""The MRP run (issue 13): 10,000 items on 5 levels, 2,000 demands over 90 days, stock on half
the items. One run timed, one more with its queries counted, one more under tracemalloc for
the memory it adds: a run takes seconds, so twenty timed runs would say little more."""

import time

from bench.context import Context
from bench.planning_data import PlanningData, build_planning
from bench.registry import Part, register_part, scenario
from bench.timing import count_queries, peak_memory_kb

PLANNING = (
    "manufacturing.models:PlanningRun",
    "manufacturing.models:Demand",
    "inventory.models:StockLevel",
    "manufacturing.models:BOM",
)
MRP_ITEMS = 10_000
MRP_LEVELS = 5
MRP_DEMANDS = 2_000
MRP_HORIZON_DAYS = 90


def _planning(ctx: Context) -> PlanningData:
    return build_planning(
        items=MRP_ITEMS,
        levels=MRP_LEVELS,
        demands=MRP_DEMANDS,
        horizon_days=MRP_HORIZON_DAYS,
        stock_share=0.5,
    )


register_part(Part("planning", _planning, requires=PLANNING))


def mrp_once() -> dict:
    """Start and run MRP in-process (what the background job does), return the run's counts."""
    from manufacturing.planning import services

    run = services.mrp_run_start(actor=None, background=False)
    run = services.mrp_run(run=run)
    if run.status != "succeeded":
        raise RuntimeError(f"MRP run {run.pk} ended {run.status}: {run.error}")
    return run.counts


@scenario("mrp", needs=("planning",), requires=PLANNING, mutates=True)
def mrp(ctx: Context) -> None:
    """MRP over the whole bench database (the planning part dominates it): run time, queries,
    queries per level and the Python memory a run adds."""
    start = time.perf_counter()
    counts = mrp_once()
    seconds = time.perf_counter() - start
    # Separate runs: capturing queries formats the plan's large INSERT parameters, tracemalloc
    # slows every allocation; neither belongs in the timed run.
    queries, _ = count_queries(mrp_once)
    mem_kb, _ = peak_memory_kb(mrp_once)
    levels = counts["levels"]
    ctx.results.inprocess["mrp"] = {
        "runs": 1,
        "warmup": 0,
        "median_ms": round(seconds * 1000, 1),
        "p95_ms": round(seconds * 1000, 1),
        "queries": queries,
        "mem_peak_kb": mem_kb,
        "counts": counts,
    }
    ctx.record("mrp.run_s", round(seconds, 2))
    ctx.record("mrp.queries", queries)
    ctx.record("mrp.levels", levels)
    ctx.record("mrp.queries_per_level", round(queries / max(levels, 1), 2))
    ctx.record("mrp.planned_orders", counts["plannedOrders"])
    ctx.record("mrp.mem_peak_mb", round(mem_kb / 1024, 2))
