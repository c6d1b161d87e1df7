"""List and detail reads: each owns its query shape (a fixed number of queries per page)."""

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from manufacturing.models import BOM, BOMComponent, BOMOperation, Workcenter


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
