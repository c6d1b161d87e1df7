"""Where an item is used: the live BOMs that have it as a component and, with levels=all, every
BOM above them up to the top-level products. One query, whatever the depth (recursive CTE)."""

from collections import defaultdict

from django.db.models.expressions import RawSQL

from items.models import Item
from manufacturing.models import BOMComponent
from manufacturing.selectors.graph import items_above_sql

LINE_COLUMNS = (
    "bom_id",
    "item_id",
    "bom__number",
    "bom__name",
    "bom__product_id",
    "bom__product__number",
    "bom__product__name",
    "quantity",
    "uom__symbol",
)


def item_where_used(*, item: Item, levels: str = "1") -> list[dict]:
    """Rows `{bom_id, bom_number, bom_name, product, component_id, quantity, uom, level}`:
    level 1 are the BOMs using `item`, level 2 the BOMs using their products, and so on; each
    BOM once, at the first level it is reached; by level, then BOM number."""
    # Rows of values, not four model instances per line (a 10,000-node structure has
    # thousands), in no SQL order (sorted below). Archived BOMs are skipped here rather than
    # in SQL: given a condition on the BOM, SQLite's planner starts from every live BOM and
    # probes its lines for each item above (seconds at 10,000 nodes); from the items, it is
    # an index lookup per item.
    lines = BOMComponent.objects.order_by()
    if str(levels) == "all":
        sql, params = items_above_sql(item.pk)
        lines = lines.filter(item_id__in=RawSQL(sql, params))
    else:
        lines = lines.filter(item_id=item.pk)
    by_component = defaultdict(list)
    for *row, archived_at in lines.values_list(*LINE_COLUMNS, "bom__deleted_at"):
        if archived_at is None:
            by_component[row[1]].append(row)

    rows: list[dict] = []
    seen_items = {item.pk}
    seen_boms = set()
    frontier = [item.pk]
    level = 1
    while frontier:
        found = sorted(
            (row for item_id in frontier for row in by_component.get(item_id, ())),
            key=lambda row: (row[2], row[1].int),  # BOM number, then component id (as str() would)
        )
        next_frontier = []
        for bom_id, component_id, number, name, product_id, p_number, p_name, qty, uom in found:
            if bom_id in seen_boms:
                continue
            seen_boms.add(bom_id)
            rows.append(
                {
                    "bom_id": bom_id,
                    "bom_number": number,
                    "bom_name": name,
                    "product": {"id": product_id, "number": p_number, "name": p_name},
                    "component_id": component_id,
                    "quantity": qty,
                    "uom": uom,
                    "level": level,
                }
            )
            if product_id not in seen_items:
                seen_items.add(product_id)
                next_frontier.append(product_id)
        if str(levels) != "all":
            break
        frontier = next_frontier
        level += 1
    return rows
