"""Demo planning (idempotent): parameters for the Widget Pro structure, demands relative to
today, one failed and one good MRP run, so a fresh `make run` shows a plan with make and buy orders, exceptions
and a pegging chain steel → frame → widget → demand."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from items.models import Item
from manufacturing.planning import services
from manufacturing.planning.models import Demand, ItemPlanning, PlanningRun, RunStatus

# item, procurement, lead time days, safety stock, lot minimum, lot multiple
PARAMETERS = [
    ("WIDGET-PRO", "make", 2, "0", "0", "0"),
    ("SA-FRAME", "make", 1, "0", "0", "10"),
    ("SA-CTRL", "make", 1, "0", "0", "0"),
    ("MOTOR-001", "buy", 14, "10", "0", "0"),
    ("RM-STEEL-001", "buy", 5, "150", "50", "0"),
    ("PCB-001", "buy", 10, "300", "0", "25"),
]
# reference, kind, item, quantity, due in days
DEMANDS = [
    ("SO-DEMO-1001", "sales", "WIDGET-PRO", "40", 12),
    ("SO-DEMO-1002", "sales", "WIDGET-PRO", "25", 3),
    ("FC-DEMO-Q3", "forecast", "WIDGET-PRO", "60", 35),
]


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    items = {i.number: i for i in Item.objects.filter(number__in=[p[0] for p in PARAMETERS])}
    known = set(ItemPlanning.objects.values_list("item__number", flat=True))
    made_params = 0
    for number, procurement, lead, safety, minimum, multiple in PARAMETERS:
        if number in known or number not in items:
            continue
        services.planning_parameters_set(
            item=items[number],
            procurement=procurement,
            lead_time_days=lead,
            safety_stock=Decimal(safety),
            lot_minimum=Decimal(minimum),
            lot_multiple=Decimal(multiple),
            actor=actor,
        )
        made_params += 1
    today = timezone.localdate()
    references = set(Demand.all_objects.values_list("reference", flat=True))
    made_demands = 0
    for reference, kind, number, quantity, days in DEMANDS:
        if reference in references or number not in items:
            continue
        services.demand_create(
            item=items[number],
            quantity=Decimal(quantity),
            due_date=today + timedelta(days=days),
            kind=kind,
            reference=reference,
            actor=actor,
        )
        made_demands += 1
    runs = 0
    if not PlanningRun.objects.exists():
        # How a run that never reached a worker looks (the job framework's stale-job rule
        # fails it): no start, no finish, no plan.
        PlanningRun.objects.create(
            created_at=timezone.now() - timedelta(minutes=5),
            created_by=actor,
            status=RunStatus.FAILED,
            in_flight=None,
            parameters=services.run_parameters(horizon_days=None, hours_per_day=None, today=None),
            error="The job running it stopped before the run started (demo).",
        )
    if not PlanningRun.objects.filter(is_current=True).exists():
        run = services.mrp_run_start(actor=actor, background=False)
        services.mrp_run(run=run)
        runs = 1
    return {"planning parameters": made_params, "demands": made_demands, "MRP runs": runs}
