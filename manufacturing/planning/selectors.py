"""Reads of planning: the parameters an item plans with, the run's inputs (a fixed number of
queries, whatever the number of items, demands and orders), and the current plan."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from inventory.models import StockLevel
from items.models import Item, ItemType
from manufacturing.boms.explosion import bom_components, load_boms, units_built
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.orders.models import OrderStatus, ProductionOrder, ProductionOrderComponent
from manufacturing.planning.engine import PlanningItem, Requirement
from manufacturing.planning.models import (
    Demand,
    FirmOrder,
    ItemPlanning,
    Pegging,
    PegSource,
    PlanException,
    PlanItem,
    PlannedOrder,
    PlanningRun,
    Procurement,
)

ZERO = Decimal(0)
PARAMETER_FIELDS = (
    "procurement",
    "planned",
    "lead_time_days",
    "safety_stock",
    "lot_minimum",
    "lot_multiple",
)


@dataclass(frozen=True)
class Parameters:
    """An item's planning parameters; `is_default` when no row exists (computed defaults)."""

    item_id: object
    procurement: str
    planned: bool
    lead_time_days: int
    safety_stock: Decimal
    lot_minimum: Decimal
    lot_multiple: Decimal
    is_default: bool


def _default_bom_products() -> Q:
    return Q(is_default=True, deleted_at__isnull=True) & ~Q(status=BOMStatus.CANCELLED)


def item_parameters(*, item: Item) -> Parameters:
    """Two queries: the row, or the defaults (make when the item has a default BOM)."""
    row = ItemPlanning.objects.filter(item=item).first()
    if row is not None:
        return Parameters(item.pk, *(getattr(row, f) for f in PARAMETER_FIELDS), is_default=False)
    has_bom = BOM.all_objects.filter(_default_bom_products(), product=item).exists()
    return _defaults(item.pk, has_bom)


def _defaults(item_id, has_bom: bool) -> Parameters:
    return Parameters(
        item_id=item_id,
        procurement=Procurement.MAKE if has_bom else Procurement.BUY,
        planned=True,
        lead_time_days=0,
        safety_stock=ZERO,
        lot_minimum=ZERO,
        lot_multiple=ZERO,
        is_default=True,
    )


def item_lead_times(item_ids) -> dict:
    """`{item id: lead time in days}` for the BOM structure report, in one query: the planning
    parameter (purchase lead time, or a make item's fixed days; MRP adds the operation time of
    each planned order's quantity), 0 where the item keeps the defaults."""
    ids = list(item_ids)
    found = dict(
        ItemPlanning.objects.filter(item_id__in=ids).values_list("item_id", "lead_time_days")
    )
    return {item_id: found.get(item_id, 0) for item_id in ids}


def demand_list():
    """Live and deleted demands (the list hides deleted ones unless asked: `isActive`)."""
    return Demand.all_objects.select_related("item__uom")


def current_run() -> PlanningRun | None:
    return PlanningRun.objects.filter(is_current=True).first()


def run_list():
    return PlanningRun.objects.select_related("created_by", "job")


def planned_order_list(*, run: PlanningRun | None = None):
    """The current plan's orders (or `run`'s) with item, unit and BOM: one query."""
    orders = PlannedOrder.objects.select_related("item__uom", "bom", "production_order")
    if run is None:
        return orders.filter(run__is_current=True)
    return orders.filter(run=run)


def planned_order_pegging(*, planned_order: PlannedOrder) -> list[dict]:
    """The pegging tree of a planned order, up to the demands: one query per level of the tree
    (the parents' pegging rows for the whole level at once)."""
    frontier = {planned_order.pk: 0}
    nodes: dict = {}
    rows_by_order: dict = defaultdict(list)
    depth = 0
    while frontier:
        rows = list(
            Pegging.objects.filter(planned_order_id__in=list(frontier))
            .select_related("demand", "parent__item", "production_order")
            .order_by("planned_order_id", "position")
        )
        following = {}
        for row in rows:
            rows_by_order[row.planned_order_id].append(row)
            if row.parent_id is not None and row.parent_id not in nodes:
                nodes[row.parent_id] = row.parent
                following[row.parent_id] = depth + 1
        frontier = following
        depth += 1
        if depth > 64:  # a plan is a DAG; a corrupt one never loops here
            break

    def _tree(order_id, seen=()):
        result = []
        for row in rows_by_order.get(order_id, ()):
            node = {
                "source": row.source,
                "quantity": row.quantity,
                "required_date": row.required_date,
                "demand": None,
                "production_order": None,
                "planned_order": None,
                "pegging": [],
            }
            if row.demand_id is not None:
                d = row.demand
                node["demand"] = {
                    "id": d.pk,
                    "kind": d.kind,
                    "reference": d.reference,
                    "due_date": d.due_date,
                    "quantity": d.quantity,
                }
            if row.production_order_id is not None:
                node["production_order"] = {
                    "id": row.production_order.pk,
                    "reference": row.production_order.reference,
                }
            if row.parent_id is not None and row.parent_id not in seen:
                parent = nodes[row.parent_id]
                node["planned_order"] = {
                    "id": parent.pk,
                    "kind": parent.kind,
                    "item": {
                        "id": parent.item.pk,
                        "number": parent.item.number,
                        "name": parent.item.name,
                    },
                    "quantity": parent.quantity,
                    "start_date": parent.start_date,
                    "due_date": parent.due_date,
                }
                node["pegging"] = _tree(row.parent_id, (*seen, row.parent_id))
            result.append(node)
        return result

    return _tree(planned_order.pk, (planned_order.pk,))


def item_projection(*, item: Item) -> tuple[PlanItem | None, PlanningRun | None]:
    run = current_run()
    if run is None:
        return None, None
    return PlanItem.objects.filter(run=run, item=item).first(), run


def plan_exceptions(*, run: PlanningRun):
    return PlanException.objects.filter(run=run).select_related("item")


# --- the run's inputs -------------------------------------------------------------------------


@dataclass
class Inputs:
    items: dict
    tree: object
    demands: dict
    receipts: dict
    order_requirements: dict


def _local_date(value, today: date) -> date:
    return timezone.localdate(value) if value is not None else today


def planning_inputs(*, today: date, horizon_days: int) -> Inputs:
    """Everything a run reads, in nine queries whatever the data: items, parameters, the BOMs
    (two: lines and headers), stock, demands, open orders and their requirements."""
    items_qs = (
        Item.objects.exclude(type=ItemType.SERVICE)
        .select_related("uom")
        .only(
            "id",
            "number",
            "name",
            "type",
            "uom__id",
            "uom__symbol",
            "uom__category",
            "uom__factor",
            "uom__deleted_at",
        )
    )
    params = {
        row[0]: row[1:] for row in ItemPlanning.objects.values_list("item_id", *PARAMETER_FIELDS)
    }
    firm = FirmOrder.objects.filter(production_order_id=OuterRef("pk"))
    orders = list(
        ProductionOrder.objects.filter(
            Q(status__in=(OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS))
            | Q(Exists(firm), status=OrderStatus.DRAFT)
        )
        .order_by("reference")
        .values_list(
            "id",
            "reference",
            "product_id",
            "bom_id",
            "quantity",
            "produced_qty",
            "status",
            "scheduled_date",
            "due_date",
        )
    )
    firm_bom_ids = sorted({o[3] for o in orders if o[6] == OrderStatus.DRAFT}, key=str)
    bom = BOM._meta.db_table
    sql = f"SELECT id FROM {bom} WHERE is_default = %s AND deleted_at IS NULL AND status <> %s"
    sql_params: list = [True, BOMStatus.CANCELLED]
    if firm_bom_ids:
        pk = BOM._meta.pk
        sql += f" OR id IN ({', '.join(['%s'] * len(firm_bom_ids))})"
        sql_params += [pk.get_db_prep_value(i, connection) for i in firm_bom_ids]
    tree = load_boms(sql, sql_params)

    items: dict = {}
    for item in items_qs:
        bom_of = tree.defaults.get(item.pk)
        row = params.get(item.pk)
        p = row if row is not None else _defaults(item.pk, bom_of is not None)
        if row is None:
            p = (
                p.procurement,
                p.planned,
                p.lead_time_days,
                p.safety_stock,
                p.lot_minimum,
                p.lot_multiple,
            )
        items[item.pk] = PlanningItem(item, *p, bom=bom_of)

    for item_id, on_hand, reserved in (
        StockLevel.objects.filter(warehouse__deleted_at__isnull=True)
        .values("item_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        .values_list("item_id", "on_hand", "reserved")
    ):
        if item_id in items:
            items[item_id].available = (on_hand or ZERO) - (reserved or ZERO)

    demands: dict = defaultdict(list)
    for pk, item_id, quantity, due, reference in (
        Demand.objects.filter(due_date__lte=today + timedelta(days=horizon_days))
        .order_by("due_date", "id")
        .values_list("id", "item_id", "quantity", "due_date", "reference")
    ):
        if item_id in items:
            demands[item_id].append(
                Requirement(due, quantity, PegSource.DEMAND, pk, f"1{reference}\x00{pk}")
            )

    receipts: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    requirements: dict = defaultdict(list)
    bom_by_id = tree.boms
    for pk, reference, product_id, bom_id, quantity, produced, status, scheduled, due in orders:
        remaining = quantity - produced
        if product_id in items and remaining > 0:
            receipts[product_id][_local_date(due or scheduled, today)] += remaining
        if status == OrderStatus.DRAFT and bom_id in bom_by_id and product_id in items:
            sub = bom_by_id[bom_id]
            rows, _ = bom_components(tree, sub, units_built(quantity, items[product_id].item, sub))
            for component, needed in rows:
                if component.pk in items:
                    requirements[component.pk].append(
                        Requirement(
                            _local_date(scheduled, today),
                            needed,
                            PegSource.PRODUCTION_ORDER,
                            pk,
                            f"0{reference}",
                        )
                    )
    open_ids = {o[0]: o for o in orders if o[6] != OrderStatus.DRAFT}
    for order_id, item_id, required, consumed, reserved in (
        ProductionOrderComponent.objects.filter(
            order__status__in=(OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS)
        )
        .order_by("order_id", "position")
        .values_list("order_id", "item_id", "required", "consumed", "reserved")
    ):
        still = required - consumed - (reserved or ZERO)
        order = open_ids.get(order_id)
        if still > 0 and item_id in items and order is not None:
            requirements[item_id].append(
                Requirement(
                    _local_date(order[7], today),
                    still,
                    PegSource.PRODUCTION_ORDER,
                    order_id,
                    f"0{order[1]}",
                )
            )
    return Inputs(
        items=items,
        tree=tree,
        demands=demands,
        receipts={k: dict(v) for k, v in receipts.items()},
        order_requirements=requirements,
    )
