"""Lot genealogy (inventory.genealogy): both directions over three levels of real production
orders, split and merged lots, cycles, and one query whatever the number of lots."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.lot_pyramid import lot_pyramid_build, pyramid_lot_count
from inventory.genealogy import lot_trace_back, lot_trace_forward, trace_tree
from inventory.models import Lot, MoveKind, StockMove
from tests.inventory.factories import main_warehouse, receive
from tests.inventory.genealogy_fixtures import make_genealogy
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def lot_levels(trace) -> list[tuple[str, int]]:
    return [(lot.number, lot.level) for lot in trace.lots]


def link_rows(trace) -> list[tuple]:
    lots = trace.by_id()
    return [
        (
            link.level,
            link.order_reference,
            lots[link.consumed_lot_id].number,
            link.consumed_quantity,
            lots[link.produced_lot_id].number,
            link.produced_quantity,
        )
        for link in trace.links
    ]


def test_trace_back_reaches_every_component_lot_through_every_level():
    g = make_genealogy()
    ref = {name: order.reference for name, order in g.orders.items()}

    trace = lot_trace_back(lot=g.lot("FIN-2"))

    assert (trace.lot.number, trace.lot.item.number, trace.lot.level) == ("FIN-2", "FIN", 0)
    assert lot_levels(trace) == [
        ("SUB-A", 1),
        ("SUB-B", 1),
        ("R1", 2),
        ("R2", 2),
        ("P1", 3),
    ]
    # Quantities are what each order consumed of the lot (all its batches) and produced of it.
    assert sorted(link_rows(trace)) == sorted(
        [
            (1, ref["fin-2"], "SUB-A", D(3), "FIN-2", D(8)),
            (1, ref["fin-2"], "SUB-B", D(5), "FIN-2", D(8)),
            (2, ref["sub-a"], "R1", D(10), "SUB-A", D(15)),
            (2, ref["sub-a"], "R2", D(5), "SUB-A", D(15)),
            (2, ref["sub-b"], "R2", D(5), "SUB-B", D(5)),
            (3, ref["resin"], "P1", D(40), "R1", D(10)),
            (3, ref["resin"], "P1", D(40), "R2", D(10)),
        ]
    )
    assert trace.depth == 3
    assert {link.production_order_id for link in trace.links} == {
        str(g.orders[name].pk) for name in ("fin-2", "sub-a", "sub-b", "resin")
    }


def test_trace_forward_reaches_every_lot_containing_it_and_where_it_is():
    g = make_genealogy()
    ref = {name: order.reference for name, order in g.orders.items()}

    trace = lot_trace_forward(lot=g.lot("P1"))

    assert lot_levels(trace) == [
        ("R1", 1),
        ("R2", 1),
        ("SUB-A", 2),
        ("SUB-B", 2),
        ("FIN-1", 3),
        ("FIN-2", 3),
    ]
    assert sorted(link_rows(trace)) == sorted(
        [
            (1, ref["resin"], "P1", D(40), "R1", D(10)),
            (1, ref["resin"], "P1", D(40), "R2", D(10)),
            (2, ref["sub-a"], "R1", D(10), "SUB-A", D(15)),
            (2, ref["sub-a"], "R2", D(5), "SUB-A", D(15)),
            (2, ref["sub-b"], "R2", D(5), "SUB-B", D(5)),
            (3, ref["fin-1"], "SUB-A", D(12), "FIN-1", D(12)),
            (3, ref["fin-2"], "SUB-A", D(3), "FIN-2", D(8)),
            (3, ref["fin-2"], "SUB-B", D(5), "FIN-2", D(8)),
        ]
    )
    lots = {lot.number: lot for lot in trace.lots}
    assert [(s.warehouse.code, s.quantity) for s in lots["FIN-1"].on_hand] == [("WH", D(8))]
    assert [(i.reference, i.quantity, i.warehouse.code) for i in lots["FIN-1"].issued] == [
        ("SO-1001", D(4), "WH")
    ]
    assert [(s.warehouse.code, s.quantity) for s in lots["FIN-2"].on_hand] == [("WH", D(8))]
    assert lots["FIN-2"].issued == ()
    # Fully consumed lots are on hand nowhere; the traced lot has its whereabouts too.
    assert lots["SUB-A"].on_hand == () and lots["R2"].on_hand == ()
    assert [(s.warehouse.code, s.quantity) for s in trace.lot.on_hand] == [("WH", D(10))]


def test_split_lot_forward_reaches_both_lots_it_went_into():
    g = make_genealogy()
    trace = lot_trace_forward(lot=g.lot("R2"))
    assert lot_levels(trace) == [("SUB-A", 1), ("SUB-B", 1), ("FIN-1", 2), ("FIN-2", 2)]


def test_merged_lot_back_reaches_both_component_lots():
    g = make_genealogy()
    trace = lot_trace_back(lot=g.lot("SUB-A"))
    assert lot_levels(trace) == [("R1", 1), ("R2", 1), ("P1", 2)]


def test_a_lot_no_order_touched_has_an_empty_trace():
    item = ItemFactory(tracking="lot")
    receive(item, 5, lot="LONE")
    lot = Lot.objects.get(number="LONE")
    for trace in (lot_trace_back(lot=lot), lot_trace_forward(lot=lot)):
        assert trace.lots == [] and trace.links == []
        assert [(s.warehouse.code, s.quantity) for s in trace.lot.on_hand] == [("WH", D(5))]


def test_a_purchased_lot_has_nothing_behind_it_and_a_finished_one_nothing_ahead():
    g = make_genealogy()
    assert lot_trace_back(lot=g.lot("P1")).links == []
    assert lot_trace_forward(lot=g.lot("FIN-2")).links == []


def _join(consumed: Lot, produced: Lot, reference: str) -> None:
    order_id, warehouse = uuid.uuid4(), main_warehouse()
    StockMove.objects.bulk_create(
        [
            StockMove(
                kind=MoveKind.CONSUMPTION,
                item_id=consumed.item_id,
                quantity=D(1),
                from_warehouse=warehouse,
                lot=consumed,
                production_order_id=order_id,
                reference=reference,
            ),
            StockMove(
                kind=MoveKind.PRODUCTION,
                item_id=produced.item_id,
                quantity=D(1),
                to_warehouse=warehouse,
                lot=produced,
                production_order_id=order_id,
                reference=reference,
            ),
        ]
    )


def test_a_cycle_in_the_ledger_ends_the_walk():
    """Rework: A went into B, B was reworked back into A, and A is reworked into itself."""
    item = ItemFactory(tracking="lot")
    a, b = (Lot.objects.create(item=item, number=n) for n in ("A", "B"))
    _join(a, b, "MO-1")
    _join(b, a, "MO-2")
    _join(a, a, "MO-3")

    back, forward = lot_trace_back(lot=a), lot_trace_forward(lot=a)

    assert lot_levels(back) == [("B", 1)] and lot_levels(forward) == [("B", 1)]
    assert sorted(link.order_reference for link in back.links) == ["MO-1", "MO-2", "MO-3"]
    rows, truncated = trace_tree(back)
    assert not truncated
    assert [(r.depth, r.lot.number, r.repeated) for r in rows] == [
        (0, "A", False),
        (1, "B", False),
        (2, "A", True),
        (1, "A", True),
    ]


def test_tree_shows_a_shared_lot_once_and_marks_it_after():
    g = make_genealogy()
    rows, truncated = trace_tree(lot_trace_forward(lot=g.lot("R2")))
    assert not truncated
    assert [(r.depth, r.lot.number, r.repeated) for r in rows] == [
        (0, "R2", False),
        (1, "SUB-A", False),
        (2, "FIN-1", False),
        (2, "FIN-2", False),
        (1, "SUB-B", False),
        (2, "FIN-2", True),
    ]
    rows, truncated = trace_tree(lot_trace_forward(lot=g.lot("R2")), limit=3)
    assert truncated and len(rows) == 3


@pytest.mark.parametrize("direction", ["back", "forward"])
def test_one_query_from_10_to_10000_lots(direction):
    """Four levels of lots; 15 lots (fan 2) against 9,724 (fan 21)."""
    small = lot_pyramid_build(fan=2, levels=4, direction=direction, prefix="S")
    large = lot_pyramid_build(fan=21, levels=4, direction=direction, prefix="L")
    assert large.lots == pyramid_lot_count(fan=21, levels=4) > 9000
    trace_of = lot_trace_back if direction == "back" else lot_trace_forward
    counts = []
    for pyramid in (small, large):
        lot = Lot.objects.get(pk=pyramid.root_lot_id)
        with CaptureQueriesContext(connection) as queries:
            trace = trace_of(lot=lot)
        counts.append(len(queries))
        assert len(trace.lots) == pyramid.lots - 1
        assert len(trace.links) == pyramid.links
        assert trace.depth == 3
    assert counts == [1, 1]
