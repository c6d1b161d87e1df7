"""Lot genealogy, read from the ledger: which lots went into a lot (`lot_trace_back`) and which
lots a lot went into, and where those are now (`lot_trace_forward`).

A production order joins lots: its `consumption` moves take component lots, its `production`
moves receive finished lots, and both carry `production_order_id` (a plain id: inventory knows
nothing of manufacturing, and the order's number is the moves' `reference`). Every component lot
an order consumed is linked to every lot it produced: the ledger does not pair the batches of
one order, and a recall must rather list one lot too many than miss one.

Each trace is ONE statement: a recursive CTE walks the links level by level (`UNION`, not
`UNION ALL`, so a link already found is never walked again: a cycle, such as a rework order that
consumes and produces the same lot, ends the walk instead of looping), and the same statement
returns the lots, the links with their quantities, the lots' balances per warehouse and their
issues. The query count does not depend on the number of lots or levels.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.exceptions import ValidationFailed
from inventory.models import Lot, LotBalance, MoveKind, StockMove, Warehouse
from items.models import QTY, Item, UnitOfMeasure

BACK = "back"
FORWARD = "forward"
DIRECTIONS = (BACK, FORWARD)
QTY_STEP = Decimal(1).scaleb(-QTY["decimal_places"])


# Ids are the canonical text of the UUIDs (`str(uuid)`), as the API shows them: a trace of
# 10,000 lots names some 50,000 ids, and building, hashing and printing that many UUID objects
# was most of its time.


@dataclass(frozen=True)
class ItemRef:
    id: str
    number: str
    name: str
    uom: str


@dataclass(frozen=True)
class WarehouseRef:
    id: str
    code: str


@dataclass(frozen=True)
class LotStock:
    warehouse: WarehouseRef
    quantity: Decimal


@dataclass(frozen=True)
class LotIssue:
    move_id: str
    warehouse: WarehouseRef
    quantity: Decimal
    reference: str
    created_at: datetime


@dataclass(slots=True)
class TraceLot:
    """`on_hand` and `issued` are tuples: most lots of a trace have neither, and two empty lists
    per lot were 20,000 more objects for the garbage collector to walk."""

    id: str
    number: str
    item: ItemRef
    level: int = 0
    on_hand: tuple[LotStock, ...] = ()
    issued: tuple[LotIssue, ...] = ()

    @property
    def uom(self) -> str:
        return self.item.uom


@dataclass(slots=True)
class TraceLink:
    """`production_order_id` consumed `consumed_quantity` of the consumed lot and produced
    `produced_quantity` of the produced lot. `level` 1 touches the traced lot."""

    production_order_id: str
    order_reference: str
    consumed_lot_id: str
    consumed_quantity: Decimal
    produced_lot_id: str
    produced_quantity: Decimal
    level: int


@dataclass
class LotTrace:
    """`lot` is the traced lot (level 0); `lots` every other lot reached, by level; `links` the
    production orders joining them."""

    direction: str
    lot: TraceLot
    lots: list[TraceLot]
    links: list[TraceLink]

    @property
    def depth(self) -> int:
        return max((lot.level for lot in self.lots), default=0)

    def by_id(self) -> dict[str, TraceLot]:
        return {self.lot.id: self.lot, **{lot.id: lot for lot in self.lots}}


def lot_trace_back(*, lot: Lot) -> LotTrace:
    """From a (finished) lot down to every component lot it consumed, through every level of
    sub-assembly lots."""
    return _trace(lot, BACK)


def lot_trace_forward(*, lot: Lot) -> LotTrace:
    """From a (component) lot up to every lot that contains it, each with where it is now: on
    hand per warehouse and issued out (with the move's reference)."""
    return _trace(lot, FORWARD)


def lot_trace(*, lot: Lot, direction: str) -> LotTrace:
    """`lot_trace_back` or `lot_trace_forward`, by name (the API's and the command's choice)."""
    if direction not in DIRECTIONS:
        message = "Must be back or forward."
        raise ValidationFailed(f"direction: {message}", errors={"direction": [message]})
    return _trace(lot, direction)


# ---------------------------------------------------------------------------------------------
# The statement


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "move": qn(StockMove._meta.db_table),
        "lot": qn(Lot._meta.db_table),
        "balance": qn(LotBalance._meta.db_table),
        "warehouse": qn(Warehouse._meta.db_table),
        "item": qn(Item._meta.db_table),
        "uom": qn(UnitOfMeasure._meta.db_table),
    }


def _null(model, name: str) -> str:
    """A NULL typed like the column: PostgreSQL resolves a UNION's column types left to right, so
    an untyped NULL would become text and clash with the uuid or numeric rows below it."""
    return f"CAST(NULL AS {model._meta.get_field(name).db_type(connection)})"


def links_sql(direction: str) -> str:
    """The recursive CTE `links(produced_lot_id, order_id, consumed_lot_id)` from the lot given
    as the only parameter. Back: the orders that produced a lot, and the lots they consumed;
    forward: the orders that consumed a lot, and the lots they produced."""
    t = _tables()
    production, consumption = MoveKind.PRODUCTION.value, MoveKind.CONSUMPTION.value
    if direction == BACK:
        near, far, near_kind, far_kind, walk = "p", "c", production, consumption, "consumed_lot_id"
    else:
        near, far, near_kind, far_kind, walk = "c", "p", consumption, production, "produced_lot_id"
    step = f"""
        JOIN {t["move"]} {far}
          ON {far}.production_order_id = {near}.production_order_id
         AND {far}.kind = '{far_kind}' AND {far}.lot_id IS NOT NULL"""
    return f"""
    links (produced_lot_id, order_id, consumed_lot_id) AS (
        SELECT p.lot_id, {near}.production_order_id, c.lot_id
          FROM {t["move"]} {near} {step}
         WHERE {near}.lot_id = %s AND {near}.kind = '{near_kind}'
        UNION
        SELECT p.lot_id, {near}.production_order_id, c.lot_id
          FROM links l
          JOIN {t["move"]} {near}
            ON {near}.lot_id = l.{walk} AND {near}.kind = '{near_kind}' {step}
    )"""


def _id_text(column: str) -> str:
    """The id in `column` as its canonical text (`str(uuid)`, what the API shows): PostgreSQL
    casts its uuid (psycopg would otherwise build a UUID object for every occurrence of an id,
    some 50,000 in a trace of 10,000 lots); SQLite keeps 32 hex digits, given their dashes."""
    if connection.vendor == "sqlite":
        parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        return " || '-' || ".join(f"substr({column}, {at}, {n})" for at, n in parts)
    return f"CAST({column} AS text)"


def _number_text(expression: str) -> str:
    """A quantity as text on PostgreSQL (each distinct value becomes a Decimal once, in
    `_Quantities`); SQLite's int or float as it comes (`_qty`)."""
    if connection.vendor == "sqlite":
        return expression
    return f"CAST({expression} AS text)"


def trace_sql(direction: str) -> str:
    t = _tables()
    text, at = "CAST(NULL AS text)", _null(StockMove, "created_at")
    qty = text if connection.vendor != "sqlite" else _null(StockMove, "quantity")
    production, consumption = MoveKind.PRODUCTION.value, MoveKind.CONSUMPTION.value
    issue = MoveKind.ISSUE.value
    i, n = _id_text, _number_text
    move = t["move"]
    consumed = f"""(SELECT SUM(m.quantity) FROM {move} m
        WHERE m.lot_id = l.consumed_lot_id AND m.production_order_id = l.order_id
          AND m.kind = '{consumption}')"""
    # Columns: kind, id1, id2, id3, q1, q2, t1, t2, t3, t4, at; ids and (on PostgreSQL)
    # quantities as text. A link's consumed quantity is a correlated lookup, its produced
    # quantity and reference one join to the production moves of its lot and order (the link
    # exists because there is one), grouped per link: one lookup where two subqueries were.
    # Joining the CTEs to an aggregate instead let PostgreSQL, which cannot estimate a recursive
    # CTE's size, pick a nested loop of 10,000 x 10,000 rows. `CROSS JOIN` keeps the lots
    # outside and the ledger inside (its lot index) on SQLite, whose planner would otherwise
    # scan the whole ledger for issues; PostgreSQL plans it as the inner join it is.
    return f"""
    WITH RECURSIVE {links_sql(direction)},
    nodes (lot_id) AS (
        SELECT id FROM {t["lot"]} WHERE id = %s
        UNION SELECT produced_lot_id FROM links
        UNION SELECT consumed_lot_id FROM links
    )
    SELECT 'lot', {i("lot.id")}, {i("lot.item_id")}, {text}, {qty}, {qty},
           lot.number, item.number, item.name, uom.symbol, {at}
      FROM nodes n
      JOIN {t["lot"]} lot ON lot.id = n.lot_id
      JOIN {t["item"]} item ON item.id = lot.item_id
      JOIN {t["uom"]} uom ON uom.id = item.uom_id
    UNION ALL
    SELECT 'link', {i("l.produced_lot_id")}, {i("l.order_id")}, {i("l.consumed_lot_id")},
           {n(consumed)}, {n("SUM(made.quantity)")}, MAX(made.reference),
           {text}, {text}, {text}, {at}
      FROM links l
      JOIN {move} made
        ON made.lot_id = l.produced_lot_id AND made.production_order_id = l.order_id
       AND made.kind = '{production}'
     GROUP BY l.produced_lot_id, l.order_id, l.consumed_lot_id
    UNION ALL
    SELECT 'stock', {i("b.lot_id")}, {i("b.warehouse_id")}, {text}, {n("b.quantity")}, {qty},
           w.code, {text}, {text}, {text}, {at}
      FROM nodes n
      JOIN {t["balance"]} b ON b.lot_id = n.lot_id AND b.quantity > 0
      JOIN {t["warehouse"]} w ON w.id = b.warehouse_id
    UNION ALL
    SELECT 'issue', {i("m.lot_id")}, {i("m.from_warehouse_id")}, {i("m.id")}, {n("m.quantity")},
           {qty}, w.code, m.reference, {text}, {text}, m.created_at
      FROM nodes n
     CROSS JOIN {t["move"]} m
      JOIN {t["warehouse"]} w ON w.id = m.from_warehouse_id
     WHERE m.lot_id = n.lot_id AND m.kind = '{issue}'
    """


def _param(lot: Lot):
    return Lot._meta.pk.get_db_prep_value(lot.pk, connection)


class _Quantities(dict):
    """`_qty` of each distinct value once (a trace repeats the same few quantities)."""

    def __missing__(self, value) -> Decimal:
        quantity = self[value] = _qty(value)
        return quantity


def _qty(value) -> Decimal:
    """SQLite hands decimals back as int or float (a float's repr is its shortest exact decimal,
    rounded to the column's places: a sum of floats may be off in the last digits);
    PostgreSQL as Decimal."""
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(QTY_STEP)
    return Decimal(value)


def _datetime(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


# ---------------------------------------------------------------------------------------------
# From rows to the trace


def _trace(lot: Lot, direction: str) -> LotTrace:
    """Rows to dataclasses, keyed by the ids' text. Lots are ordered by level, item number,
    lot number and id; links by the level of their end nearer the traced lot, the order's
    reference, then their consumed and produced lots in the lots' order."""
    param = _param(lot)
    with connection.cursor() as cursor:
        cursor.execute(trace_sql(direction), [param, param])
        rows = cursor.fetchall()

    items: dict[str, ItemRef] = {}
    warehouses: dict[str, WarehouseRef] = {}
    lots: dict[str, TraceLot] = {}
    link_rows = []
    places = []
    for row in rows:
        kind = row[0]
        if kind == "link":
            link_rows.append(row)
        elif kind == "lot":
            _kind, key, item_key, _id3, _q1, _q2, number, item_number, name, uom, _at = row
            item = items.get(item_key)
            if item is None:
                item = items[item_key] = ItemRef(item_key, item_number, name, uom)
            lots[key] = TraceLot(key, number, item)
        else:
            places.append(row)
    if places:
        _places(lots, places, warehouses)

    back = direction == BACK
    near, far = (1, 3) if back else (3, 1)  # the link row's columns of its two lots
    levels = _levels(str(lot.pk), link_rows, near, far)
    for key, node in lots.items():
        node.level = levels.get(key, 0)
    ordered = sorted(lots.values(), key=lambda n: (n.level, n.item.number, n.number, n.id))
    # Links sort on one integer each: (near level, reference, consumed lot, produced lot),
    # each ranked, instead of a tuple of tuples per link.
    rank = {node.id: position for position, node in enumerate(ordered)}
    references = {row[6] or "" for row in link_rows}
    reference_rank = {ref: position for position, ref in enumerate(sorted(references))}
    width = len(ordered)
    keys = [
        (
            (levels.get(row[near], 0) * len(references) + reference_rank[row[6] or ""]) * width
            + rank[row[3]]
        )
        * width
        + rank[row[1]]
        for row in link_rows
    ]
    quantities = _Quantities()
    links = []
    append = links.append
    for index in sorted(range(len(link_rows)), key=keys.__getitem__):
        _kind, produced, order, consumed, consumed_qty, produced_qty, reference, *_ = link_rows[
            index
        ]
        append(
            TraceLink(
                order,
                reference or "",
                consumed,
                quantities[consumed_qty],
                produced,
                quantities[produced_qty],
                levels.get(produced if back else consumed, 0) + 1,
            )
        )
    root = lots[str(lot.pk)]
    return LotTrace(
        direction=direction, lot=root, lots=[n for n in ordered if n is not root], links=links
    )


def _places(lots: dict[str, TraceLot], rows: list, warehouses: dict) -> None:
    """Stock and issue rows onto their lots: on hand by warehouse code, issues by date and id."""
    on_hand: dict[str, list[LotStock]] = defaultdict(list)
    issued: dict[str, list[LotIssue]] = defaultdict(list)
    for kind, key, warehouse_key, move_id, quantity, _q2, code, reference, _t3, _t4, at in rows:
        warehouse = warehouses.get(warehouse_key)
        if warehouse is None:
            warehouse = warehouses[warehouse_key] = WarehouseRef(warehouse_key, code)
        if kind == "stock":
            on_hand[key].append(LotStock(warehouse, _qty(quantity)))
        else:
            issued[key].append(
                LotIssue(move_id, warehouse, _qty(quantity), reference, _datetime(at))
            )
    for key, stocks in on_hand.items():
        lots[key].on_hand = tuple(sorted(stocks, key=lambda s: s.warehouse.code))
    for key, issues in issued.items():
        lots[key].issued = tuple(sorted(issues, key=lambda i: (i.created_at, i.move_id)))


def _levels(root: str, link_rows: list, near: int, far: int) -> dict[str, int]:
    """Shortest number of links from the traced lot to each lot (breadth first); `near` and
    `far` are the columns of a link row's lot nearer the traced lot and of the other one."""
    children: dict[str, list[str]] = defaultdict(list)
    for row in link_rows:
        children[row[near]].append(row[far])
    levels = {root: 0}
    frontier = [root]
    level = 0
    while frontier:
        level += 1
        following = []
        for current in frontier:
            for child in children.get(current, ()):
                if child not in levels:
                    levels[child] = level
                    following.append(child)
        frontier = following
    return levels


# ---------------------------------------------------------------------------------------------
# The tree, for people (admin, command)


def link_ends(link: TraceLink, direction: str) -> tuple[str, str]:
    """(the end nearer the traced lot, the far end): back walks from produced to consumed."""
    if direction == BACK:
        return link.produced_lot_id, link.consumed_lot_id
    return link.consumed_lot_id, link.produced_lot_id


@dataclass(frozen=True)
class TreeRow:
    """One line of the tree: `lot` at `depth`, reached through `link` (None for the traced lot).
    `repeated`: the lot's own subtree was shown higher up (a shared sub-assembly lot), or it is
    its own ancestor (a cycle); its children are not shown again."""

    depth: int
    lot: TraceLot
    link: TraceLink | None
    repeated: bool = False


def trace_tree(trace: LotTrace, *, limit: int = 2000) -> tuple[list[TreeRow], bool]:
    """The trace as an indented tree, depth first, each lot's subtree shown once. Returns the rows
    (at most `limit`) and whether rows were left out."""
    lots = trace.by_id()
    children: dict[str, list[TraceLink]] = defaultdict(list)
    for link in trace.links:
        children[link_ends(link, trace.direction)[0]].append(link)

    rows = [TreeRow(0, trace.lot, None)]
    expanded = {trace.lot.id}
    stack = [(1, link) for link in reversed(children[trace.lot.id])]
    while stack:
        if len(rows) >= limit:
            return rows, True
        depth, link = stack.pop()
        lot_id = link_ends(link, trace.direction)[1]
        repeated = lot_id in expanded
        rows.append(TreeRow(depth, lots[lot_id], link, repeated))
        if not repeated:
            expanded.add(lot_id)
            stack.extend((depth + 1, child) for child in reversed(children[lot_id]))
    return rows, False


# ---------------------------------------------------------------------------------------------
# The recall list: one row per lot and place


RECALL_COLUMNS = (
    "level",
    "item",
    "item_name",
    "lot",
    "status",
    "warehouse",
    "quantity",
    "uom",
    "reference",
    "date",
    "orders",
)


def trace_recall_rows(trace: LotTrace) -> list[dict]:
    """Every lot of the trace (the traced one first) with where it is: a row per warehouse it is
    on hand in (`on_hand`), per issue out of stock (`issued`, with the move's reference), or one
    `used` row when none is left. `orders`: the references of the orders that joined the lot to
    the level before it."""
    lots = trace.by_id()
    orders: dict[str, set[str]] = defaultdict(set)
    for link in trace.links:
        near, far = link_ends(link, trace.direction)
        if lots[near].level < lots[far].level:
            orders[far].add(link.order_reference)
    rows = []
    for lot in [trace.lot, *trace.lots]:
        base = {
            "level": lot.level,
            "item": lot.item.number,
            "item_name": lot.item.name,
            "lot": lot.number,
            "uom": lot.uom,
            "orders": " ".join(sorted(orders[lot.id])),
        }
        places = [
            {"status": "on_hand", "warehouse": s.warehouse.code, "quantity": s.quantity}
            for s in lot.on_hand
        ] + [
            {
                "status": "issued",
                "warehouse": i.warehouse.code,
                "quantity": i.quantity,
                "reference": i.reference,
                "date": i.created_at.date().isoformat(),
            }
            for i in lot.issued
        ]
        for place in places or [{"status": "used"}]:
            rows.append(dict.fromkeys(RECALL_COLUMNS, "") | base | place)
    return rows
