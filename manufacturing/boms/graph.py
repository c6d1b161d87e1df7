"""Reading the BOM graph: items are nodes, every live BOM adds edges product → component.

Everything here loads the graph level by level (one query per level for the whole frontier) or
with one recursive CTE, so the number of queries grows with the depth, never with the nodes.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db import connection

from items.models import Item
from manufacturing.boms.models import BOM, BOMComponent, BOMStatus

# product id -> the component item ids of its live BOMs (a dict used as an ordered set).
Edges = dict[UUID, dict[UUID, None]]


def bom_graph_below(sources: Iterable[UUID], *, exclude_bom_id: UUID | None = None) -> Edges:
    """Every edge product → component of live (not archived) BOMs reachable downward from
    `sources`: the part of the graph a cycle check of BOMs using `sources` can walk.
    `exclude_bom_id` leaves out a BOM whose lines are being replaced. One query per level for
    the whole frontier, however many sources (the components of one BOM or of a whole batch)."""
    edges: Edges = {}
    seen = set(sources)
    frontier = set(seen)
    while frontier:
        rows = BOMComponent.objects.filter(
            bom__product_id__in=frontier, bom__deleted_at__isnull=True
        )
        if exclude_bom_id is not None:
            rows = rows.exclude(bom_id=exclude_bom_id)
        frontier = set()
        for product_id, item_id in rows.values_list("bom__product_id", "item_id"):
            edges.setdefault(product_id, {})[item_id] = None
            if item_id not in seen:
                seen.add(item_id)
                frontier.add(item_id)
    return edges


def graph_path(edges: Edges, *, sources: Iterable[UUID], target: UUID) -> list[UUID] | None:
    """The item ids of a shortest path from one of `sources` down to `target` through `edges`
    (`bom_graph_below`'s, plus what the caller adds), or None. Breadth first, in memory."""
    parent: dict[UUID, UUID | None] = dict.fromkeys(sources)
    if target in parent:
        return [target]
    frontier = list(parent)
    while frontier:
        next_frontier: list[UUID] = []
        for node in frontier:
            for item_id in edges.get(node, ()):
                if item_id in parent:
                    continue
                parent[item_id] = node
                if item_id == target:
                    path = [item_id]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return list(reversed(path))
                next_frontier.append(item_id)
        frontier = next_frontier
    return None


def bom_graph_path(
    *, sources: Iterable[UUID], target: UUID, exclude_bom_id: UUID | None = None
) -> list[UUID] | None:
    """The item ids of a path from one of `sources` down to `target` through the components of
    live (not archived) BOMs, or None. `exclude_bom_id` leaves out a BOM whose lines are being
    replaced. One query per level."""
    sources = list(sources)
    if target in sources:
        return [target]
    edges = bom_graph_below(sources, exclude_bom_id=exclude_bom_id)
    return graph_path(edges, sources=sources, target=target)


def item_numbers(ids: Iterable[UUID]) -> dict[UUID, str]:
    ids = list(ids)
    return dict(Item.all_objects.filter(pk__in=ids).values_list("pk", "number"))


def _db_id(value: UUID):
    return BOM._meta.pk.get_db_prep_value(value, connection)


def exploded_bom_ids_sql(bom_id: UUID, *more: UUID) -> tuple[str, list]:
    """A recursive CTE (SQLite and PostgreSQL alike) selecting `bom_id` and, below it, the
    default BOM (live, not cancelled) of every component that has one, at any depth. `UNION`
    (not `UNION ALL`) makes it stop even on a corrupt, circular graph.

    `CROSS JOIN` fixes SQLite's join order to tree → lines (by BOM) → BOMs (by product): without
    statistics its planner would otherwise scan every live BOM (through the `deleted_at` index)
    for each BOM of the tree. PostgreSQL reorders cross joins freely."""
    bom = BOM._meta.db_table
    line = BOMComponent._meta.db_table
    # Several roots (`more`): one tree for all of them, each BOM once.
    seed = (
        f"SELECT id FROM {bom} WHERE id IN ({', '.join(['%s'] * (1 + len(more)))})"
        if more
        else "SELECT %s"
    )
    sql = (
        f"WITH RECURSIVE tree(bom_id) AS ("
        f" {seed}"
        f" UNION"
        f" SELECT b.id FROM tree"
        f" CROSS JOIN {line} c"
        f" CROSS JOIN {bom} b"
        f" WHERE c.bom_id = tree.bom_id AND b.product_id = c.item_id"
        f" AND b.is_default = %s AND b.deleted_at IS NULL AND b.status <> %s"
        f") SELECT bom_id FROM tree"
    )
    roots = [_db_id(root) for root in (bom_id, *more)]
    return sql, [*roots, True, BOMStatus.CANCELLED]


def items_above_sql(item_id: UUID) -> tuple[str, list]:
    """A recursive CTE selecting `item_id` and every product above it: the products of live
    BOMs using it as a component, then the products of BOMs using those, up to the top."""
    bom = BOM._meta.db_table
    line = BOMComponent._meta.db_table
    sql = (
        f"WITH RECURSIVE up(item_id) AS ("
        f" SELECT %s"
        f" UNION"
        f" SELECT b.product_id FROM up"
        f" JOIN {line} c ON c.item_id = up.item_id"
        f" JOIN {bom} b ON b.id = c.bom_id"
        f" WHERE b.deleted_at IS NULL"
        f") SELECT item_id FROM up"
    )
    return sql, [Item._meta.pk.get_db_prep_value(item_id, connection)]
