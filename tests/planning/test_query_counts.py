"""The MRP run is set-based: its queries do not grow with items, demands or stock, and stay
within 10 per level (the bench target)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.planning_data import build_planning
from manufacturing.planning.models import PlanItem, PlannedOrder
from tests.planning.fixtures import TODAY, run_now

pytestmark = pytest.mark.django_db


def _run_queries() -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        run = run_now()
    return len(captured), run


def test_run_queries_are_flat_from_100_to_10000_items():
    small = build_planning(items=100, levels=5, demands=20, today=TODAY)
    queries_small, run_small = _run_queries()
    assert run_small.counts["levels"] == 5
    assert run_small.counts["items"] > 50

    large = build_planning(items=10_000, levels=5, demands=2_000, today=TODAY)
    queries_large, run_large = _run_queries()

    assert run_large.counts["levels"] == 5
    assert PlanItem.objects.filter(run=run_large).count() > 5_000
    assert PlannedOrder.objects.filter(run=run_large).count() > run_small.counts["plannedOrders"]
    assert small.items + large.items == 10_100
    assert queries_large == queries_small
    assert queries_large <= 10 * 5


def test_run_queries_do_not_grow_with_levels():
    build_planning(items=60, levels=2, demands=10, today=TODAY)
    queries_two, run = _run_queries()
    assert run.counts["levels"] == 2
    build_planning(items=80, levels=5, demands=10, today=TODAY)
    queries_five, run = _run_queries()
    assert run.counts["levels"] == 5
    assert queries_five == queries_two
