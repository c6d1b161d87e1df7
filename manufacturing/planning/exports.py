"""The current plan as CSV, for purchasing (`export_plan`): one row per planned order."""

from collections import defaultdict

from config.csv import DictWriter
from manufacturing.planning.models import Pegging
from manufacturing.planning.selectors import planned_order_list

COLUMNS = (
    "kind",
    "item_number",
    "item_name",
    "quantity",
    "uom",
    "order_by",
    "need_by",
    "bom_number",
    "level",
    "exceptions",
    "production_order",
    "pegged_to",
)


def plan_export_csv(*, out, kind: str | None = None) -> int:
    """Two queries: the orders, and the demands their pegging names."""
    orders = planned_order_list().order_by("position")
    if kind:
        orders = orders.filter(kind=kind)
    orders = list(orders)
    pegged = defaultdict(list)
    for order_id, source, reference, parent in (
        Pegging.objects.filter(planned_order__run__is_current=True)
        .order_by("planned_order_id", "position")
        .values_list("planned_order_id", "source", "demand__reference", "parent__item__number")
    ):
        pegged[order_id].append(reference or parent or source)
    writer = DictWriter(out, COLUMNS)
    writer.writeheader()
    for order in orders:
        writer.writerow(
            {
                "kind": order.kind,
                "item_number": order.item.number,
                "item_name": order.item.name,
                "quantity": f"{order.quantity.normalize():f}",
                "uom": order.item.uom.symbol,
                "order_by": order.start_date.isoformat(),
                "need_by": order.due_date.isoformat(),
                "bom_number": order.bom.number if order.bom else "",
                "level": order.level,
                "exceptions": order.exception_codes.replace(",", " "),
                "production_order": order.production_order.reference
                if order.production_order
                else "",
                "pegged_to": " ".join(dict.fromkeys(pegged.get(order.pk, []))),
            }
        )
    return len(orders)
