"""Lot genealogy: trace back and forward over 10,000 lots in 4 levels, through the API, against
the bare recursive SQL that computes the same lots and links in the same run."""

from typing import Any
from uuid import UUID

from bench.context import Context, expect_status
from bench.dataset import INVENTORY
from bench.lot_pyramid import Pyramid, lot_pyramid_build
from bench.registry import Part, register_part, scenario
from bench.targets import LOT_TRACE_DEPTH

LOT_FAN, LOT_LEVELS = 21, LOT_TRACE_DEPTH  # 1 + 21 + 441 + 9,261 = 9,724 lots each way
DIRECTIONS = ("back", "forward")


def _lots(ctx: Context) -> dict[str, Pyramid]:
    return {
        direction: lot_pyramid_build(
            fan=LOT_FAN, levels=LOT_LEVELS, direction=direction, prefix=f"BN-LOT-{direction}"
        )
        for direction in DIRECTIONS
    }


register_part(Part("lots", _lots, requires=INVENTORY))


def bare_lot_trace(*, lot_id: UUID, direction: str) -> list[tuple[Any, ...]]:
    """One recursive CTE walking the production orders that join lots (UNION: each link once),
    then each link with the quantity the order consumed and produced of its two lots (looked up
    per link, as the selector does: PostgreSQL cannot estimate a recursive CTE's size, and a
    join of it to an aggregate became a 10,000 x 10,000 nested loop) and both lots' numbers:
    the trace's lots and links, with a raw cursor and no ORM."""
    from django.db import connection

    from inventory.models import Lot, StockMove

    move, lot = StockMove._meta.db_table, Lot._meta.db_table
    if direction == "back":
        start = "p.lot_id = %s"
        step = "JOIN walk w ON p.lot_id = w.consumed"
    else:
        start = "c.lot_id = %s"
        step = "JOIN walk w ON c.lot_id = w.produced"
    pair = f"""
        FROM {move} p
        JOIN {move} c ON c.production_order_id = p.production_order_id
         AND c.kind = 'consumption' AND c.lot_id IS NOT NULL"""
    sql = f"""
    WITH RECURSIVE walk(produced, order_id, consumed) AS (
        SELECT p.lot_id, p.production_order_id, c.lot_id {pair}
        WHERE p.kind = 'production' AND p.lot_id IS NOT NULL AND {start}
      UNION
        SELECT p.lot_id, p.production_order_id, c.lot_id {pair} {step}
        WHERE p.kind = 'production' AND p.lot_id IS NOT NULL
    )
    SELECT w.order_id,
           cl.number,
           (SELECT SUM(m.quantity) FROM {move} m WHERE m.lot_id = w.consumed
               AND m.production_order_id = w.order_id AND m.kind = 'consumption'),
           pl.number,
           (SELECT SUM(m.quantity) FROM {move} m WHERE m.lot_id = w.produced
               AND m.production_order_id = w.order_id AND m.kind = 'production')
    FROM walk w
    JOIN {lot} cl ON cl.id = w.consumed
    JOIN {lot} pl ON pl.id = w.produced
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [Lot._meta.pk.get_db_prep_value(lot_id, connection)])
        return cursor.fetchall()


def _path(pyramid: Pyramid, direction: str) -> str:
    return f"/api/inventory/lots/{pyramid.root_lot_id}/trace?direction={direction}"


@scenario("lot_trace", needs=("lots",), requires=INVENTORY)
def lot_trace(ctx: Context) -> None:
    """GET …/lots/{id}/trace back from the top of a 9,724-lot pyramid and forward from the
    bottom of another, each against the bare recursive SQL of the same lots and links; the
    selector alone too (`lot_trace_selector.<direction>`)."""
    from inventory.genealogy import lot_trace as trace_of
    from inventory.models import Lot

    queries = []
    for direction in DIRECTIONS:
        pyramid = ctx.data["lots"][direction]
        path = _path(pyramid, direction)
        endpoint, sql = ctx.measure_against(
            f"lot_trace.{direction}",
            lambda path=path: ctx.client.get(path),
            f"lot_trace_sql.{direction}",
            lambda p=pyramid, d=direction: bare_lot_trace(lot_id=p.root_lot_id, direction=d),
            check=expect_status(200),
        )
        queries.append(endpoint.queries or 0)
        lot = Lot.objects.get(pk=pyramid.root_lot_id)
        selector = ctx.measure(
            f"lot_trace_selector.{direction}",
            lambda lot=lot, d=direction: trace_of(lot=lot, direction=d),
        )
        ctx.record(
            f"lot_trace_selector.{direction}.ratio_to_sql",
            round(selector.median_ms / sql.median_ms, 2),
        )
    ctx.record("lot_trace.queries_max", max(queries))
