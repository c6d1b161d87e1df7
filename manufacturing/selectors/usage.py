"""Who uses what: the hooks that refuse archiving a BOM or an item still in use."""

from django.db.models import Q

from items.models import Item
from manufacturing.models import BOM


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
