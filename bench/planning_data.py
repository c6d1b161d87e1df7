"""The MRP dataset: items on a fixed number of BOM levels, demands, stock and planning
parameters, built set-based (one INSERT per table whatever the size, through
`planning.bulk.rows_insert`) but valid under the services' rules (items and BOMs checked by
bench.dataset's batch checks, content hashes from the services' function). No history rows:
MRP reads none, and writing them would be most of the time. Used by the MRP bench scenario and
by the planning query-count test."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from bench.dataset import (
    NUMBER_PREFIX,
    DatasetError,
    _check_bom_rules,
    _check_item_rules,
    _PlannedBom,
)
from items.models import Item, ItemType, Tracking, UnitOfMeasure
from manufacturing.planning.bulk import rows_insert

STOCK_REFERENCE = "BENCH/MRP-OPENING"
LEVEL_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)  # each level wider than the one above


@dataclass(frozen=True)
class PlanningData:
    items: int
    levels: int
    boms: int
    lines: int
    demands: int
    stocked: int
    top_item_ids: list[UUID]

    @property
    def rows(self) -> dict[str, int]:
        return {
            "mrp items": self.items,
            "mrp BOM lines": self.lines,
            "demands": self.demands,
            "stocked items": self.stocked,
        }


def planning_level_sizes(items: int, levels: int) -> list[int]:
    """Items on each level 0 .. levels-1, in proportion to LEVEL_WEIGHTS, summing to `items`."""
    if not 1 <= levels <= len(LEVEL_WEIGHTS) or items < 2 * levels:
        raise DatasetError(f"{items} items cannot fill {levels} levels")
    weights = LEVEL_WEIGHTS[:levels]
    sizes = [max(1, items * w // sum(weights)) for w in weights]
    sizes[-1] += items - sum(sizes)
    return sizes


def build_planning(
    *,
    items: int,
    levels: int = 5,
    demands: int = 200,
    horizon_days: int = 90,
    stock_share: float = 0.5,
    today: date | None = None,
    seed: int = 7,
) -> PlanningData:
    """`items` stockable items (numbered BN-P<items>-<level>-<n>) on `levels` levels: every
    item above the last level is made from 2-4 items of the next level (each item of a level
    used by at least one parent, so every low-level code is exact), the last level is bought.
    `demands` demands on the top level (and one in ten on the level below), due over
    `horizon_days` from `today`; stock on `stock_share` of the items (one receipt move and its
    level each, as the ledger has it); planning parameters on a third (lead times, lot sizes,
    safety stock)."""
    from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, StockLevel, StockMove, Warehouse
    from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, Workcenter
    from manufacturing.planning.models import Demand, DemandKind, ItemPlanning, Procurement

    rng = random.Random(seed + items)
    today = today or timezone.localdate()
    prefix = f"{NUMBER_PREFIX}P{items}-"
    each = UnitOfMeasure.objects.get(symbol="EA", deleted_at__isnull=True)
    sizes = planning_level_sizes(items, levels)
    tiers: list[list[Item]] = [
        [
            Item(
                number=f"{prefix}{level}-{n:05d}",
                name=f"MRP {items} level {level} #{n}",
                type=ItemType.STOCKABLE,
                uom=each,
                tracking=Tracking.NONE,
            )
            for n in range(size)
        ]
        for level, size in enumerate(sizes)
    ]
    every = [item for tier in tiers for item in tier]
    _check_item_rules(every, prefix=prefix)
    workcenter = Workcenter.objects.filter(deleted_at__isnull=True).order_by("code").first()
    if workcenter is None:
        workcenter = Workcenter.objects.create(code="BN-MRP", name="Bench MRP line")
    store = Warehouse.objects.filter(code=DEFAULT_WAREHOUSE_CODE).first()
    if store is None:
        raise DatasetError(f"no live default warehouse {DEFAULT_WAREHOUSE_CODE}")

    plans = []
    for level in range(levels - 1):
        parents, kids = tiers[level], tiers[level + 1]
        for n, parent in enumerate(parents):
            chosen = {kid.pk for kid in kids[n :: len(parents)]}  # every kid has a parent
            while len(chosen) < min(len(kids), rng.randint(2, 4)):
                chosen.add(rng.choice(kids).pk)
            plans.append(
                _PlannedBom(
                    number=f"{prefix}BOM-{level}-{n:05d}",
                    name=f"MRP BOM {parent.number}",
                    product_id=parent.pk,
                    uom_id=each.pk,
                    lines=[
                        (kid_id, Decimal(rng.choice(("1", "2", "3", "0.5"))), each.pk, Decimal(0))
                        for kid_id in sorted(chosen, key=str)
                    ],
                    operations=[(10, "Assembly", workcenter.pk, Decimal(rng.choice(("5", "15"))))],
                )
            )
    now = timezone.now()
    stocked = rng.sample(every, int(len(every) * stock_share))
    moves, stock_levels = [], []
    for item in stocked:
        quantity = Decimal(rng.randint(1, 200))
        moves.append(
            StockMove(
                kind=MoveKind.RECEIPT,
                item_id=item.pk,
                quantity=quantity,
                to_warehouse=store,
                reference=STOCK_REFERENCE,
                note="Bench MRP opening stock",
                created_at=now,
            )
        )
        stock_levels.append(StockLevel(item_id=item.pk, warehouse=store, on_hand=quantity))
    parameters = []
    for level, tier in enumerate(tiers):
        buy = level == levels - 1
        for item in tier[::3]:
            parameters.append(
                ItemPlanning(
                    item_id=item.pk,
                    procurement=Procurement.BUY if buy else Procurement.MAKE,
                    lead_time_days=rng.randint(3, 15) if buy else rng.randint(0, 2),
                    safety_stock=Decimal(rng.choice((0, 0, 5, 10))),
                    lot_minimum=Decimal(rng.choice((0, 0, 50))),
                    lot_multiple=Decimal(rng.choice((0, 0, 10, 25))) if buy else Decimal(0),
                )
            )
    demanded = tiers[0] + tiers[1][::10] if levels > 1 else tiers[0]
    kinds = (DemandKind.SALES, DemandKind.FORECAST, DemandKind.MANUAL)
    demand_rows = [
        Demand(
            item_id=rng.choice(demanded).pk,
            quantity=Decimal(rng.randint(1, 40)),
            due_date=today + timedelta(days=rng.randint(1, horizon_days)),
            kind=kinds[n % 3],
            reference=f"BN-SO-{items}-{n:05d}",
        )
        for n in range(demands)
    ]
    with transaction.atomic():
        instances_insert(Item, every)
        _check_bom_rules(plans, prefix=f"{prefix}BOM-")
        for model, objects in zip(
            (BOM, BOMComponent, BOMOperation), _bom_instances(plans), strict=True
        ):
            instances_insert(model, objects)
        instances_insert(StockMove, moves)
        instances_insert(StockLevel, stock_levels)
        instances_insert(ItemPlanning, parameters)
        instances_insert(Demand, demand_rows)
    return PlanningData(
        items=len(every),
        levels=levels,
        boms=len(plans),
        lines=sum(len(p.lines) for p in plans),
        demands=len(demand_rows),
        stocked=len(stocked),
        top_item_ids=[item.pk for item in tiers[0]],
    )


def instances_insert(model, objects: list) -> None:
    """Unsaved `objects` of `model`, every concrete column as the instance holds it (auto_now
    fields set to now), in one INSERT."""
    if not objects:
        return
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objects:
                if getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, now)
    attnames = [f.attname for f in fields]
    rows_insert(
        model,
        [f.name for f in fields],
        ([getattr(obj, a) for a in attnames] for obj in objects),
    )


def _bom_instances(plans: list[_PlannedBom]) -> tuple[list, list, list]:
    """Submitted default BOMs of `plans` with their lines and operations, as `_insert_boms`
    makes them (content hash from the services' own function)."""
    from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, BOMStatus, BOMType
    from manufacturing.boms.services import content_hash

    units = {
        pk: (category, factor)
        for pk, category, factor in UnitOfMeasure.all_objects.values_list(
            "pk", "category", "factor"
        )
    }
    boms, lines, operations = [], [], []
    for plan in plans:
        bom = BOM(
            number=plan.number,
            name=plan.name,
            product_id=plan.product_id,
            quantity=Decimal(1),
            uom_id=plan.uom_id,
            type=BOMType.MANUFACTURE,
            status=BOMStatus.SUBMITTED,
            is_default=True,
            version=1,
            content_hash=content_hash(
                product_id=plan.product_id,
                quantity=Decimal(1),
                uom_id=plan.uom_id,
                type=BOMType.MANUFACTURE,
                components=plan.lines,
                operations=plan.operations,
                units=units,
            ),
        )
        boms.append(bom)
        lines += [
            BOMComponent(
                bom_id=bom.pk,
                item_id=item_id,
                quantity=quantity,
                uom_id=uom_id,
                scrap_percent=scrap,
                position=position,
            )
            for position, (item_id, quantity, uom_id, scrap) in enumerate(plan.lines)
        ]
        operations += [
            BOMOperation(
                bom_id=bom.pk,
                sequence=sequence,
                name=name,
                workcenter_id=workcenter_id,
                duration_minutes=minutes,
            )
            for sequence, name, workcenter_id, minutes in plan.operations
        ]
    return boms, lines, operations
