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

At 10,000 lots the time went to objects, not to the database: every id is text from the
statement to the body (a UUID object per occurrence was most of it), a lot's row rides on the
link that reaches it, and the garbage collector is paused while the trace is built.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter, itemgetter

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.exceptions import ValidationFailed
from config.memory import gc_paused
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


# The statement's row kinds, and their columns after the kind (c1..c8, then a timestamp):
LOT, ITEM, LINK, MADE, STOCK, ISSUE = range(6)
#   LOT    the traced lot: id, item id, number
#   ITEM   an item of the trace: id, number, name, unit symbol
#   LINK   produced lot id, order id, consumed lot id, consumed quantity, produced quantity,
#          order reference, then the far lot's number and item id (each lot of a trace but the
#          traced one is the far end of a link: its row comes with the link)
#   MADE   back only: produced lot id, order id, produced quantity, order reference (an
#          order's links share its produced lot: looked up once per lot and order, not per link)
#   STOCK  lot id, warehouse id, quantity, warehouse code
#   ISSUE  lot id, warehouse id, move id, quantity, warehouse code, reference; created_at


def trace_sql(direction: str) -> str:
    """The trace from the lot given as both parameters, in rows of the kinds above. Ids are
    text, and quantities too on PostgreSQL (`_id_text`, `_number_text`)."""
    t = _tables()
    move, lot = t["move"], t["lot"]
    none, at = "CAST(NULL AS text)", _null(StockMove, "created_at")
    production, consumption = MoveKind.PRODUCTION.value, MoveKind.CONSUMPTION.value
    issue = MoveKind.ISSUE.value
    i, n = _id_text, _number_text
    back = direction == BACK
    far = "consumed_lot_id" if back else "produced_lot_id"
    consumed = f"""(SELECT SUM(m.quantity) FROM {move} m
             WHERE m.lot_id = l.consumed_lot_id AND m.production_order_id = l.order_id
               AND m.kind = '{consumption}')"""
    made_join = f"""JOIN {move} made
            ON made.lot_id = {{pair}}.produced_lot_id
           AND made.production_order_id = {{pair}}.order_id AND made.kind = '{production}'"""
    # A link's consumed quantity is a correlated lookup (index on its lot). Its produced
    # quantity and reference come from one join to the production moves of its lot and order
    # (there is one: it made the link), grouped: going back, once per produced lot and order
    # (MADE rows); going forward, per link. Joining the CTEs to an aggregate instead let
    # PostgreSQL, which cannot estimate a recursive CTE's size, pick a nested loop of
    # 10,000 x 10,000 rows. `CROSS JOIN` keeps the lots outside and the ledger inside (its lot
    # index) on SQLite, whose planner would otherwise scan the whole ledger for issues;
    # PostgreSQL plans it as the inner join it is.
    if back:
        links = f"""
    SELECT {LINK}, {i("l.produced_lot_id")}, {i("l.order_id")}, {i("l.consumed_lot_id")},
           {n(consumed)}, {none}, {none}, far.number, {i("far.item_id")}, {at}
      FROM links l
      JOIN {lot} far ON far.id = l.consumed_lot_id
    UNION ALL
    SELECT {MADE}, {i("pair.produced_lot_id")}, {i("pair.order_id")}, {n("SUM(made.quantity)")},
           MAX(made.reference), {none}, {none}, {none}, {none}, {at}
      FROM (SELECT DISTINCT produced_lot_id, order_id FROM links) pair
      {made_join.format(pair="pair")}
     GROUP BY pair.produced_lot_id, pair.order_id"""
    else:
        links = f"""
    SELECT {LINK}, {i("g.produced_lot_id")}, {i("g.order_id")}, {i("g.consumed_lot_id")},
           {n("g.consumed")}, {n("g.produced")}, g.reference, far.number, {i("far.item_id")},
           {at}
      FROM (SELECT l.produced_lot_id, l.order_id, l.consumed_lot_id, {consumed} AS consumed,
                   SUM(made.quantity) AS produced, MAX(made.reference) AS reference
              FROM links l
              {made_join.format(pair="l")}
             GROUP BY l.produced_lot_id, l.order_id, l.consumed_lot_id) g
      JOIN {lot} far ON far.id = g.produced_lot_id"""
    return f"""
    WITH RECURSIVE {links_sql(direction)},
    nodes (lot_id) AS (
        SELECT id FROM {lot} WHERE id = %s
        UNION SELECT {far} FROM links
    )
    SELECT {LOT}, {i("lot.id")}, {i("lot.item_id")}, lot.number, {none}, {none}, {none},
           {none}, {none}, {at}
      FROM {lot} lot
     WHERE lot.id = %s
    UNION ALL
    SELECT {ITEM}, {i("item.id")}, item.number, item.name, uom.symbol, {none}, {none}, {none},
           {none}, {at}
      FROM {t["item"]} item
      JOIN {t["uom"]} uom ON uom.id = item.uom_id
     WHERE item.id IN (SELECT lot.item_id FROM nodes n JOIN {lot} lot ON lot.id = n.lot_id)
    UNION ALL {links}
    UNION ALL
    SELECT {STOCK}, {i("b.lot_id")}, {i("b.warehouse_id")}, {n("b.quantity")}, w.code, {none},
           {none}, {none}, {none}, {at}
      FROM nodes n
      JOIN {t["balance"]} b ON b.lot_id = n.lot_id AND b.quantity > 0
      JOIN {t["warehouse"]} w ON w.id = b.warehouse_id
    UNION ALL
    SELECT {ISSUE}, {i("m.lot_id")}, {i("m.from_warehouse_id")}, {i("m.id")}, {n("m.quantity")},
           w.code, m.reference, {none}, {none}, m.created_at
      FROM nodes n
     CROSS JOIN {move} m
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
    PostgreSQL as text here (`_number_text`), with the column's places."""
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
    """Some 30,000 objects, none of them garbage: the cyclic collector waits until they are
    built (config.memory), for every caller (the API, the admin page, the command)."""
    with gc_paused():
        return _assemble(lot, direction)


def _assemble(lot: Lot, direction: str) -> LotTrace:
    """Rows to dataclasses, keyed by the ids' text. Lots are ordered by level, item number,
    lot number and id; links by the level of their end nearer the traced lot, the order's
    reference, then their consumed and produced lots in the lots' order."""
    param = _param(lot)
    with connection.cursor() as cursor:
        cursor.execute(trace_sql(direction), [param, param, param])
        rows = cursor.fetchall()

    link_rows = [row for row in rows if row[0] == LINK]
    items = {
        key: ItemRef(key, number, name, uom)
        for kind, key, number, name, uom, _c5, _c6, _c7, _c8, _at in rows
        if kind == ITEM
    }
    root_key = str(lot.pk)
    _kind, _key, item_key, number, *_ = next(row for row in rows if row[0] == LOT)
    lots: dict[str, TraceLot] = {root_key: TraceLot(root_key, number, items[item_key])}
    back = direction == BACK
    near, far = (1, 3) if back else (3, 1)  # a link row's columns of its two lots
    for row in link_rows:
        key = row[far]
        if key not in lots:
            lots[key] = TraceLot(key, row[7], items[row[8]])
    made = {(row[1], row[2]): (row[3], row[4]) for row in rows if row[0] == MADE}
    places = [row for row in rows if row[0] >= STOCK]
    if places:
        _places(lots, places)

    levels = _levels(root_key, link_rows, near, far)
    for key, node in lots.items():
        node.level = levels.get(key, 0)
    ordered = sorted(lots.values(), key=_LOT_ORDER)
    # Links sort on one integer each: (near level, reference, consumed lot, produced lot),
    # each ranked, instead of a tuple of tuples per link.
    rank = {node.id: position for position, node in enumerate(ordered)}
    if back:
        references = {reference or "" for _quantity, reference in made.values()}
    else:
        references = {row[6] or "" for row in link_rows}
    reference_rank = {ref: position for position, ref in enumerate(sorted(references))}
    width, count = len(ordered), len(references)
    quantities = _Quantities()
    entries = []
    for row in link_rows:
        _kind, produced, order, consumed, consumed_qty, produced_qty, reference, _n, _i, _at = row
        if back:
            produced_qty, reference = made[produced, order]
        reference = reference or ""
        level = levels.get(row[near], 0)
        key = ((level * count + reference_rank[reference]) * width + rank[consumed]) * width
        link = TraceLink(
            order,
            reference,
            consumed,
            quantities[consumed_qty],
            produced,
            quantities[produced_qty],
            level + 1,
        )
        entries.append((key + rank[produced], link))
    entries.sort(key=_FIRST)
    root = lots[root_key]
    return LotTrace(
        direction=direction,
        lot=root,
        lots=[node for node in ordered if node is not root],
        links=[link for _key, link in entries],
    )


_LOT_ORDER = attrgetter("level", "item.number", "number", "id")
_FIRST = itemgetter(0)


def _places(lots: dict[str, TraceLot], rows: list) -> None:
    """Stock and issue rows onto their lots: on hand by warehouse code, issues by date and id."""
    warehouses: dict[str, WarehouseRef] = {}
    on_hand: dict[str, list[LotStock]] = defaultdict(list)
    issued: dict[str, list[LotIssue]] = defaultdict(list)
    for kind, key, warehouse_key, c3, c4, c5, c6, _c7, _c8, at in rows:
        code = c4 if kind == STOCK else c5
        warehouse = warehouses.get(warehouse_key)
        if warehouse is None:
            warehouse = warehouses[warehouse_key] = WarehouseRef(warehouse_key, code)
        if kind == STOCK:
            on_hand[key].append(LotStock(warehouse, _qty(c3)))
        else:
            issued[key].append(LotIssue(c3, warehouse, _qty(c4), c6, _datetime(at)))
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
