from items import registry
from items.models import Item, UnitOfMeasure


def item_list():
    return Item.all_objects.select_related("uom")


def uom_list():
    return UnitOfMeasure.all_objects.all()


def item_usage_reasons(*, item: Item) -> list[str]:
    return [reason for check in registry.item_usage_checks if (reason := check(item))]


def item_where_used(*, item: Item, levels: str = "1") -> list[dict]:
    """The active BOMs using `item` (`levels="all"`: every BOM above it). Empty until the
    manufacturing app registers its provider."""
    provider = registry.where_used_provider.get("default")
    return provider(item=item, levels=levels) if provider else []
