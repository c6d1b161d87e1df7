"""BOM, explosion, where-used and production-order scenarios, through the API of API.md.

They run once the manufacturing (and inventory) models are migrated and the dataset builders
in bench.dataset are written; until then the run lists them as skipped. The two bare-SQL
functions at the top are the reference the explosion and where-used timings are compared to.
"""

from typing import Any
from uuid import UUID

from bench.context import Context, expect_status
from bench.dataset import INVENTORY, MANUFACTURING, DeepStructure
from bench.registry import endpoint, scenario
from bench.timing import count_queries

ORDER_STEPS = ("create", "confirm", "produce", "close")


MAX_SQL_DEPTH = 100  # the bare queries' guard against a corrupt, circular graph


def _tables() -> dict[str, str]:
    from items.models import Item, UnitOfMeasure
    from manufacturing.boms.models import BOM, BOMComponent

    return {
        "bom": BOM._meta.db_table,
        "line": BOMComponent._meta.db_table,
        "item": Item._meta.db_table,
        "unit": UnitOfMeasure._meta.db_table,
    }


def _db_id(value: UUID):
    from django.db import connection

    from manufacturing.boms.models import BOM

    return BOM._meta.pk.get_db_prep_value(value, connection)


def _fetch(sql: str, params: list) -> list[tuple[Any, Any]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A line's need: quantity x (1 + scrap/100) x runs of its BOM, converted into the component's
# stock unit and rounded to 6 places, as bom_explode does (items.units.quantize_qty). The `1.0`s
# keep SQLite, which may store whole numbers as integers, from dividing as integers.
_NEED = (
    "ROUND(c.quantity * (1.0 + c.scrap_percent / 100.0) * {runs} * lu.factor * 1.0 / iu.factor, 6)"
)
_LINE_JOINS = """
    JOIN {item} i ON i.id = c.item_id
    JOIN {unit} iu ON iu.id = i.uom_id
    JOIN {unit} lu ON lu.id = c.uom_id
    LEFT JOIN {bom} sub ON sub.product_id = c.item_id AND sub.is_default = %s
        AND sub.deleted_at IS NULL AND sub.status <> %s"""


def bare_explosion_totals(*, root_bom_id: UUID) -> list[tuple[Any, Any]]:
    """One recursive CTE computing the explosion's `totals` (leaf item, summed quantity) of the
    root BOM through default live BOMs, with a raw cursor and no ORM: the floor the explosion
    endpoint is held to (at most 3 times its time at 10,000 nodes). Every path is walked
    (UNION ALL: a part used under several sub-assemblies counts under each), a sub-assembly's
    need becomes runs of its default BOM (need in the BOM's unit / BOM quantity), and the leaves'
    needs are summed per item."""
    from manufacturing.boms.models import BOMStatus

    t = _tables()
    joins = _LINE_JOINS.format(**t)
    sql = f"""
    WITH RECURSIVE walk(item_id, need, factor, sub_bom_id, depth) AS (
        SELECT c.item_id, {_NEED.format(runs="1")}, iu.factor, sub.id, 1
        FROM {t["line"]} c {joins}
        WHERE c.bom_id = %s
      UNION ALL
        SELECT c.item_id,
               {_NEED.format(runs="(ROUND(w.need * w.factor * 1.0 / bu.factor, 6) / b.quantity)")},
               iu.factor, sub.id, w.depth + 1
        FROM walk w
        JOIN {t["bom"]} b ON b.id = w.sub_bom_id
        JOIN {t["unit"]} bu ON bu.id = b.uom_id
        JOIN {t["line"]} c ON c.bom_id = b.id {joins}
        WHERE w.depth < {MAX_SQL_DEPTH}
    )
    SELECT item_id, SUM(need) FROM walk WHERE sub_bom_id IS NULL GROUP BY item_id
    """
    flags = [True, BOMStatus.CANCELLED]
    return _fetch(sql, [*flags, _db_id(root_bom_id), *flags])


def bare_where_used(*, item_id: UUID) -> list[tuple[Any, Any]]:
    """One recursive CTE listing every live BOM above `item_id` with its level: the floor of the
    where-used endpoint. Level 1 are the BOMs using the item, level 2 those using their products
    and so on; each BOM once, at the first level it is reached."""
    t = _tables()
    sql = f"""
    WITH RECURSIVE up(item_id, level) AS (
        SELECT %s, 0
      UNION
        SELECT b.product_id, up.level + 1
        FROM up
        JOIN {t["line"]} c ON c.item_id = up.item_id
        JOIN {t["bom"]} b ON b.id = c.bom_id AND b.deleted_at IS NULL
        WHERE up.level < {MAX_SQL_DEPTH}
    )
    SELECT b.id, MIN(up.level) + 1
    FROM up
    JOIN {t["line"]} c ON c.item_id = up.item_id
    JOIN {t["bom"]} b ON b.id = c.bom_id AND b.deleted_at IS NULL
    GROUP BY b.id
    """
    return _fetch(sql, [_db_id(item_id)])


@endpoint("bom_list", needs=("boms",), requires=MANUFACTURING)
def bom_list(ctx: Context) -> str:
    """The first page of 20 BOMs, with components and operations."""
    return "/api/manufacturing/boms?page=1&limit=20"


def _bom_detail_path(ctx: Context) -> str:
    return f"/api/manufacturing/boms/{ctx.data['boms'].detail_bom_id}"


@scenario("bom_detail", needs=("boms",), requires=MANUFACTURING, http=_bom_detail_path)
def bom_detail(ctx: Context) -> None:
    """A 36-line BOM; also its query count against a 5-line one (must not grow with lines)."""
    big = ctx.measure_get("bom_detail", _bom_detail_path(ctx))
    small_path = f"/api/manufacturing/boms/{ctx.data['boms'].small_bom_id}"
    small = ctx.count_queries(lambda: ctx.client.get(small_path), check=expect_status(200))
    ctx.record("bom_detail.query_growth", (big.queries or 0) - small)


def _standard(ctx: Context) -> DeepStructure:
    return ctx.data["deep"][ctx.profile.standard_deep_size]


def _explosion_path(s: DeepStructure) -> str:
    return f"/api/manufacturing/boms/{s.root_bom_id}/explosion?levels=all"


def _where_used_path(s: DeepStructure) -> str:
    return f"/api/items/{s.shared_leaf_item_id}/where-used?levels=all&limit=200"


def _graph_scaling(ctx: Context, name: str, path_of, bare_sql_of) -> None:
    """`name.<nodes>` for every deep structure, each timed in alternation with its bare SQL
    (`name_sql.<nodes>`), `name.<nodes>.ratio_to_sql`, then `name.queries_max`."""
    timings = [
        ctx.measure_against(
            f"{name}.{nodes}",
            lambda s=s: ctx.client.get(path_of(s)),
            f"{name}_sql.{nodes}",
            lambda s=s: bare_sql_of(s),
            check=expect_status(200),
        )[0]
        for nodes, s in sorted(ctx.data["deep"].items())
    ]
    ctx.record(f"{name}.queries_max", max(t.queries or 0 for t in timings))


@scenario(
    "explosion",
    needs=("deep",),
    requires=MANUFACTURING,
    http=lambda ctx: _explosion_path(_standard(ctx)),
)
def explosion(ctx: Context) -> None:
    """Multi-level explosion at 100, 1,000 and 10,000 nodes, against the bare recursive SQL."""
    _graph_scaling(
        ctx,
        "explosion",
        _explosion_path,
        lambda s: bare_explosion_totals(root_bom_id=s.root_bom_id),
    )


@scenario("where_used", needs=("deep",), requires=MANUFACTURING)
def where_used(ctx: Context) -> None:
    """Where-used (all levels) of the leaf shared by every deepest BOM, at every size."""
    _graph_scaling(
        ctx,
        "where_used",
        _where_used_path,
        lambda s: bare_where_used(item_id=s.shared_leaf_item_id),
    )


def _order_lifecycle(
    ctx: Context, product_id: UUID, bom_id: UUID, step_queries: dict[str, int] | None = None
) -> None:
    """create → confirm → produce (all) → close, each checked; with `step_queries`, each step's
    query count is stored there."""

    def post(step: str, path: str, body: dict, expect: int):
        def call():
            return ctx.client.post(path, body, content_type="application/json")

        if step_queries is None:
            response = call()
        else:
            step_queries[step], response = count_queries(call)
        expect_status(expect)(response)
        return response

    body = {"productId": str(product_id), "bomId": str(bom_id), "quantity": 1}
    order = post("create", "/api/manufacturing/orders", body, 201).json()
    base = f"/api/manufacturing/orders/{order['id']}"
    post("confirm", f"{base}/confirm", {}, 200)
    post("produce", f"{base}/produce", {"qty": 1}, 200)
    post("close", f"{base}/close", {}, 200)


@scenario(
    "order_lifecycle",
    needs=("boms", "stock"),
    requires=("manufacturing.models:ProductionOrder", *INVENTORY),
    mutates=True,
)
def order_lifecycle(ctx: Context) -> None:
    """A production order of 5 and of 50 components, created, confirmed, produced and closed;
    per-step query counts must not depend on the number of components."""
    per_size: dict[int, dict[str, int]] = {}
    for components, (product_id, bom_id) in sorted(ctx.data["boms"].order_boms.items()):
        ctx.measure(
            f"order_lifecycle.{components}",
            lambda p=product_id, b=bom_id: _order_lifecycle(ctx, p, b),
            queries=False,
        )
        steps: dict[str, int] = {}
        _order_lifecycle(ctx, product_id, bom_id, step_queries=steps)
        for step, n in steps.items():
            ctx.record(f"order.{step}.{components}.queries", n)
        per_size[components] = steps
    if len(per_size) >= 2:
        fewest, most = per_size[min(per_size)], per_size[max(per_size)]
        for step in ORDER_STEPS:
            ctx.record(f"order.{step}.query_growth", most[step] - fewest[step])
