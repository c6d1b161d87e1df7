"""The lot-trace bench's bare SQL computes what the selector answers (the same links, lots
and quantities), so its ratio compares like with like."""

from uuid import UUID

import pytest

from bench.lot_pyramid import lot_pyramid_build
from bench.scenarios.lots import bare_lot_trace
from inventory.genealogy import lot_trace
from inventory.models import Lot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("direction", ["back", "forward"])
def test_bare_sql_and_selector_agree(direction):
    pyramid = lot_pyramid_build(fan=3, levels=4, direction=direction, prefix="T")
    trace = lot_trace(lot=Lot.objects.get(pk=pyramid.root_lot_id), direction=direction)
    numbers = {lot.id: lot.number for lot in [trace.lot, *trace.lots]}

    bare = sorted(
        (str(UUID(str(order))), consumed, float(cq), produced, float(pq))
        for order, consumed, cq, produced, pq in bare_lot_trace(
            lot_id=pyramid.root_lot_id, direction=direction
        )
    )
    selector = sorted(
        (
            link.production_order_id,
            numbers[link.consumed_lot_id],
            float(link.consumed_quantity),
            numbers[link.produced_lot_id],
            float(link.produced_quantity),
        )
        for link in trace.links
    )
    assert len(bare) == pyramid.links == len(selector)
    assert bare == selector
