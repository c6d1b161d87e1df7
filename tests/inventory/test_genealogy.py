"""Lot genealogy (inventory.genealogy): both directions over three levels of real production
orders, split and merged lots, cycles, and one query whatever the number of lots."""

import json
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.lot_pyramid import lot_pyramid_build, pyramid_lot_count
from config.api.renderers import JSONRenderer
from config.api.representations import datetime_text
from inventory.genealogy import lot_trace_back, lot_trace_forward, trace_tree
from inventory.models import Lot, MoveKind, StockMove
from inventory.representations import trace_body
from tests.inventory.factories import main_warehouse, receive
from tests.inventory.genealogy_fixtures import _build, make_genealogy
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, line

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


# --- What the statement's shape could alter: ids, order, quantities over batches -------------

UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_ids_are_the_canonical_text_of_the_uuids_on_every_database():
    """SQLite keeps 32 hex digits, PostgreSQL a uuid: both come out as `str(uuid)`."""
    g = make_genealogy()
    trace = lot_trace_forward(lot=g.lot("P1"))
    lots = [trace.lot, *trace.lots]
    ids = [lot.id for lot in lots] + [lot.item.id for lot in lots]
    ids += [s.warehouse.id for lot in lots for s in lot.on_hand]
    ids += [i.move_id for lot in lots for i in lot.issued]
    ids += [i.warehouse.id for lot in lots for i in lot.issued]
    for link in trace.links:
        ids += [link.production_order_id, link.consumed_lot_id, link.produced_lot_id]
    assert all(type(value) is str and UUID_TEXT.match(value) for value in ids), ids
    assert {lot.id: lot.number for lot in lots} == {
        str(pk): number for pk, number in Lot.objects.values_list("pk", "number")
    }
    assert {lot.item.id for lot in lots} == {
        str(item.pk) for item in (g.pellet, g.resin, g.sub, g.fin)
    }
    assert [i.move_id for i in trace.lots[-2].issued] == [
        str(StockMove.objects.get(kind=MoveKind.ISSUE).pk)
    ]
    assert {link.production_order_id for link in trace.links} == {
        str(order.pk) for order in g.orders.values()
    }


def _named(body, names: dict) -> dict:
    """The body with every id replaced by the name of what it identifies."""
    text = JSONRenderer().render(body).decode()
    for key, name in names.items():
        text = text.replace(f'"{key}"', f'"{name}"')
    return json.loads(text)


def _names(g) -> dict:
    names = {str(lot.pk): f"lot {lot.number}" for lot in Lot.objects.all()}
    names |= {str(order.pk): f"order {name}" for name, order in g.orders.items()}
    names |= {str(item.pk): f"item {item.number}" for item in (g.pellet, g.resin, g.sub, g.fin)}
    names |= {str(main_warehouse().pk): "warehouse WH"}
    names |= {str(m.pk): f"move {m.reference}" for m in StockMove.objects.filter(kind="issue")}
    return names


def _lot(number: str, item, level: int, on_hand=(), issued=()) -> dict:
    wh = {"id": "warehouse WH", "code": "WH"}
    return {
        "id": f"lot {number}",
        "number": number,
        "item": {"id": f"item {item.number}", "number": item.number, "name": item.name},
        "uom": item.uom.symbol,
        "level": level,
        "onHand": [{"warehouse": wh, "quantity": q} for q in on_hand],
        "issued": [
            {
                "moveId": f"move {ref}",
                "warehouse": wh,
                "quantity": q,
                "reference": ref,
                "createdAt": at,
            }
            for ref, q, at in issued
        ],
    }


def _link(level: int, order: str, ref: dict, consumed: str, cq, produced: str, pq) -> dict:
    return {
        "level": level,
        "productionOrderId": f"order {order}",
        "orderReference": ref[order],
        "consumedLotId": f"lot {consumed}",
        "consumedQuantity": cq,
        "producedLotId": f"lot {produced}",
        "producedQuantity": pq,
    }


def test_the_body_of_a_three_level_split_and_merge_is_pinned_whole():
    """Every field, and the order of lots (level, item, number) and links (level, order
    reference, consumed lot, produced lot), as the body was before the statement took its
    present shape."""
    g = make_genealogy()
    ref = {name: order.reference for name, order in g.orders.items()}
    names = _names(g)
    issue = StockMove.objects.get(kind=MoveKind.ISSUE)
    issued_at = datetime_text(issue.created_at)

    back = _named(trace_body(lot_trace_back(lot=g.lot("FIN-2"))), names)
    assert back == {
        "direction": "back",
        "depth": 3,
        "lot": _lot("FIN-2", g.fin, 0, on_hand=[8.0]),
        "lots": [
            _lot("SUB-A", g.sub, 1),
            _lot("SUB-B", g.sub, 1),
            _lot("R1", g.resin, 2),
            _lot("R2", g.resin, 2),
            _lot("P1", g.pellet, 3, on_hand=[10.0]),
        ],
        "links": [
            _link(1, "fin-2", ref, "SUB-A", 3.0, "FIN-2", 8.0),
            _link(1, "fin-2", ref, "SUB-B", 5.0, "FIN-2", 8.0),
            _link(2, "sub-a", ref, "R1", 10.0, "SUB-A", 15.0),
            _link(2, "sub-a", ref, "R2", 5.0, "SUB-A", 15.0),
            _link(2, "sub-b", ref, "R2", 5.0, "SUB-B", 5.0),
            _link(3, "resin", ref, "P1", 40.0, "R1", 10.0),
            _link(3, "resin", ref, "P1", 40.0, "R2", 10.0),
        ],
    }
    forward = _named(trace_body(lot_trace_forward(lot=g.lot("P1"))), names)
    assert forward == {
        "direction": "forward",
        "depth": 3,
        "lot": _lot("P1", g.pellet, 0, on_hand=[10.0]),
        "lots": [
            _lot("R1", g.resin, 1),
            _lot("R2", g.resin, 1),
            _lot("SUB-A", g.sub, 2),
            _lot("SUB-B", g.sub, 2),
            _lot("FIN-1", g.fin, 3, on_hand=[8.0], issued=[("SO-1001", 4.0, issued_at)]),
            _lot("FIN-2", g.fin, 3, on_hand=[8.0]),
        ],
        "links": [
            _link(1, "resin", ref, "P1", 40.0, "R1", 10.0),
            _link(1, "resin", ref, "P1", 40.0, "R2", 10.0),
            _link(2, "sub-a", ref, "R1", 10.0, "SUB-A", 15.0),
            _link(2, "sub-a", ref, "R2", 5.0, "SUB-A", 15.0),
            _link(2, "sub-b", ref, "R2", 5.0, "SUB-B", 5.0),
            _link(3, "fin-1", ref, "SUB-A", 12.0, "FIN-1", 12.0),
            _link(3, "fin-2", ref, "SUB-A", 3.0, "FIN-2", 8.0),
            _link(3, "fin-2", ref, "SUB-B", 5.0, "FIN-2", 8.0),
        ],
    }


def test_an_orders_batches_into_one_lot_are_summed_and_its_other_lots_left_out():
    """Two batches into the same lot, each consuming the same component lot: one link, with
    both batches' quantities. An order that made two lots, traced back from one: that lot's
    quantity only."""
    pellet = ItemFactory(number="PEL", tracking="lot", uom=unit("kg"))
    resin = ItemFactory(number="RES", tracking="lot", uom=unit("kg"))
    BOMFactory(product=resin, lines=[line(pellet, 2, "kg")], status="submitted")
    receive(pellet, 30, lot="PA")
    order = _build(resin, "10", [("4", "RX"), ("6", "RX")], None)
    assert StockMove.objects.filter(production_order_id=order.pk, lot__number="RX").count() == 2
    assert StockMove.objects.filter(production_order_id=order.pk, lot__number="PA").count() == 2
    rx, pa = Lot.objects.get(number="RX"), Lot.objects.get(number="PA")

    for trace in (lot_trace_back(lot=rx), lot_trace_forward(lot=pa)):
        assert link_rows(trace) == [(1, order.reference, "PA", D(20), "RX", D(10))]
        assert [link.production_order_id for link in trace.links] == [str(order.pk)]

    g = make_genealogy()
    ref = g.orders["resin"].reference
    assert link_rows(lot_trace_back(lot=g.lot("R1"))) == [(1, ref, "P1", D(40), "R1", D(10))]
    assert link_rows(lot_trace_forward(lot=g.lot("R1")))[0] == (
        1,
        g.orders["sub-a"].reference,
        "R1",
        D(10),
        "SUB-A",
        D(15),
    )
