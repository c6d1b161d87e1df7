"""BOM explosion and costing (API.md, "Explosion rules").

The whole tree below a BOM (its lines and the default BOM of every sub-assembly, at any depth) is
loaded with two queries, whatever its size: the lines of every BOM the recursive CTE of
`exploded_bom_ids_sql` selects, and their operations. The walk then happens in memory.

Production orders call `bom_explode` at confirm: `requirements` / `totals` give what to reserve
(`levels="1"`: phantom kits exploded through, sub-assemblies taken from stock; `levels="all"`:
down to purchased items), and `boms` / `work_order_boms()` give the BOMs whose operations become
work orders, with how many times each runs.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

from config.levels import levels_parse
from config.quantities import quantity_parse
from items.models import Item, UnitOfMeasure
from items.units import conversion_factor, quantize_qty
from manufacturing.boms.graph import exploded_bom_ids_sql
from manufacturing.boms.models import (
    BOM,
    BOMComponent,
    BOMOperation,
    BOMStatus,
    BOMType,
    Workcenter,
)
from manufacturing.exceptions import CircularReference

MONEY_STEP = Decimal("0.0001")
ONE = Decimal(1)


def quantize_money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


class Requirement(NamedTuple):
    """One exploded line, in depth-first order. `quantity` is in the item's stock unit. A tuple:
    an explosion of 10,000 nodes makes as many, and a tuple is made several times faster than
    a frozen dataclass (and is one object for the garbage collector to walk, not two)."""

    item: Item
    quantity: Decimal
    level: int
    path: tuple[str, ...]
    is_leaf: bool
    cost: Decimal  # a leaf: standard cost x quantity; a sub-assembly: its rolled-up cost
    line: "BOMLine"  # the BOM line the row comes from (of a phantom kit's BOM, for its parts)
    bom: BOM | None = None  # the sub-assembly's default BOM (also when not exploded: levels=1)

    # The item's fields as the API names them (`productId`, `number`, `name`, `uom`).
    @property
    def product_id(self):
        return self.item.pk

    @property
    def number(self) -> str:
        return self.item.number

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def uom(self) -> str:
        return self.item.uom.symbol


class Total(NamedTuple):
    """What must be picked or bought: the leaf rows summed per item, in stock units."""

    item: Item
    quantity: Decimal

    product_id = Requirement.product_id
    number = Requirement.number
    name = Requirement.name
    uom = Requirement.uom


class BOMLine(NamedTuple):
    """A BOM line as an explosion loads it: its values, no model instance (a tree of 10,000
    nodes has as many lines; `LINE_FIELDS`, in that order)."""

    id: object
    bom_id: object
    item_id: object
    quantity: Decimal
    uom_id: object
    scrap_percent: Decimal
    position: int


@dataclass(frozen=True)
class ExplodedBOM:
    """A BOM whose work happens for this explosion: the top one (level 0), each phantom kit
    (inside its parent, at the parent's level) and, with levels=all, each exploded sub-assembly
    (at the level of its row). `runs` = units built (`quantity`, in `bom.uom`) / `bom.quantity`:
    the multiplier of its operations' durations."""

    bom: BOM
    level: int
    quantity: Decimal
    runs: Decimal
    phantom: bool
    operations: tuple[BOMOperation, ...]


@dataclass(frozen=True)
class Cost:
    materials: Decimal
    operations: Decimal
    total: Decimal
    per_unit: Decimal


@dataclass(frozen=True)
class Explosion:
    bom: BOM
    quantity: Decimal  # in bom.uom
    levels: str
    requirements: list[Requirement]
    totals: list[Total]
    cost: Cost  # always the full multi-level roll-up, whatever `levels`
    boms: list[ExplodedBOM]  # depth-first, the top BOM first

    @property
    def bom_id(self):
        return self.bom.pk

    def work_order_boms(self) -> list[ExplodedBOM]:
        """Deepest sub-assemblies first, the top BOM (and the kits inside it) last: the order
        in which their operations become work orders."""
        return sorted(self.boms, key=lambda exploded: -exploded.level)


@dataclass
class _Tree:
    lines: dict  # bom id -> [(BOMLine, its item, its unit, the item's unit)] in order
    operations: dict  # bom id -> [BOMOperation] by sequence
    defaults: dict  # item id -> its default BOM (live, not cancelled)
    boms: dict = field(default_factory=dict)  # bom id -> every BOM loaded
    rules: dict = field(default_factory=dict)  # bom id -> its `_Rule`s, made on first use

    def bom_rules(self, bom: BOM) -> list["_Rule"]:
        """`bom`'s lines with the explosion's per-line factors, computed once per tree: MRP
        explodes the same BOM for every planned order of its product."""
        found = self.rules.get(bom.pk)
        if found is None:
            found = self.rules[bom.pk] = [
                _rule(line, item, unit, stock_unit, self.defaults.get(line.item_id))
                for line, item, unit, stock_unit in self.lines.get(bom.pk, ())
            ]
        return found


class _Rule(NamedTuple):
    """One BOM line, ready for the line rule (`line_needed`): `base` = quantity x (1 + scrap /
    100), `factor` its unit into the item's stock unit; `sub` the item's default BOM, with
    `sub_factor` the item's stock unit into the BOM's unit (`units_built`)."""

    line: BOMLine
    item: Item
    base: Decimal
    factor: Decimal
    sub: BOM | None
    sub_factor: Decimal | None
    phantom: bool


def _rule(line: BOMLine, item: Item, unit, stock_unit, sub: BOM | None) -> _Rule:
    # Units are one instance per id in a loaded tree, so the same instance is the same unit.
    factor = ONE if unit is stock_unit else conversion_factor(unit, stock_unit)
    return _Rule(
        line,
        item,
        line.quantity * (1 + line.scrap_percent / 100),
        factor,
        sub,
        None if sub is None else conversion_factor(item.uom, sub.uom),
        sub is not None and sub.type == BOMType.PHANTOM,
    )


# What the walk and the callers read of each model; other fields stay deferred (loaded on first
# access, as with `.only()`).
UNIT_FIELDS = ("id", "symbol", "category", "factor", "deleted_at")
ITEM_FIELDS = ("id", "number", "name", "type", "uom_id", "tracking", "standard_cost", "deleted_at")
LINE_FIELDS = ("id", "bom_id", "item_id", "quantity", "uom_id", "scrap_percent", "position")
BOM_FIELDS = (
    "id",
    "number",
    "name",
    "product_id",
    "quantity",
    "uom_id",
    "type",
    "status",
    "is_default",
    "version",
    "deleted_at",
)
OPERATION_FIELDS = ("id", "bom_id", "sequence", "name", "workcenter_id", "duration_minutes")
WORKCENTER_FIELDS = ("id", "code", "name", "hourly_cost", "deleted_at")


def _loaded(model, attnames: tuple[str, ...], values) -> Model:
    """A model instance from database values, as `Model.from_db` makes one for `.only()`, but
    without `Model.__init__` (no per-field descriptor work, no init signals, which these models
    do not use): the fields not in `attnames` are deferred. A tree of 10,000 nodes makes some
    25,000 of these, where `__init__` was most of the explosion's time."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    return instance


class _Instances:
    """One instance per (model, id) for the rows of a load: a unit, item, BOM or workcenter
    appears on many rows but is built once."""

    def __init__(self):
        self.cache: dict = {}

    def get(self, model, attnames: tuple[str, ...], values) -> Model:
        key = (model, values[0])
        instance = self.cache.get(key)
        if instance is None:
            instance = self.cache[key] = _loaded(model, attnames, values)
        return instance


def _related(*prefixes_and_fields: tuple[str, tuple[str, ...]]) -> list[str]:
    """`("item__", ITEM_FIELDS)` → `["item__number", …]` for values_list: the related model's
    fields but its id, which the row has already as the foreign key."""
    return [prefix + name for prefix, fields in prefixes_and_fields for name in fields[1:]]


def _load_tree(bom: BOM, *more: BOM) -> _Tree:
    """Two queries: the lines of every BOM of the tree with their items and units, and every BOM
    of the tree with its unit and operations (and their workcenters), as rows of values. With
    `more` roots, one tree holding all of them."""
    sql, params = exploded_bom_ids_sql(bom.pk, *(root.pk for root in more))
    tree = load_boms(sql, params, known={root.pk: root for root in (bom, *more)})
    for root in more and (bom, *more):
        # One root may be a sub-assembly's default in another's tree.
        if root.is_default and root.deleted_at is None and root.status != BOMStatus.CANCELLED:
            tree.defaults.setdefault(root.product_id, root)
    return tree


def load_boms(sql: str, params: list, known: dict | None = None) -> _Tree:
    """The tree of the BOMs `sql` selects (their ids), in two queries; `known` BOM instances
    (by id) are used as they are. Planning loads every default BOM this way."""
    line_rows = (
        BOMComponent.objects.filter(bom_id__in=RawSQL(sql, params))
        .order_by("bom_id", "position")
        .values_list(
            *LINE_FIELDS,
            *_related(
                ("item__", ITEM_FIELDS), ("item__uom__", UNIT_FIELDS), ("uom__", UNIT_FIELDS)
            ),
        )
    )
    bom_rows = (
        BOM.all_objects.filter(pk__in=RawSQL(sql, params))
        .order_by("pk", "operations__sequence")
        .values_list(
            *BOM_FIELDS,
            *_related(("uom__", UNIT_FIELDS)),
            "operations__id",
            *_related(
                ("operations__", OPERATION_FIELDS[1:]),  # bom_id is the BOM's id
                ("operations__workcenter__", WORKCENTER_FIELDS),
            ),
        )
    )
    make = _Instances().get
    b_unit = BOM_FIELDS.index("uom_id")
    b_end = len(BOM_FIELDS)
    o_start = b_end + len(UNIT_FIELDS) - 1
    o_workcenter = o_start + OPERATION_FIELDS.index("workcenter_id") - 1
    o_end = o_start + len(OPERATION_FIELDS) - 1
    tree = _Tree(lines=defaultdict(list), operations=defaultdict(list), defaults={})
    boms = dict(known or {})
    for row in bom_rows:
        sub = boms.get(row[0])
        if sub is None:
            sub = boms[row[0]] = make(BOM, BOM_FIELDS, row[:b_end])
            unit = make(UnitOfMeasure, UNIT_FIELDS, (row[b_unit], *row[b_end:o_start]))
            BOM.uom.field.set_cached_value(sub, unit)
            if sub.is_default and sub.deleted_at is None and sub.status != BOMStatus.CANCELLED:
                tree.defaults[sub.product_id] = sub
        if row[o_start] is not None:  # a BOM without operations comes as one row of NULLs
            operation = _loaded(
                BOMOperation, OPERATION_FIELDS, (row[o_start], row[0], *row[o_start + 1 : o_end])
            )
            workcenter = make(Workcenter, WORKCENTER_FIELDS, (row[o_workcenter], *row[o_end:]))
            BOMOperation.workcenter.field.set_cached_value(operation, workcenter)
            tree.operations[sub.pk].append(operation)

    l_item, l_unit = LINE_FIELDS.index("item_id"), LINE_FIELDS.index("uom_id")
    i_start = len(LINE_FIELDS)
    i_unit = i_start + ITEM_FIELDS.index("uom_id") - 1
    u_start = i_start + len(ITEM_FIELDS) - 1
    u_end = u_start + len(UNIT_FIELDS) - 1
    items: dict = {}
    new_line = BOMLine._make
    for row in line_rows:
        line = new_line(row[:i_start])
        item = items.get(row[l_item])
        if item is None:
            item = items[row[l_item]] = _loaded(
                Item, ITEM_FIELDS, (row[l_item], *row[i_start:u_start])
            )
            stock_unit = make(UnitOfMeasure, UNIT_FIELDS, (row[i_unit], *row[u_start:u_end]))
            Item.uom.field.set_cached_value(item, stock_unit)
        else:
            stock_unit = Item.uom.field.get_cached_value(item)
        unit = make(UnitOfMeasure, UNIT_FIELDS, (row[l_unit], *row[u_end:]))
        tree.lines[line.bom_id].append((line, item, unit, stock_unit))
    tree.boms = boms
    return tree


def line_needed(rule: _Rule, runs: Decimal) -> Decimal:
    """The explosion's line rule: `line.quantity x (1 + scrap / 100) x runs`, converted into the
    component's stock unit, at six places."""
    return quantize_qty(rule.base * runs * rule.factor)


def units_built(needed: Decimal, item: Item, bom: BOM) -> Decimal:
    """`needed` of `item` (in its stock unit) as a quantity in `bom`'s unit: what is built."""
    return quantize_qty(needed * conversion_factor(item.uom, bom.uom))


def _sub_built(rule: _Rule, needed: Decimal) -> Decimal:
    """`units_built` of a line's sub-assembly, with the factor of its rule."""
    return quantize_qty(needed * rule.sub_factor)


def _enter(bom: BOM, stack: tuple) -> tuple:
    if bom.pk in stack:
        raise CircularReference(f"BOM {bom.number} is part of a circular structure.")
    return (*stack, bom.pk)


def bom_components(tree: _Tree, bom: BOM, quantity: Decimal, stack: tuple = ()):
    """One level of `bom` for `quantity` (in bom.uom), phantom kits exploded through (their parts
    take their place, their operations happen inside the parent): `([(item, needed in its stock
    unit)], operation minutes)`, the rows in line order. The rules are the explosion's."""
    stack = _enter(bom, stack)
    runs = quantity / bom.quantity
    minutes = sum(
        (op.duration_minutes * runs for op in tree.operations.get(bom.pk, ())), Decimal(0)
    )
    rows = []
    for rule in tree.bom_rules(bom):
        needed = quantize_qty(rule.base * runs * rule.factor)  # line_needed, inlined: MRP's loop
        if rule.phantom:
            parts, kit_minutes = bom_components(tree, rule.sub, _sub_built(rule, needed), stack)
            rows.extend(parts)
            minutes += kit_minutes
            continue
        rows.append((rule.item, needed))
    return rows, minutes


def bom_component_ids(tree: _Tree, bom: BOM, stack: tuple = ()) -> set:
    """The ids of the items `bom_components` lists for `bom`, without computing quantities."""
    stack = _enter(bom, stack)
    ids = set()
    for rule in tree.bom_rules(bom):
        if rule.phantom:
            ids |= bom_component_ids(tree, rule.sub, stack)
        else:
            ids.add(rule.line.item_id)
    return ids


class _Walker:
    def __init__(self, tree: _Tree, levels: str):
        self.tree = tree
        self.explode_all = levels == "all"
        self.requirements: list[Requirement] = []
        self.boms: list[ExplodedBOM] = []

    def walk(
        self,
        bom: BOM,
        quantity: Decimal,
        *,
        level: int,
        path: tuple[str, ...],
        stack: tuple,
        emit: bool,
        phantom: bool = False,
    ) -> tuple[Decimal, Decimal]:
        """Explode `quantity` (in bom.uom) of `bom`; returns its (materials, operations) cost,
        always down to the leaves. `emit` says whether rows are wanted at this depth."""
        stack = _enter(bom, stack)
        runs = quantity / bom.quantity
        operations = tuple(self.tree.operations.get(bom.pk, ()))
        if emit:
            self.boms.append(
                ExplodedBOM(
                    bom=bom,
                    level=level - 1,  # the top BOM is 0, a sub-assembly's BOM its row's level
                    quantity=quantity,
                    runs=runs,
                    phantom=phantom,
                    operations=operations,
                )
            )
        operations_cost = sum(
            (op.duration_minutes / 60 * op.workcenter.hourly_cost * runs for op in operations),
            Decimal(0),
        )
        materials_cost = Decimal(0)
        for rule in self.tree.bom_rules(bom):
            line, item, sub = rule.line, rule.item, rule.sub
            needed = line_needed(rule, runs)
            if rule.phantom:
                # A kit: its parts take its place (same level, same path), never the kit itself.
                built = _sub_built(rule, needed)
                m, o = self.walk(
                    sub, built, level=level, path=path, stack=stack, emit=emit, phantom=True
                )
                materials_cost += m
                operations_cost += o
                continue
            row_path = (*path, item.number)
            if sub is not None:
                index = len(self.requirements)
                if emit:  # the row goes before its parts; its cost is known after them
                    self.requirements.append(None)
                explode = emit and self.explode_all
                built = _sub_built(rule, needed)
                m, o = self.walk(
                    sub, built, level=level + 1, path=row_path, stack=stack, emit=explode
                )
                materials_cost += m
                operations_cost += o
                if emit:
                    self.requirements[index] = Requirement(
                        item, needed, level, row_path, not explode, quantize_money(m + o), line, sub
                    )
                continue
            cost = item.standard_cost * needed
            materials_cost += cost
            if emit:
                self.requirements.append(
                    Requirement(item, needed, level, row_path, True, quantize_money(cost), line)
                )
        return materials_cost, operations_cost


def bom_explode(*, bom: BOM, quantity: Decimal | None = None, levels: str = "all") -> Explosion:
    """The requirements to build `quantity` (in the BOM's unit; default: the BOM's quantity) of
    `bom`'s product. `levels="all"` follows each sub-assembly's default BOM down to the leaves;
    `levels="1"` stops at the BOM's own components. Phantom kits are always exploded through.
    Two queries, whatever the depth and size of the tree."""
    levels = levels_parse(levels)
    quantity = quantity_parse(quantity) if quantity is not None else bom.quantity
    return _explosion(_load_tree(bom), bom, quantity, levels)


def bom_explode_each(*, runs: list[tuple[BOM, Decimal, str]]) -> list[Explosion]:
    """`bom_explode` for each (BOM, quantity in its unit, levels) of `runs`, with the same rules,
    from one load of all their trees: two queries, however many runs and BOMs."""
    if not runs:
        return []
    roots = list({bom.pk: bom for bom, _, _ in runs}.values())
    tree = _load_tree(*roots)
    return [
        _explosion(tree, bom, quantity_parse(quantity), levels_parse(levels))
        for bom, quantity, levels in runs
    ]


def _explosion(tree: _Tree, bom: BOM, quantity: Decimal, levels: str) -> Explosion:
    walker = _Walker(tree, levels)
    materials, operations = walker.walk(bom, quantity, level=1, path=(), stack=(), emit=True)

    totals: dict = {}
    for row in walker.requirements:
        if row.is_leaf:
            item, so_far = totals.get(row.item.pk, (row.item, Decimal(0)))
            totals[row.item.pk] = (item, so_far + row.quantity)
    materials, operations = quantize_money(materials), quantize_money(operations)
    total = materials + operations
    return Explosion(
        bom=bom,
        quantity=quantity,
        levels=levels,
        requirements=walker.requirements,
        totals=[Total(item, qty) for item, qty in totals.values()],
        cost=Cost(
            materials=materials,
            operations=operations,
            total=total,
            per_unit=quantize_money(total / quantity),
        ),
        boms=walker.boms,
    )


def bom_cost(*, bom: BOM, quantity: Decimal | None = None) -> Cost:
    """The full multi-level cost of building `quantity` (default: the BOM's quantity):
    materials at standard cost (sub-assemblies through their own rolled-up cost) plus every
    exploded BOM's operations, duration x workcenter hourly cost x runs."""
    return bom_explode(bom=bom, quantity=quantity, levels="all").cost
