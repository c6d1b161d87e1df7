"""The representation of a lot trace (`config.api.representations`): the one definition of its
body, built straight from `inventory.genealogy`'s dataclasses; `LotTraceSerializer` is its
schema and delegates here (`tests/inventory/test_genealogy_api.py` holds the two together).
A trace of 10,000 lots is a body of 10,000 lots and as many links: DRF's fields would take
several times longer."""

from config.api.renderers import Camelized, JSONNumbers, json_number
from config.api.representations import datetime_text
from inventory.genealogy import LotTrace, TraceLot

EMPTY = ()  # an empty list in JSON; one object, not two new lists per lot for the GC to walk


def _lot_body(lot: TraceLot, items: dict) -> dict:
    item = lot.item
    ref = items.get(item.id)
    if ref is None:
        ref = items[item.id] = {"id": item.id, "number": item.number, "name": item.name}
    return {
        "id": lot.id,
        "number": lot.number,
        "item": ref,
        "uom": item.uom,
        "level": lot.level,
        "onHand": [
            {
                "warehouse": {"id": s.warehouse.id, "code": s.warehouse.code},
                "quantity": json_number(s.quantity),
            }
            for s in lot.on_hand
        ]
        if lot.on_hand
        else EMPTY,
        "issued": [
            {
                "moveId": i.move_id,
                "warehouse": {"id": i.warehouse.id, "code": i.warehouse.code},
                "quantity": json_number(i.quantity),
                "reference": i.reference,
                "createdAt": datetime_text(i.created_at),
            }
            for i in lot.issued
        ]
        if lot.issued
        else EMPTY,
    }


def trace_body(trace: LotTrace) -> Camelized:
    """Each distinct quantity's number is made once: the links repeat the same few quantities.
    The ids are text already (`inventory.genealogy`)."""
    items: dict = {}
    lots = [_lot_body(lot, items) for lot in [trace.lot, *trace.lots]]
    number = JSONNumbers().__getitem__  # quantities at the column's places (genealogy._qty)

    return Camelized(
        direction=trace.direction,
        depth=trace.depth,
        lot=lots[0],
        lots=lots[1:],
        links=[
            {
                "level": link.level,
                "productionOrderId": link.production_order_id,
                "orderReference": link.order_reference,
                "consumedLotId": link.consumed_lot_id,
                "consumedQuantity": number(link.consumed_quantity),
                "producedLotId": link.produced_lot_id,
                "producedQuantity": number(link.produced_quantity),
            }
            for link in trace.links
        ],
    )
