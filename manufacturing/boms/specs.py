"""What a BOM is made of, as the services take it: resolved instances, not ids or numbers.

The API, the admin and the import each turn their own input into these, then call the services.
"""

from dataclasses import dataclass
from decimal import Decimal

from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import Workcenter


@dataclass(frozen=True)
class ComponentSpec:
    item: Item
    quantity: Decimal
    uom: UnitOfMeasure | None = None  # None: the item's stock unit
    scrap_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class OperationSpec:
    name: str
    workcenter: Workcenter
    duration_minutes: Decimal = Decimal(0)
    sequence: int | None = None  # None: 10, 20, 30… in the order given
