from items import registry
from items.models import Item, UnitOfMeasure


def item_list():
    return Item.all_objects.select_related("uom")


def uom_list():
    return UnitOfMeasure.all_objects.all()


def item_usage_reasons(*, item: Item) -> list[str]:
    return [reason for check in registry.item_usage_checks if (reason := check(item))]


USAGE_EXAMPLES = 5


def uom_item_usage(uom: UnitOfMeasure) -> tuple[int, str, list[str]]:
    """The items stocked in `uom`, archived ones included (their ledger and levels are in it)."""
    items = Item.all_objects.filter(uom=uom)
    count = items.count()
    numbers = items.order_by("number").values_list("number", flat=True)[: USAGE_EXAMPLES + 1]
    return count, "item", list(numbers) if count else []


def uom_usage_reasons(*, uom: UnitOfMeasure) -> list[str]:
    """Where `uom` is used, one phrase per kind of use: `["3 BOM lines (BOM-000002, BOM-000005)",
    "1 item (PAINT)"]`; empty when nothing uses it. Stock moves, levels and reservations hold
    their quantities in the item's stock unit, so they are counted through their items. Two
    queries per kind of use, whatever the number of rows."""
    found = [uom_item_usage(uom), *(check(uom) for check in registry.uom_usage_checks)]
    reasons = []
    for count, noun, examples in found:
        if not count:
            continue
        shown = ", ".join(examples[:USAGE_EXAMPLES])
        if len(examples) > USAGE_EXAMPLES:
            shown += ", …"
        reasons.append(f"{count} {noun}{'' if count == 1 else 's'} ({shown})")
    return reasons


def item_where_used(*, item: Item, levels: str = "1") -> list[dict]:
    """The active BOMs using `item` (`levels="all"`: every BOM above it). Empty until the
    manufacturing app registers its provider."""
    provider = registry.where_used_provider.get("default")
    return provider(item=item, levels=levels) if provider else []
