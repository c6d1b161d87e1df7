"""Reads of BOMs and workcenters: lists, usage, where-used and history, each owning its
query shape (a fixed number of queries per page)."""

from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from config.history import HistoryEntry, history_entries
from config.levels import levels_parse
from items.models import Item, UnitOfMeasure
from items.selectors import USAGE_EXAMPLES
from manufacturing.boms.graph import items_above_sql
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, Workcenter
from manufacturing.orders.models import ProductionOrderComponent


def workcenter_list() -> QuerySet[Workcenter]:
    return Workcenter.all_objects.all()


def bom_list() -> QuerySet[BOM]:
    """Every BOM (archived too: the filters decide) with its product, unit, components and
    operations: four queries for a page, whatever the page size and the number of lines."""
    return BOM.all_objects.select_related("product", "uom").prefetch_related(
        Prefetch(
            "components",
            queryset=BOMComponent.objects.select_related("item", "uom").order_by("position"),
        ),
        Prefetch(
            "operations",
            queryset=BOMOperation.objects.select_related("workcenter").order_by("sequence"),
        ),
    )


COMPONENT_ROW_FIELDS = (
    "bom_id",
    "id",
    "item_id",
    "item__number",
    "item__name",
    "quantity",
    "uom__symbol",
    "scrap_percent",
)
OPERATION_ROW_FIELDS = (
    "bom_id",
    "id",
    "sequence",
    "name",
    "workcenter__name",
    "workcenter_id",
    "duration_minutes",
)


def bom_headers() -> QuerySet[BOM]:
    """`bom_list()` without its prefetches: read the lines with `bom_line_rows`."""
    return BOM.all_objects.select_related("product", "uom")


def bom_line_rows(bom_ids) -> tuple[dict, dict]:
    """The components and operations of these BOMs as rows of values (`COMPONENT_ROW_FIELDS`,
    `OPERATION_ROW_FIELDS`), by BOM id, in `bom_list()`'s order: two queries whatever the
    number of BOMs and lines, and no model instance per line."""
    components, operations = defaultdict(list), defaultdict(list)
    lines = BOMComponent.objects.filter(bom_id__in=bom_ids).order_by("position")
    for row in lines.values_list(*COMPONENT_ROW_FIELDS):
        components[row[0]].append(row)
    steps = BOMOperation.objects.filter(bom_id__in=bom_ids).order_by("sequence")
    for row in steps.values_list(*OPERATION_ROW_FIELDS):
        operations[row[0]].append(row)
    return components, operations


def bom_open_order_references(*, bom: BOM) -> list[str]:
    """References of the production orders that are neither done nor cancelled and use `bom`
    (`["MO/2026/0007", …]`); `bom_archive` refuses with `bom_in_use` while it is not empty.

    The one place the BOM services learn about orders."""
    from manufacturing.orders.selectors import open_orders_using_bom

    return open_orders_using_bom(bom_id=bom.pk)


def item_bom_usage_reason(item: Item) -> str | None:
    """Registered with `items.registry`: an item used by a live BOM, as its product or as a
    component, cannot be archived (`item_in_use`)."""
    numbers = list(
        BOM.objects.filter(Q(product=item) | Q(components__item=item))
        .order_by("number")
        .values_list("number", flat=True)
        .distinct()[:6]
    )
    if not numbers:
        return None
    shown = ", ".join(numbers[:5]) + (", …" if len(numbers) > 5 else "")
    return f"used by active BOMs {shown}"


def _usage(rows, label: str, noun: str) -> tuple[int, str, list[str]]:
    """`(how many rows, noun, the first distinct labels)`: two queries, none when unused."""
    count = rows.count()
    if not count:
        return 0, noun, []
    examples = rows.order_by(label).values_list(label, flat=True).distinct()
    return count, noun, list(examples[: USAGE_EXAMPLES + 1])


def uom_bom_line_usage(uom: UnitOfMeasure) -> tuple[int, str, list[str]]:
    """Registered with `items.registry`: the lines of any BOM (archived, cancelled and drafts
    too) in `uom` fix its meaning (`uom_in_use`)."""
    return _usage(BOMComponent.objects.filter(uom=uom), "bom__number", "BOM line")


def uom_bom_header_usage(uom: UnitOfMeasure) -> tuple[int, str, list[str]]:
    """Registered with `items.registry`: BOMs whose quantity is given in `uom`."""
    return _usage(BOM.all_objects.filter(uom=uom), "number", "BOM header")


def uom_order_requirement_usage(uom: UnitOfMeasure) -> tuple[int, str, list[str]]:
    """Registered with `items.registry`: the requirement snapshots of production orders in
    `uom` (the component's stock unit at confirm)."""
    return _usage(
        ProductionOrderComponent.objects.filter(uom=uom),
        "order__reference",
        "production order requirement",
    )


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
    levels = levels_parse(levels, default="1")
    lines = BOMComponent.objects.order_by()
    if levels == "all":
        sql, params = items_above_sql(item.pk)
        lines = lines.filter(item_id__in=RawSQL(sql, params))
    else:
        lines = lines.filter(item_id=item.pk)
    # Keyed by the ids' ints: an int's hash is C, a UUID's Python code (thousands of lookups).
    by_component = defaultdict(list)
    for *row, archived_at in lines.values_list(*LINE_COLUMNS, "bom__deleted_at"):
        if archived_at is None:
            by_component[row[1].int].append(row)

    rows: list[dict] = []
    seen_items = {item.pk.int}
    seen_boms = set()
    frontier = [item.pk.int]
    level = 1
    while frontier:
        found = sorted(
            (row for item_id in frontier for row in by_component.get(item_id, ())),
            key=lambda row: (row[2], row[1].int),  # BOM number, then component id (as str() would)
        )
        next_frontier = []
        for bom_id, component_id, number, name, product_id, p_number, p_name, qty, uom in found:
            if bom_id.int in seen_boms:
                continue
            seen_boms.add(bom_id.int)
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
            if product_id.int not in seen_items:
                seen_items.add(product_id.int)
                next_frontier.append(product_id.int)
        if levels != "all":
            break
        frontier = next_frontier
        level += 1
    return rows


def bom_history(*, bom: BOM) -> list[HistoryEntry]:
    """The BOM's own changes and those of its component lines and operations, newest first, in
    three queries whatever the length of the history."""
    header = BOM.history.filter(id=bom.pk).select_related("history_user")
    lines = BOMComponent.history.filter(bom_id=bom.pk).select_related("history_user", "item")
    operations = BOMOperation.history.filter(bom_id=bom.pk).select_related("history_user")
    entries = [
        *history_entries(header, entity="bom", label=lambda r: r.number),
        *history_entries(lines, entity="component", label=lambda r: r.item.number),
        *history_entries(operations, entity="operation", label=lambda r: f"{r.sequence} {r.name}"),
    ]
    entries.sort(key=lambda e: (e.at, str(e.record.history_id)), reverse=True)
    return entries


def bom_previous_version(*, bom: BOM) -> BOM | None:
    """The live BOM of the same product just before `bom` by (version, creation): what a
    compare is made against by default (None for a product's first BOM). Product and unit
    joined, like `bom_headers()`."""
    return (
        bom_headers()
        .filter(product_id=bom.product_id, deleted_at__isnull=True)
        .filter(Q(version__lt=bom.version) | Q(version=bom.version, created_at__lt=bom.created_at))
        .exclude(pk=bom.pk)
        .order_by("-version", "-created_at")
        .first()
    )
