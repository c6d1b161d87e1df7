"""Every write of planning: item parameters, demands, the MRP run (start, run, save the plan)
and firming a planned order into a draft production order."""

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import ValidationFailed
from config.jobs.models import JobStatus
from config.jobs.services import job_create, job_reap_stale
from config.memory import gc_paused
from config.quantities import quantity_parse
from items.models import Item, ItemType
from manufacturing.boms.models import BOM
from manufacturing.orders.models import ProductionOrder
from manufacturing.orders.services import production_order_create
from manufacturing.planning.bulk import rows_insert, uuid7_texts
from manufacturing.planning.engine import Plan, mrp_plan
from manufacturing.planning.exceptions import (
    AlreadyFirmed,
    NotMakeable,
    PlanStale,
    RunInProgress,
)
from manufacturing.planning.jobkind import MRP_RUN
from manufacturing.planning.models import (
    Demand,
    DemandKind,
    FirmOrder,
    ItemPlanning,
    Pegging,
    PegSource,
    PlanException,
    PlanItem,
    PlannedOrder,
    PlanningRun,
    Procurement,
    RunStatus,
)
from manufacturing.planning.selectors import planning_inputs

logger = logging.getLogger(__name__)


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", errors={field: [message]})


# --- parameters -------------------------------------------------------------------------------


def _plannable(item: Item, field: str = "item_id") -> None:
    if item.deleted_at is not None:
        raise _invalid(field, f"Item {item.number} is archived.")
    if item.type == ItemType.SERVICE:
        raise _invalid(field, f"{item.number} is a service: it is not planned.")


@transaction.atomic
def planning_parameters_set(
    *,
    item: Item,
    procurement: str,
    planned: bool = True,
    lead_time_days: int = 0,
    safety_stock=Decimal(0),
    lot_minimum=Decimal(0),
    lot_multiple=Decimal(0),
    actor=None,
) -> ItemPlanning:
    """Create or replace the item's planning parameters (a PUT: every field given or its
    default)."""
    _plannable(item)
    if procurement not in Procurement.values:
        raise _invalid("procurement", f"Must be one of {', '.join(Procurement.values)}.")
    if isinstance(lead_time_days, bool) or not isinstance(lead_time_days, int):
        raise _invalid("lead_time_days", "Must be a whole number of days.")
    if not 0 <= lead_time_days <= 3650:
        raise _invalid("lead_time_days", "Must be between 0 and 3650 days.")
    values = {
        "procurement": procurement,
        "planned": bool(planned),
        "lead_time_days": lead_time_days,
        "safety_stock": quantity_parse(safety_stock, field="safety_stock", sign="non_negative"),
        "lot_minimum": quantity_parse(lot_minimum, field="lot_minimum", sign="non_negative"),
        "lot_multiple": quantity_parse(lot_multiple, field="lot_multiple", sign="non_negative"),
    }
    Item.objects.select_for_update().filter(pk=item.pk).first()  # one writer per item
    row, _ = ItemPlanning.objects.update_or_create(item=item, defaults=values)
    return row


@transaction.atomic
def planning_parameters_reset(*, item: Item, actor=None) -> None:
    """Back to the computed defaults."""
    ItemPlanning.objects.filter(item=item).delete()


# --- demands ----------------------------------------------------------------------------------

DEMAND_FIELDS = ("item", "quantity", "due_date", "kind", "reference", "notes")


def _demand_check(demand: Demand) -> None:
    _plannable(demand.item)
    demand.quantity = quantity_parse(demand.quantity, field="quantity")
    if demand.kind not in DemandKind.values:
        raise _invalid("kind", f"Must be one of {', '.join(DemandKind.values)}.")
    if not isinstance(demand.due_date, date) or isinstance(demand.due_date, datetime):
        raise _invalid("due_date", "Must be a date (YYYY-MM-DD).")
    if len(demand.reference or "") > 100:
        raise _invalid("reference", "At most 100 characters.")


@transaction.atomic
def demand_create(
    *,
    item: Item,
    quantity,
    due_date: date,
    kind: str = DemandKind.MANUAL,
    reference: str = "",
    notes: str = "",
    actor=None,
) -> Demand:
    demand = Demand(
        item=item,
        quantity=quantity,
        due_date=due_date,
        kind=kind or DemandKind.MANUAL,
        reference=reference or "",
        notes=notes or "",
    )
    _demand_check(demand)
    demand.save()
    return demand


@transaction.atomic
def demand_update(*, demand: Demand, data: dict, actor=None) -> Demand:
    demand = Demand.all_objects.select_for_update().get(pk=demand.pk)
    for name, value in data.items():
        if name in DEMAND_FIELDS:
            setattr(demand, name, value if value is not None or name == "due_date" else "")
    _demand_check(demand)
    demand.save()
    return demand


@transaction.atomic
def demand_delete(*, demand: Demand, actor=None) -> Demand:
    demand.delete()
    return demand


@dataclass
class DemandImport:
    created: int
    rows: int


@transaction.atomic
def demands_import(*, rows: list[dict], actor=None, dry_run: bool = False) -> DemandImport:
    """Rows of `{item, quantity, due_date, kind, reference, notes}` (already resolved and
    parsed by the caller's spec); all or nothing."""
    created = [demand_create(**row, actor=actor) for row in rows]
    if dry_run:
        transaction.set_rollback(True)
    return DemandImport(created=len(created), rows=len(rows))


# --- the run ----------------------------------------------------------------------------------


def run_parameters(*, horizon_days, hours_per_day, today) -> dict:
    horizon = settings.PLANNING_HORIZON_DAYS if horizon_days is None else horizon_days
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 3650:
        raise _invalid("horizon_days", "Must be a whole number of days between 1 and 3650.")
    hours = settings.PLANNING_HOURS_PER_DAY if hours_per_day is None else hours_per_day
    hours = quantity_parse(hours, field="hours_per_day")
    if hours > 24:
        raise _invalid("hours_per_day", "At most 24 hours a day.")
    today = today or timezone.localdate()
    return {"horizonDays": horizon, "hoursPerDay": str(hours), "today": today.isoformat()}


def _release_dead_runs() -> None:
    """A run whose job ended without it (its worker died: the stale-job rule failed the job)
    no longer blocks the next one."""
    job_reap_stale()
    PlanningRun.objects.filter(
        in_flight=True, job__status__in=(JobStatus.FAILED, JobStatus.SUCCEEDED)
    ).update(
        in_flight=None,
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="The job running it stopped before the run finished.",
    )


def mrp_run_start(
    *, actor, horizon_days=None, hours_per_day=None, today=None, background: bool = True
) -> PlanningRun:
    """A queued run (and, `background`, its job). A second while one is queued or running:
    409 `run_in_progress` — the unique `in_flight` flag decides, so two at once cannot both
    start, whatever the number of app servers."""
    parameters = run_parameters(horizon_days=horizon_days, hours_per_day=hours_per_day, today=today)
    _release_dead_runs()
    user = actor if actor is not None and actor.is_authenticated else None
    try:
        with transaction.atomic():
            run = PlanningRun.objects.create(created_by=user, parameters=parameters)
            if background:
                run.job = job_create(kind=MRP_RUN, actor=actor, parameters={"runId": str(run.pk)})
                run.save(update_fields=["job"])
    except IntegrityError:
        running = PlanningRun.objects.filter(in_flight=True).first()
        raise RunInProgress(
            "An MRP run is already queued or running; wait for it to finish.",
            run_id=str(running.pk) if running else None,
        ) from None
    return run


def mrp_compute(*, parameters: dict, progress=None) -> Plan:
    """The plan for `parameters` (see `run_parameters`), computed, not saved."""
    today = date.fromisoformat(parameters["today"])
    inputs = planning_inputs(today=today, horizon_days=parameters["horizonDays"])
    return mrp_plan(
        items=inputs.items,
        tree=inputs.tree,
        demands=inputs.demands,
        receipts=inputs.receipts,
        order_requirements=inputs.order_requirements,
        today=today,
        hours_per_day=Decimal(parameters["hoursPerDay"]),
        progress=progress,
    )


def mrp_run(*, run: PlanningRun, progress=None) -> PlanningRun:
    """Run MRP for `run` (queued by `mrp_run_start`) and save its plan in place of the current
    one, in one transaction. `progress(done, total)` is called while items are netted. On any
    error the run is marked failed and the error raised again; the old plan stays."""
    started = timezone.now()
    PlanningRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=started)
    try:
        # A plan of 10,000 items is millions of live objects and no cycles: the collector's
        # full passes over them were a third of the run (config.memory).
        with gc_paused():
            plan = mrp_compute(parameters=run.parameters, progress=progress)
            _plan_commit(run, plan)
    except BaseException as exc:
        PlanningRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            in_flight=None,
            finished_at=timezone.now(),
            error=getattr(exc, "detail", None) or f"{exc.__class__.__name__}: {exc}",
        )
        raise
    run.refresh_from_db()
    return run


def _plan_commit(run: PlanningRun, plan: Plan) -> None:
    """Save `plan` as the current one and mark `run` succeeded, in one transaction."""
    with transaction.atomic():
        _plan_save(run, plan)
        PlanningRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            in_flight=None,
            is_current=True,
            counts=plan.counts(),
            finished_at=timezone.now(),
        )


def _plan_delete() -> None:
    """The current plan, table by table (children first): four DELETEs whatever its size."""
    current = {"run__is_current": True}
    Pegging.objects.filter(planned_order__run__is_current=True).delete()
    PlanException.objects.filter(**current).delete()
    PlannedOrder.objects.filter(**current).delete()
    PlanItem.objects.filter(**current).delete()
    PlanningRun.objects.filter(is_current=True).update(is_current=False)


def _plan_save(run: PlanningRun, plan: Plan) -> None:
    list(PlanningRun.objects.select_for_update().filter(is_current=True))
    _plan_delete()
    order_ids = uuid7_texts(len(plan.orders))
    peg_ids = iter(uuid7_texts(sum(len(o.pegs) for o in plan.orders)))
    item_ids = iter(uuid7_texts(len(plan.items)))
    exception_ids = iter(uuid7_texts(len(plan.exceptions)))
    rows_insert(
        PlanItem,
        (
            "id",
            "run",
            "item",
            "level",
            "procurement",
            "planned",
            "available",
            "safety_stock",
            "lead_time_days",
            "projection",
        ),
        (
            (
                next(item_ids),
                run.pk,
                p.item.id,
                p.level,
                p.item.procurement,
                p.item.planned,
                p.item.available,
                p.item.safety_stock,
                p.item.lead_time_days,
                [[r[0].isoformat(), *(_text(v) for v in r[1:])] for r in p.rows],
            )
            for p in plan.items
        ),
    )
    rows_insert(
        PlannedOrder,
        (
            "id",
            "run",
            "position",
            "kind",
            "item",
            "bom",
            "level",
            "quantity",
            "start_date",
            "due_date",
            "exception_codes",
        ),
        (
            (
                order_ids[o.index],
                run.pk,
                o.index,
                o.kind,
                o.item.id,
                o.bom.pk if o.bom is not None else None,
                o.level,
                o.quantity,
                o.start,
                o.due,
                ",".join(o.exceptions),
            )
            for o in plan.orders
        ),
    )
    rows_insert(
        Pegging,
        (
            "id",
            "planned_order",
            "position",
            "source",
            "demand",
            "parent",
            "production_order",
            "quantity",
            "required_date",
        ),
        (
            (
                next(peg_ids),
                order_ids[o.index],
                position,
                peg.source,
                peg.ref if peg.source == PegSource.DEMAND else None,
                order_ids[peg.ref] if peg.source == PegSource.PLANNED_ORDER else None,
                peg.ref if peg.source == PegSource.PRODUCTION_ORDER else None,
                peg.quantity,
                peg.date,
            )
            for o in plan.orders
            for position, peg in enumerate(o.pegs)
        ),
    )
    rows_insert(
        PlanException,
        (
            "id",
            "run",
            "position",
            "kind",
            "item",
            "planned_order",
            "demand",
            "date",
            "quantity",
            "message",
        ),
        (
            (
                next(exception_ids),
                run.pk,
                position,
                e.kind,
                e.item.id,
                order_ids[e.planned] if e.planned is not None else None,
                e.demand,
                e.date,
                e.quantity,
                e.message[:300],
            )
            for position, e in enumerate(plan.exceptions)
        ),
    )


@functools.lru_cache(maxsize=65536)  # a plan's projections repeat the same few quantities
def _text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


# --- firming ----------------------------------------------------------------------------------


def plan_stale_reason(*, run: PlanningRun) -> str | None:
    """Why `run`'s plan no longer matches the data, or None: a newer plan, or demands,
    parameters, BOMs or production orders (other than those firmed from a plan) changed since
    it started."""
    if not run.is_current:
        return "A newer MRP run has replaced this plan."
    since = run.started_at or run.created_at
    checks = (
        (Demand.all_objects.filter(updated_at__gt=since), "demands"),
        (ItemPlanning.objects.filter(updated_at__gt=since), "planning parameters"),
        (BOM.all_objects.filter(updated_at__gt=since), "BOMs"),
        (
            ProductionOrder.all_objects.filter(updated_at__gt=since, firm__isnull=True),
            "production orders",
        ),
    )
    for queryset, what in checks:
        if queryset.exists():
            return f"The {what} changed since this plan was made: run MRP again."
    return None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=8)))


@transaction.atomic
def planned_order_firm(*, planned_order: PlannedOrder, actor=None) -> PlannedOrder:
    """Create the draft production order a make planned order proposes (through the production
    order service), count it as firm supply, and link it. The planned order row is locked
    first: two firms at once make one order, the second is refused `already_firmed`."""
    locked = (
        PlannedOrder.objects.select_for_update(of=("self",))
        .select_related("run", "item", "bom")
        .filter(pk=planned_order.pk)
        .first()
    )
    if locked is None:
        raise PlanStale("This planned order is gone: a newer MRP run replaced the plan.")
    if locked.production_order_id is not None:
        raise AlreadyFirmed(
            "This planned order is already firmed.",
            production_order_id=str(locked.production_order_id),
        )
    if locked.kind != Procurement.MAKE:
        raise NotMakeable(
            f"{locked.item.number} is bought, not made: give the order to purchasing (export_plan)."
        )
    reason = plan_stale_reason(run=locked.run)
    if reason:
        raise PlanStale(reason)
    order = production_order_create(
        product=locked.item,
        quantity=locked.quantity,
        bom=locked.bom,
        scheduled_date=_day_start(locked.start_date),
        due_date=_day_start(locked.due_date),
        notes=f"Firmed from MRP run {locked.run.created_at:%Y-%m-%d %H:%M} (planned order "
        f"{locked.pk}).",
        actor=actor,
    )
    FirmOrder.objects.create(production_order=order)
    locked.production_order = order
    locked.firmed_at = timezone.now()
    locked.save(update_fields=["production_order", "firmed_at"])
    return locked
