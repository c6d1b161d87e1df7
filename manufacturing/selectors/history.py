"""Who changed a BOM (its header, lines and operations) or a production order, and when."""

from config.history import HistoryEntry, history_entries
from manufacturing.models import BOM, BOMComponent, BOMOperation, ProductionOrder


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


def production_order_history(*, order: ProductionOrder) -> list[HistoryEntry]:
    records = ProductionOrder.history.filter(id=order.pk).select_related("history_user")
    return history_entries(records, entity="order", label=lambda r: r.reference)
