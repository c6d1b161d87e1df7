"""The manufacturing app's models, defined in their areas (`boms/`, `orders/`, `planning/`) and gathered
here, where Django and the migrations look for them; plus the reference counter both areas
share."""

from django.db import models

from config.models import UUIDModel
from manufacturing.boms.models import (
    BOM,
    BOMComponent,
    BOMOperation,
    BOMStatus,
    BOMType,
    Workcenter,
)
from manufacturing.orders.models import (
    OPEN_ORDER_STATUSES,
    OPEN_WORK_ORDER_STATUSES,
    PRIORITY_RANK,
    TERMINAL_ORDER_STATUSES,
    OrderStatus,
    Priority,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderTimeLog,
)
from manufacturing.planning.models import (
    Demand,
    FirmOrder,
    ItemPlanning,
    Pegging,
    PlanException,
    PlanItem,
    PlannedOrder,
    PlanningRun,
)

__all__ = [
    "BOM",
    "OPEN_ORDER_STATUSES",
    "OPEN_WORK_ORDER_STATUSES",
    "PRIORITY_RANK",
    "TERMINAL_ORDER_STATUSES",
    "BOMComponent",
    "BOMOperation",
    "BOMStatus",
    "BOMType",
    "Demand",
    "FirmOrder",
    "ItemPlanning",
    "OrderStatus",
    "Pegging",
    "PlanException",
    "PlanItem",
    "PlannedOrder",
    "PlanningRun",
    "Priority",
    "ProductionOrder",
    "ProductionOrderComponent",
    "Sequence",
    "WorkOrder",
    "WorkOrderStatus",
    "WorkOrderTimeLog",
    "Workcenter",
]


class Sequence(UUIDModel):
    """A named counter (`bom`, `mo/2026`…), taken under a row lock so numbers never repeat,
    whatever the number of app servers. See `manufacturing.sequences`."""

    name = models.CharField(max_length=64, unique=True)
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.next_value}"
