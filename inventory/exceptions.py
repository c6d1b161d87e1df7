"""Inventory's domain errors (see API.md for the codes)."""

from decimal import Decimal
from typing import Any

from config.exceptions import DomainError, InUse, InvalidState


class InsufficientStock(DomainError):
    """Every shortfall of a request at once, as
    `shortages=[{"product_id", "number", "required", "available"}]` (camelCase on the wire)."""

    code = "insufficient_stock"
    status = 400
    title = "Insufficient stock"

    def __init__(self, detail: str | None = None, *, shortages: list[dict[str, Any]]) -> None:
        super().__init__(detail or self._describe(shortages), shortages=shortages)
        self.shortages = shortages

    @staticmethod
    def _describe(shortages: list[dict[str, Any]]) -> str:
        parts = [
            f"{s['number']}: required {s['required']}, available {s['available']}"
            for s in shortages
        ]
        return "Not enough available stock: " + "; ".join(parts) + "."


def shortage(*, item, required: Decimal, available: Decimal) -> dict[str, Any]:
    return {
        "product_id": str(item.pk),
        "number": item.number,
        "required": required,
        "available": max(available, Decimal(0)),
    }


class LedgerImmutable(InvalidState):
    """Stock moves are never updated or deleted: corrections are new moves."""

    title = "The stock ledger is immutable"


class WarehouseInUse(InUse):
    """A warehouse open production orders take from or deliver to cannot be archived."""

    code = "warehouse_in_use"
    title = "Warehouse in use"
