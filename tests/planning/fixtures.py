"""Arrange helpers for planning tests: a bike structure built through the services."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from items.models import Item
from manufacturing.boms.models import BOM
from manufacturing.planning import services
from manufacturing.planning.models import PlannedOrder, PlanningRun
from tests.inventory.factories import receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

TODAY = date(2026, 3, 2)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@dataclass
class Bike:
    bike: Item
    frame: Item
    wheel: Item
    kit: Item
    bolt: Item
    tube: Item
    bike_bom: BOM
    frame_bom: BOM


def make_bike(*, status: str = "submitted") -> Bike:
    """BIKE = 1 FRAME + 2 WHEEL + 1 KIT (phantom: 4 BOLT), 240 min of assembly;
    FRAME = 3 TUBE at 10 % scrap, 60 min of welding. Parameters: BIKE make, 1 day fixed;
    FRAME make, 2 days fixed, safety stock 2, 4 on hand; WHEEL buy, 5 days, multiples of 10;
    BOLT buy, 2 days, safety stock 20, 30 on hand; TUBE buy, 7 days, at least 100."""
    line_a = WorkcenterFactory(code="ASSY", name="Assembly")
    bike, frame, wheel, kit, bolt, tube = (
        ItemFactory(number=n) for n in ("BIKE", "FRAME", "WHEEL", "KIT", "BOLT", "TUBE")
    )
    frame_bom = BOMFactory(
        product=frame,
        lines=[line(tube, 3, scrap="10")],
        operations=[op(line_a, 60, "Weld")],
        status=status,
    )
    BOMFactory(product=kit, lines=[line(bolt, 4)], type="phantom", status=status)
    bike_bom = BOMFactory(
        product=bike,
        lines=[line(frame, 1), line(wheel, 2), line(kit, 1)],
        operations=[op(line_a, 240, "Assemble")],
        status=status,
    )
    params = services.planning_parameters_set
    params(item=bike, procurement="make", lead_time_days=1)
    params(item=frame, procurement="make", lead_time_days=2, safety_stock=Decimal(2))
    params(item=wheel, procurement="buy", lead_time_days=5, lot_multiple=Decimal(10))
    params(item=bolt, procurement="buy", lead_time_days=2, safety_stock=Decimal(20))
    params(item=tube, procurement="buy", lead_time_days=7, lot_minimum=Decimal(100))
    receive(frame, 4)
    receive(bolt, 30)
    return Bike(bike, frame, wheel, kit, bolt, tube, bike_bom, frame_bom)


def run_now(today: date = TODAY, **kwargs) -> PlanningRun:
    run = services.mrp_run_start(actor=None, today=today, background=False, **kwargs)
    return services.mrp_run(run=run)


def orders_of(run: PlanningRun, item: Item) -> list[tuple]:
    return [
        (o.kind, o.quantity, o.start_date, o.due_date)
        for o in PlannedOrder.objects.filter(run=run, item=item).order_by("position")
    ]
