"""The MRP bench data and scenario: valid data on exact levels, and the figures the targets
read, measured on a small run."""

import itertools

import pytest

from bench.context import Context
from bench.planning_data import build_planning, planning_level_sizes
from bench.profiles import QUICK
from bench.results import Results
from bench.scenarios.planning import mrp
from bench.targets import TARGETS, evaluate
from inventory.models import StockLevel, StockMove
from items.models import Item
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.services import bom_content_hash
from manufacturing.planning.models import Demand, PlanItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("items", "levels"), [(100, 5), (10_000, 5), (60, 2)])
def test_levels_hold_exactly_the_items_and_widen_downwards(items, levels):
    sizes = planning_level_sizes(items, levels)
    assert sum(sizes) == items and len(sizes) == levels
    assert all(a <= b for a, b in itertools.pairwise(sizes))


def test_the_data_follows_the_services_rules_and_plans_on_its_levels():
    data = build_planning(items=100, levels=5, demands=40, horizon_days=90)

    assert Item.objects.filter(number__startswith="BN-P100-").count() == 100
    boms = list(BOM.objects.filter(number__startswith="BN-P100-BOM-"))
    assert len(boms) == data.boms == 100 - planning_level_sizes(100, 5)[-1]
    for bom in boms:
        assert bom.status == BOMStatus.SUBMITTED and bom.is_default
        assert bom.content_hash == bom_content_hash(bom=bom)
        bom.full_clean()
    assert Demand.objects.count() == 40
    assert StockLevel.objects.count() == StockMove.objects.count() == data.stocked == 50
    with pytest.raises(Exception, match="exist already"):
        build_planning(items=100, levels=5)

    results = Results()
    ctx = Context(profile=QUICK, results=results, env={}, token="unused")
    mrp(ctx)

    metrics = results.metrics
    assert metrics["mrp.levels"] == 5
    assert metrics["mrp.queries"] == metrics["mrp.queries_per_level"] * 5
    assert metrics["mrp.run_s"] > 0 and metrics["mrp.mem_peak_mb"] > 0
    levels = dict(
        PlanItem.objects.filter(run__is_current=True).values_list("item__number", "level")
    )
    assert {number.split("-")[2] for number in levels} <= {"0", "1", "2", "3", "4"}
    assert all(levels[n] == int(n.split("-")[2]) for n in levels)
    statuses = {r.target.key: r.status for r in evaluate(TARGETS, metrics)}
    assert statuses["mrp.queries_per_level"] == "met"
    assert statuses["mrp.mem_peak_mb"] == "met"
