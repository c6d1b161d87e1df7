"""The benchmark's dataset, in parts built through bulk paths but valid under the services' rules.

Each part is a `build_*` function with keyword arguments, returning a small dataclass that the
scenarios read (ids, not instances). The parts registered at the bottom map a run's profile onto
those arguments. A part whose models are not migrated in this checkout is left out of the run
(see bench.registry); once they are, a stub below that still raises NotImplementedError is
reported as "not implemented yet" and its scenarios are skipped. To plug one in: write its body,
keep its return type, and the scenarios that need it start running.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from bench.context import Context
from bench.registry import Part, register_part
from config import csv
from items.models import Item, ItemType, Tracking, UnitOfMeasure

NUMBER_PREFIX = "BN-"
BATCH_SIZE = 1000


class DatasetError(Exception):
    """Generated data would break a rule the services enforce."""


# --- items -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsData:
    component_ids: list[UUID]
    assembly_ids: list[UUID]

    @property
    def rows(self) -> dict[str, int]:
        return {"components": len(self.component_ids), "assemblies": len(self.assembly_ids)}


# Component stock units: mostly pieces, some mass and length (BOM lines exercise conversion).
COMPONENT_UNITS = (("EA", 80), ("kg", 10), ("m", 10))


def _check_item_rules(items: list[Item], *, prefix: str) -> None:
    """What items.services.item_create checks one by one, for a whole batch at once: numbers
    unique (in the batch and among live items), units live, no lot-tracked service, and every
    field valid (choices, lengths, validators; the unit FK is checked above, without a query
    per item)."""
    numbers = [item.number for item in items]
    if len(set(numbers)) != len(numbers):
        raise DatasetError("duplicate item numbers in the generated batch")
    if not all(number.startswith(prefix) for number in numbers):
        raise DatasetError(f"generated item numbers must start with {prefix}")
    if Item.objects.filter(number__startswith=prefix).exists():
        raise DatasetError(f"live items numbered {prefix}… exist already")
    for item in items:
        if item.uom.deleted_at is not None:
            raise DatasetError(f"unit {item.uom.symbol} is archived")
        if item.type == ItemType.SERVICE and item.tracking == Tracking.LOT:
            raise DatasetError(f"{item.number}: a service cannot be lot-tracked")
        item.full_clean(exclude=["uom"], validate_unique=False, validate_constraints=False)


def build_items(*, components: int, assemblies: int, seed: int = 7) -> ItemsData:
    """`components` purchased parts and `assemblies` manufactured products, all stockable
    (assemblies must be, to be produced into stock), untracked, with standard costs."""
    rng = random.Random(seed)
    units = {u.symbol: u for u in UnitOfMeasure.objects.filter(symbol__in=["EA", "kg", "m"])}
    symbols = [symbol for symbol, _ in COMPONENT_UNITS]
    weights = [weight for _, weight in COMPONENT_UNITS]
    items = [
        Item(
            number=f"{NUMBER_PREFIX}C-{n:05d}",
            name=f"Bench component {n:05d}",
            description=rng.choice(["steel", "copper", "plastic", "hardware", "electronic"]),
            type=ItemType.STOCKABLE,
            uom=units[rng.choices(symbols, weights)[0]],
            tracking=Tracking.NONE,
            standard_cost=Decimal(rng.randint(1, 50_000)) / 100,
        )
        for n in range(1, components + 1)
    ]
    items += [
        Item(
            number=f"{NUMBER_PREFIX}A-{n:04d}",
            name=f"Bench assembly {n:04d}",
            description="assembly",
            type=ItemType.STOCKABLE,
            uom=units["EA"],
            tracking=Tracking.NONE,
        )
        for n in range(1, assemblies + 1)
    ]
    _check_item_rules(items[:components], prefix=f"{NUMBER_PREFIX}C-")
    _check_item_rules(items[components:], prefix=f"{NUMBER_PREFIX}A-")
    with transaction.atomic():
        Item.objects.bulk_create(items, batch_size=BATCH_SIZE)
    return ItemsData(
        component_ids=[item.pk for item in items[:components]],
        assembly_ids=[item.pk for item in items[components:]],
    )


# --- shared by the manufacturing parts -------------------------------------------------------

# code, name, hourly cost
WORKCENTERS = (
    ("BN-WC1", "Bench assembly line", "60"),
    ("BN-WC2", "Bench machining", "85"),
    ("BN-WC3", "Bench paint shop", "45"),
    ("BN-WC4", "Bench test bay", "70"),
)
OPERATION_NAMES = ("Kitting", "Assembly", "Test", "Pack")
# (stock unit, line unit, quantities): most lines in the stock unit, some converted.
LINE_QUANTITIES = ("1", "2", "3", "4", "5", "10", "0.5", "0.25", "1.5")
CONVERTED = {"kg": ("g", ("250", "500", "125", "40")), "m": ("cm", ("50", "120", "35", "80"))}
SCRAP = ("1", "2.5", "5")


def _workcenters() -> list:
    """The bench's workcenters (created once, with their history rows, as workcenter_create
    would: live codes and names unique)."""
    from simple_history.utils import bulk_create_with_history

    from manufacturing.boms.models import Workcenter

    codes = [code for code, _, _ in WORKCENTERS]
    existing = set(Workcenter.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [
        Workcenter(code=code, name=name, hourly_cost=Decimal(cost))
        for code, name, cost in WORKCENTERS
        if code not in existing
    ]
    if missing:
        if Workcenter.objects.filter(name__in=[wc.name for wc in missing]).exists():
            raise DatasetError("a live workcenter already has a bench workcenter's name")
        for wc in missing:
            wc.full_clean(validate_unique=False, validate_constraints=False)
        bulk_create_with_history(missing, Workcenter)
    return list(Workcenter.objects.filter(code__in=codes).order_by("code"))


@dataclass
class _PlannedBom:
    """A BOM as bom_create would receive it, by ids: lines `(item_id, quantity, uom_id, scrap)`,
    operations `(sequence, name, workcenter_id, minutes)`."""

    number: str
    name: str
    product_id: UUID
    uom_id: UUID
    lines: list[tuple[UUID, Decimal, UUID, Decimal]]
    operations: list[tuple[int, str, UUID, Decimal]]


def _check_bom_rules(plans: list[_PlannedBom], *, prefix: str) -> None:
    """What bom_create and bom_submit check one BOM at a time, for the whole batch: numbers
    unique among live BOMs, the product live and not a service, at least one line, each
    component once and never the product itself, quantities > 0, scrap >= 0, units live and
    convertible into the component's stock unit, operations with distinct sequences on live
    workcenters; one default per product (the products have no BOM yet); and no cycle."""
    from manufacturing.boms.models import BOM, Workcenter
    from manufacturing.boms.services import MINUTES_STEP, PERCENT_STEP, QTY_STEP

    numbers = [plan.number for plan in plans]
    if len(set(numbers)) != len(numbers) or not all(n.startswith(prefix) for n in numbers):
        raise DatasetError(f"BOM numbers must be unique and start with {prefix}")
    if BOM.objects.filter(number__startswith=prefix).exists():
        raise DatasetError(f"live BOMs numbered {prefix}… exist already")
    products = [plan.product_id for plan in plans]
    if len(set(products)) != len(products):
        raise DatasetError("one default BOM per product: a product appears twice")
    involved = set(products) | {line[0] for plan in plans for line in plan.lines}
    # No BOM of any item involved yet: the new edges are the only edges out of these items, so
    # the acyclicity check below covers the whole graph, and each new BOM may be the default.
    if BOM.all_objects.filter(product_id__in=involved).exists():
        raise DatasetError("an item of the generated BOMs has a BOM already")
    items = {
        pk: (type_, uom_id, deleted)
        for pk, type_, uom_id, deleted in Item.all_objects.filter(pk__in=involved).values_list(
            "pk", "type", "uom_id", "deleted_at"
        )
    }
    units = {u.pk: u for u in UnitOfMeasure.objects.all()}
    live_workcenters = set(Workcenter.objects.values_list("pk", flat=True))
    children: dict[UUID, set[UUID]] = {}
    for plan in plans:
        kind, product_uom, deleted = items.get(plan.product_id, (None, None, True))
        if deleted is not None or kind == ItemType.SERVICE:
            raise DatasetError(f"{plan.number}: product missing, archived or a service")
        if units[plan.uom_id].category != units[product_uom].category:
            raise DatasetError(f"{plan.number}: BOM unit does not convert into the product's")
        if not plan.lines:
            raise DatasetError(f"{plan.number}: no component")
        ids = [item_id for item_id, *_ in plan.lines]
        if len(set(ids)) != len(ids) or plan.product_id in ids:
            raise DatasetError(f"{plan.number}: duplicate component or its own product")
        for item_id, quantity, uom_id, scrap in plan.lines:
            _, stock_uom, deleted = items.get(item_id, (None, None, True))
            unit = units.get(uom_id)
            if deleted is not None or unit is None or unit.deleted_at is not None:
                raise DatasetError(f"{plan.number}: component or unit missing or archived")
            if unit.category != units[stock_uom].category:
                raise DatasetError(f"{plan.number}: unit does not convert (uom_mismatch)")
            if quantity <= 0 or quantity != quantity.quantize(QTY_STEP):
                raise DatasetError(f"{plan.number}: bad quantity {quantity}")
            if scrap < 0 or scrap != scrap.quantize(PERCENT_STEP):
                raise DatasetError(f"{plan.number}: bad scrap {scrap}")
        sequences = [op[0] for op in plan.operations]
        if len(set(sequences)) != len(sequences):
            raise DatasetError(f"{plan.number}: two operations share a sequence")
        for sequence, name, workcenter_id, minutes in plan.operations:
            if sequence < 0 or not name.strip() or workcenter_id not in live_workcenters:
                raise DatasetError(f"{plan.number}: bad operation {name!r}")
            if minutes < 0 or minutes != minutes.quantize(MINUTES_STEP):
                raise DatasetError(f"{plan.number}: bad duration {minutes}")
        children[plan.product_id] = set(ids)
    # Kahn's algorithm over product -> component edges: every node must come off.
    indegree = dict.fromkeys(involved, 0)
    for parts in children.values():
        for item_id in parts:
            indegree[item_id] += 1
    ready = [node for node, n in indegree.items() if n == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for item_id in children.get(node, ()):
            indegree[item_id] -= 1
            if indegree[item_id] == 0:
                ready.append(item_id)
    if removed != len(indegree):
        raise DatasetError("the generated BOMs would be circular")


def _insert_boms(plans: list[_PlannedBom]) -> list[UUID]:
    """Bulk-create submitted default BOMs, their lines and operations, each with its history
    rows, and the content hash computed by the services' own function. Returns the BOM ids."""
    from simple_history.utils import bulk_create_with_history

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
                bom=bom,
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
                bom=bom,
                sequence=sequence,
                name=name,
                workcenter_id=workcenter_id,
                duration_minutes=minutes,
            )
            for sequence, name, workcenter_id, minutes in plan.operations
        ]
    with transaction.atomic():
        bulk_create_with_history(boms, BOM, batch_size=BATCH_SIZE)
        bulk_create_with_history(lines, BOMComponent, batch_size=BATCH_SIZE)
        bulk_create_with_history(operations, BOMOperation, batch_size=BATCH_SIZE)
    return [bom.pk for bom in boms]


def _operations(rng: random.Random, workcenters: list, count: int) -> list:
    return [
        (
            (n + 1) * 10,
            OPERATION_NAMES[n % len(OPERATION_NAMES)],
            rng.choice(workcenters).pk,
            Decimal(rng.choice(("5", "7.5", "12", "15", "30", "45"))),
        )
        for n in range(count)
    ]


def _component_line(rng: random.Random, item_id: UUID, stock_unit: UnitOfMeasure, units) -> tuple:
    """A line in the component's stock unit, or (three in ten for kg and m items) in g or cm."""
    scrap = Decimal(rng.choice(SCRAP)) if rng.random() < 0.3 else Decimal(0)
    converted = CONVERTED.get(stock_unit.symbol)
    if converted and rng.random() < 0.3:
        symbol, quantities = converted
        return (item_id, Decimal(rng.choice(quantities)), units[symbol].pk, scrap)
    return (item_id, Decimal(rng.choice(LINE_QUANTITIES)), stock_unit.pk, scrap)


# --- BOMs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BomsData:
    bom_ids: list[UUID]
    line_count: int
    detail_bom_id: UUID  # a BOM with exactly `detail_lines` (36) lines: "BOM detail"
    small_bom_id: UUID  # a BOM with 5 lines: the detail query count must be the same
    # Components → (product id, BOM id) of submitted BOMs for the order lifecycle (5 and 50).
    order_boms: dict[int, tuple[UUID, UUID]] = field(default_factory=dict)
    structure_root_bom_id: UUID | None = None  # the 5-level structure among the 200 BOMs

    @property
    def rows(self) -> dict[str, int]:
        return {"boms": len(self.bom_ids), "lines": self.line_count}


BOM_PREFIX = f"{NUMBER_PREFIX}BOM-"
SMALL_LINES = 5


def structure_size(depth: int) -> int:
    """Assemblies in build_boms' `depth`-level structure: a binary tree, assembly i using
    assemblies 2i+1 and 2i+2, so every edge goes to a later assembly (no cycle possible)."""
    return 2**depth - 1


def import_subassemblies(assembly_ids: list[UUID]) -> list[UUID]:
    """The last quarter of the assemblies: plain BOMs of purchased parts only (build_boms puts
    the structure and the special BOMs first). Imported BOMs may use them as sub-assemblies and
    never make them, so an import can never close a cycle."""
    return assembly_ids[len(assembly_ids) - max(1, len(assembly_ids) // 4) :]


def build_boms(
    *,
    items: ItemsData,
    count: int,
    lines: tuple[int, int],
    detail_lines: int,
    order_components: tuple[int, ...],
    depth: int = 5,
    seed: int = 7,
) -> BomsData:
    """`count` BOMs of `lines[0]`..`lines[1]` components (about 7,000 lines for 200) with
    operations on a workcenter, one per assembly, submitted and default; one of exactly
    `detail_lines` lines and one of 5; one `depth`-level structure (assemblies as components of
    assemblies); BOMs of each size in `order_components` for production orders (purchased parts
    only: those have stock). Bulk-created BOMs, lines and operations with their history rows,
    content hashes from the services' own function, one default per product, and no cycle
    (sub-assembly edges only go to later assemblies), all checked before writing."""
    rng = random.Random(seed)
    assemblies = items.assembly_ids[:count]
    tree = structure_size(depth)
    sized = list(dict.fromkeys((detail_lines, SMALL_LINES, *order_components)))
    plain_start = tree + len(sized)
    subs = import_subassemblies(items.assembly_ids)
    if count < plain_start or len(items.assembly_ids) - len(subs) < plain_start:
        raise DatasetError(f"{count} BOMs cannot hold a {depth}-level structure and {sized}")
    units_by_symbol = {u.symbol: u for u in UnitOfMeasure.objects.filter(deleted_at__isnull=True)}
    units = {u.pk: u for u in units_by_symbol.values()}
    stock_units = dict(
        Item.objects.filter(pk__in=[*items.component_ids, *assemblies]).values_list("pk", "uom_id")
    )
    workcenters = _workcenters()

    sizes = [rng.randint(*lines) for _ in assemblies]
    for offset, size in enumerate(sized):
        sizes[tree + offset] = size
    plans = []
    for index, product_id in enumerate(assemblies):
        subs = [assemblies[c] for c in (2 * index + 1, 2 * index + 2) if index < tree and c < tree]
        parts = rng.sample(items.component_ids, sizes[index] - len(subs))
        plan_lines = [
            (sub, Decimal(rng.choice(("1", "2"))), stock_units[sub], Decimal(0)) for sub in subs
        ]
        plan_lines += [
            _component_line(rng, part, units[stock_units[part]], units_by_symbol) for part in parts
        ]
        plans.append(
            _PlannedBom(
                number=f"{BOM_PREFIX}{index + 1:04d}",
                name=f"Bench BOM {index + 1:04d}",
                product_id=product_id,
                uom_id=stock_units[product_id],
                lines=plan_lines,
                operations=_operations(rng, workcenters, rng.randint(1, 3)),
            )
        )
    _check_bom_rules(plans, prefix=BOM_PREFIX)
    bom_ids = _insert_boms(plans)
    index_of = {size: tree + offset for offset, size in enumerate(sized)}
    return BomsData(
        bom_ids=bom_ids,
        line_count=sum(len(plan.lines) for plan in plans),
        detail_bom_id=bom_ids[index_of[detail_lines]],
        small_bom_id=bom_ids[index_of[SMALL_LINES]],
        order_boms={n: (assemblies[index_of[n]], bom_ids[index_of[n]]) for n in order_components},
        structure_root_bom_id=bom_ids[0],
    )


# --- stock -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockData:
    warehouse_ids: list[UUID]
    levels: int

    @property
    def rows(self) -> dict[str, int]:
        return {"warehouses": len(self.warehouse_ids), "stock levels": self.levels}


STOCK_REFERENCE = "BENCH/OPENING"


def build_stock(
    *, items: ItemsData, warehouses: int = 2, quantity: Decimal = Decimal(1_000_000)
) -> StockData:
    """Stock of every component in `warehouses` warehouses (the default `WH` first), as the
    ledger would have it: one receipt StockMove per level and the StockLevel rows matching it,
    so `manage.py check_stock` agrees. Enough for every production order the bench confirms.
    Checked first as stock_move_post would: stockable, untracked (a receipt of a lot-tracked
    item needs a lot), live warehouses, a quantity in range, no level there yet."""
    from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, StockLevel, StockMove, Warehouse
    from inventory.services.ledger import MAX_QUANTITY
    from inventory.services.warehouses import warehouse_create

    if not 0 < quantity < MAX_QUANTITY:
        raise DatasetError(f"quantity {quantity} out of range")
    main = Warehouse.objects.filter(code=DEFAULT_WAREHOUSE_CODE).first()
    if main is None:
        raise DatasetError(f"no live default warehouse {DEFAULT_WAREHOUSE_CODE}")
    stores = [main]
    for n in range(2, warehouses + 1):
        code = f"{NUMBER_PREFIX}WH{n}"
        store = Warehouse.objects.filter(code=code).first()
        stores.append(store or warehouse_create(code=code, name=f"Bench store {n}"))
    bad = Item.all_objects.filter(pk__in=items.component_ids).exclude(
        type=ItemType.STOCKABLE, tracking=Tracking.NONE, deleted_at__isnull=True
    )
    if bad.exists():
        raise DatasetError("stock only for live, stockable, untracked components")
    if StockLevel.objects.filter(item_id__in=items.component_ids).exists():
        raise DatasetError("the components have stock levels already")
    now = timezone.now()
    moves, levels = [], []
    for store in stores:
        for item_id in items.component_ids:
            moves.append(
                StockMove(
                    kind=MoveKind.RECEIPT,
                    item_id=item_id,
                    quantity=quantity,
                    to_warehouse=store,
                    reference=STOCK_REFERENCE,
                    note="Bench opening stock",
                    created_at=now,
                )
            )
            levels.append(StockLevel(item_id=item_id, warehouse=store, on_hand=quantity))
    with transaction.atomic():
        StockMove.objects.bulk_create(moves, batch_size=BATCH_SIZE)
        StockLevel.objects.bulk_create(levels, batch_size=BATCH_SIZE)
    return StockData(warehouse_ids=[store.pk for store in stores], levels=len(levels))


# --- deep structures -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepStructure:
    nodes: int  # distinct items in the structure
    depth: int
    root_item_id: UUID
    root_bom_id: UUID
    shared_leaf_item_id: UUID  # used on every deepest level: where-used fans out to all

    @property
    def rows(self) -> dict[str, int]:
        return {"nodes": self.nodes}


def deep_level_sizes(nodes: int, depth: int) -> list[int]:
    """Items on levels 0 (the root) .. `depth`, not counting the shared leaf: they grow
    geometrically (b, b², …) and the deepest level takes what is left, so the total plus the
    shared leaf is exactly `nodes`. Each level is at least as wide as the one above, so every
    item above the deepest level has a child (and a BOM)."""
    rest = nodes - 2  # the root and the shared leaf
    if depth < 1 or rest < depth:
        raise DatasetError(f"{nodes} nodes cannot fill {depth} levels")
    low, high = 1.0, float(rest)
    for _ in range(200):
        mid = (low + high) / 2
        if sum(mid**k for k in range(1, depth + 1)) < rest:
            low = mid
        else:
            high = mid
    sizes = [1]
    for k in range(1, depth):
        sizes.append(max(sizes[-1], round(low**k)))
    sizes.append(rest - sum(sizes[1:]))
    if sizes[-1] < sizes[-2]:
        raise DatasetError(f"{nodes} nodes are too few for {depth} levels")
    return sizes


def build_deep_structure(*, nodes: int, depth: int = 5, seed: int = 7) -> DeepStructure:
    """A separate structure of `depth` levels with exactly `nodes` distinct items (its own
    numbers, BN-D<nodes>-…), a default submitted BOM on every non-leaf, branching chosen so
    the levels fill up to `nodes` (deep_level_sizes), plus one leaf shared by every BOM of the
    deepest level. The explosion of its root visits every node; the where-used of the shared
    leaf climbs through all BOMs above it."""
    rng = random.Random(seed + nodes)
    prefix = f"{NUMBER_PREFIX}D{nodes}-"
    sizes = deep_level_sizes(nodes, depth)
    each = UnitOfMeasure.objects.get(symbol="EA", deleted_at__isnull=True)
    levels: list[list[Item]] = []
    for level, size in enumerate(sizes):
        levels.append(
            [
                Item(
                    number=f"{prefix}{level}-{n:05d}",
                    name=f"Deep {nodes} level {level} #{n}",
                    type=ItemType.STOCKABLE,
                    uom=each,
                    tracking=Tracking.NONE,
                    standard_cost=Decimal(rng.randint(1, 10_000)) / 100
                    if level == depth
                    else Decimal(0),
                )
                for n in range(1, size + 1)
            ]
        )
    shared = Item(
        number=f"{prefix}SHARED",
        name=f"Deep {nodes} shared leaf",
        type=ItemType.STOCKABLE,
        uom=each,
        tracking=Tracking.NONE,
        standard_cost=Decimal("0.25"),
    )
    everything = [item for level in levels for item in level] + [shared]
    if len(everything) != nodes:
        raise DatasetError(f"built {len(everything)} nodes instead of {nodes}")
    _check_item_rules(everything, prefix=prefix)
    with transaction.atomic():
        Item.objects.bulk_create(everything, batch_size=BATCH_SIZE)

    workcenters = _workcenters()
    plans = []
    for level in range(depth):
        parents, below = levels[level], levels[level + 1]
        children: list[list[Item]] = [[] for _ in parents]
        for n, child in enumerate(below):
            children[n * len(parents) // len(below)].append(child)
        for parent, kids in zip(parents, children, strict=True):
            plan_lines = [
                (kid.pk, Decimal(rng.choice(("1", "2", "3"))), each.pk, Decimal(0)) for kid in kids
            ]
            if level == depth - 1:
                plan_lines.append((shared.pk, Decimal(1), each.pk, Decimal(0)))
            plans.append(
                _PlannedBom(
                    number=f"{prefix}BOM-{len(plans) + 1:05d}",
                    name=f"Deep {nodes} {parent.number}",
                    product_id=parent.pk,
                    uom_id=each.pk,
                    lines=plan_lines,
                    operations=_operations(rng, workcenters, 1),
                )
            )
    _check_bom_rules(plans, prefix=f"{prefix}BOM-")
    bom_ids = _insert_boms(plans)
    return DeepStructure(
        nodes=nodes,
        depth=depth,
        root_item_id=levels[0][0].pk,
        root_bom_id=bom_ids[0],
        shared_leaf_item_id=shared.pk,
    )


# --- import file -----------------------------------------------------------------------------


def write_import_csv(path: Path, *, items: ItemsData, lines: int, seed: int = 7) -> None:
    """A CSV for `manage.py import_boms` with `lines` data rows (component and operation rows)
    over new BOMs of the existing items, in the columns of docs/boms.md (`COLUMNS` of
    manufacturing.management.csv_layout), numbered BN-IMP<lines>-…: 20 to 50 components and 1 to 3
    operations per BOM, about one BOM in three with a sub-assembly (import_subassemblies, never
    a product of the file, so no cycle), four in five submitted, the default flag left empty
    (the products have their default: the new BOMs are alternates). Written row by row, never
    held in memory."""
    from manufacturing.boms.models import BOM
    from manufacturing.management.csv_layout import COLUMNS

    rng = random.Random(seed + lines)
    prefix = f"{NUMBER_PREFIX}IMP{lines}-"
    if BOM.objects.filter(number__startswith=prefix).exists():
        raise DatasetError(f"live BOMs numbered {prefix}… exist already")
    known = {
        pk: (number, symbol)
        for pk, number, symbol in Item.objects.filter(
            pk__in=[*items.component_ids, *items.assembly_ids]
        ).values_list("pk", "number", "uom__symbol")
    }
    parts = [known[pk] for pk in items.component_ids]
    subs = import_subassemblies(items.assembly_ids)
    products = [known[pk][0] for pk in items.assembly_ids if pk not in set(subs)]
    subs = [known[pk][0] for pk in subs]
    workcenters = [code for code, _, _ in WORKCENTERS]
    blank = dict.fromkeys(COLUMNS, "")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        written, count = 0, 0
        while written < lines:
            count += 1
            remaining = lines - written
            operations = min(rng.randint(1, 3), remaining - 1)
            components = min(rng.randint(20, 50), remaining - operations)
            sub = rng.choice(subs) if rng.random() < 1 / 3 and components > 1 else None
            chosen = rng.sample(parts, components - (sub is not None))
            header = {
                "bom_number": f"{prefix}{count:06d}",
                "bom_name": f"Imported alternate {count}",
                "product_number": rng.choice(products),
                "bom_quantity": "1",
                "bom_uom": "",
                "bom_type": "manufacture",
                "bom_status": "submitted" if rng.random() < 0.8 else "draft",
                "is_default": "",
                "version": "2",
                "description": "bench import",
            }
            rows = [(sub, "1", "", "0")] if sub else []
            for number, symbol in chosen:
                converted = CONVERTED.get(symbol)
                if converted and rng.random() < 0.3:
                    rows.append((number, rng.choice(converted[1]), converted[0], "0"))
                else:
                    rows.append(
                        (number, rng.choice(LINE_QUANTITIES), "", rng.choice(("0", "0", "2.5")))
                    )
            for n, (number, quantity, unit, scrap) in enumerate(rows):
                row = {**blank, **(header if n == 0 else {"bom_number": header["bom_number"]})}
                row.update(
                    component_number=number, quantity=quantity, unit=unit, scrap_percent=scrap
                )
                writer.writerow(row)
            for n in range(operations):
                row = {**blank, "bom_number": header["bom_number"]}
                row.update(
                    operation_sequence=str((n + 1) * 10),
                    operation_name=OPERATION_NAMES[n % len(OPERATION_NAMES)],
                    workcenter=rng.choice(workcenters),
                    duration_minutes=rng.choice(("5", "12.5", "30")),
                )
                writer.writerow(row)
            written += len(rows) + operations


# --- parts: profile → builder arguments ------------------------------------------------------


def _items(ctx: Context) -> ItemsData:
    return build_items(components=ctx.profile.components, assemblies=ctx.profile.assemblies)


def _boms(ctx: Context) -> BomsData:
    return build_boms(
        items=ctx.data["items"],
        count=ctx.profile.boms,
        lines=ctx.profile.bom_lines,
        detail_lines=ctx.profile.detail_lines,
        order_components=ctx.profile.order_components,
        depth=ctx.profile.deep_depth,
    )


def _stock(ctx: Context) -> StockData:
    return build_stock(items=ctx.data["items"], warehouses=ctx.profile.warehouses)


def _deep(ctx: Context) -> dict[int, DeepStructure]:
    return {
        nodes: build_deep_structure(nodes=nodes, depth=ctx.profile.deep_depth)
        for nodes in ctx.profile.deep_sizes
    }


MANUFACTURING = ("manufacturing.models:BOM", "manufacturing.models:BOMComponent")
INVENTORY = (
    "inventory.models:Warehouse",
    "inventory.models:StockLevel",
    "inventory.models:StockMove",
)

register_part(Part("items", _items))
register_part(Part("boms", _boms, requires=MANUFACTURING, after=("items",)))
register_part(Part("stock", _stock, requires=INVENTORY, after=("items",)))
register_part(Part("deep", _deep, requires=MANUFACTURING))


def rows_of(data: object) -> dict[str, int]:
    """Row counts of a built part, for the table (a dict of parts sums them)."""
    if isinstance(data, dict):
        total: dict[str, int] = {}
        for value in data.values():
            for key, n in rows_of(value).items():
                total[key] = total.get(key, 0) + n
        return total
    return dict(getattr(data, "rows", {}))
