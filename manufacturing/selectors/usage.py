"""Who uses what: the hooks that refuse archiving a BOM or an item still in use."""

from django.db.models import Q

from items.models import Item, UnitOfMeasure
from items.selectors import USAGE_EXAMPLES
from manufacturing.models import BOM, BOMComponent, ProductionOrderComponent


def bom_open_order_references(*, bom: BOM) -> list[str]:
    """References of the production orders that are neither done nor cancelled and use `bom`
    (`["MO/2026/0007", …]`); `bom_archive` refuses with `bom_in_use` while it is not empty.

    The one place the BOM services learn about orders."""
    from manufacturing.selectors.orders import open_orders_using_bom

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
