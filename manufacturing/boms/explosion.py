"""BOM explosion and costing (API.md, "Explosion rules").

The whole tree below a BOM (its lines and the default BOM of every sub-assembly, at any depth) is
loaded with three queries, whatever its size: the units, every BOM the recursive CTE of
`exploded_bom_ids_sql` selects with its operations, and their lines. The walk then happens in
memory, over rows of values: lines as `BOMLine` tuples, items as `ItemRef`s (their model
instances made only for a caller that asks, `Requirement.item`).

Production orders call `bom_explode` at confirm: `requirements` / `totals` give what to reserve
(`levels="1"`: phantom kits exploded through, sub-assemblies taken from stock; `levels="all"`:
down to purchased items), and `boms` / `work_order_boms()` give the BOMs whose operations become
work orders, with how many times each runs.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model, TextField
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from config.levels import levels_parse
from config.quantities import quantity_parse
from items.exceptions import UomMismatch
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


class ItemRef:
    """An item as a loaded tree holds it: the values the walk and the bodies read, and the model
    instance (`model`) made on first use, once. A tree of 10,000 nodes has as many items, and
    an explosion's body never needs their instances: making them was a tenth of its time."""

    __slots__ = (
        "_model",
        "deleted_at",
        "id",
        "name",
        "number",
        "standard_cost",
        "tracking",
        "type",
        "uom",
    )

    def __init__(self, id, number, name, type, uom, tracking, standard_cost, deleted_at):
        self.id, self.number, self.name, self.type = id, number, name, type
        self.uom, self.tracking, self.standard_cost = uom, tracking, standard_cost
        self.deleted_at, self._model = deleted_at, None

    @property
    def model(self) -> Item:
        model = self._model
        if model is None:
            values = (self.id, self.number, self.name, self.type, self.uom.id, self.tracking)
            model = self._model = _loaded(
                Item,
                ITEM_FIELDS,
                (*values, self.standard_cost, self.deleted_at),
                {ITEM_UNIT: self.uom},
            )
        return model


class Requirement(NamedTuple):
    """One exploded line, in depth-first order. `quantity` is in the item's stock unit. A tuple:
    an explosion of 10,000 nodes makes as many, and a tuple is made several times faster than
    a frozen dataclass (and is one object for the garbage collector to walk, not two)."""

    part: ItemRef  # the item's values; `item` is its model instance
    quantity: Decimal
    level: int
    path: tuple[str, ...]
    is_leaf: bool
    cost: Decimal  # a leaf: standard cost x quantity; a sub-assembly: its rolled-up cost
    line: "BOMLine"  # the BOM line the row comes from (of a phantom kit's BOM, for its parts)
    bom: BOM | None = None  # the sub-assembly's default BOM (also when not exploded: levels=1)

    @property
    def item(self) -> Item:
        return self.part.model

    # The item's fields as the API names them (`productId`, `number`, `name`, `uom`).
    @property
    def product_id(self):
        return self.part.id

    @property
    def number(self) -> str:
        return self.part.number

    @property
    def name(self) -> str:
        return self.part.name

    @property
    def uom(self) -> str:
        return self.part.uom.symbol


class Total(NamedTuple):
    """What must be picked or bought: the leaf rows summed per item, in stock units."""

    part: ItemRef
    quantity: Decimal

    item = Requirement.item
    product_id = Requirement.product_id
    number = Requirement.number
    name = Requirement.name
    uom = Requirement.uom


class BOMLine(NamedTuple):
    """A BOM line as an explosion loads it, ready for the line rule (`line_needed`): its values
    (`LINE_FIELDS`, in that order), no model instance (a tree of 10,000 nodes has as many
    lines), then `part`, its item's values; `base` = quantity x (1 + scrap / 100) and `factor`
    its unit into the item's stock unit; `sub` the item's default BOM, with `sub_factor` the
    item's stock unit into the BOM's unit (`units_built`). Made in the pass reading the rows."""

    bom_id: object
    item_id: object
    quantity: Decimal
    uom_id: object
    scrap_percent: Decimal
    position: int
    part: ItemRef
    base: Decimal
    factor: Decimal | None  # None: units that do not convert (`_Tree.bom_rules` raises)
    sub: BOM | None
    sub_factor: Decimal | None
    phantom: bool

    @property
    def item(self) -> Item:
        return self.part.model


class ExplodedBOM(NamedTuple):
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
    lines: dict  # bom id -> [BOMLine] in line order
    operations: dict  # bom id -> [BOMOperation] by sequence
    defaults: dict  # item id -> its default BOM (live, not cancelled)
    boms: dict = field(default_factory=dict)  # bom id -> every BOM loaded
    # bom id -> [(position, UomMismatch)]: lines whose units do not convert
    broken: dict = field(default_factory=dict)

    def bom_rules(self, bom: BOM) -> list[BOMLine]:
        """`bom`'s lines, with the explosion's per-line factors (computed once, as the rows were
        read: MRP explodes the same BOM for every planned order of its product). A line whose
        units do not convert is refused here, when its BOM is exploded, as it always was: MRP
        loads BOMs it may never explode."""
        broken = self.broken.get(bom.id)
        if broken is not None:
            raise min(broken, key=_first)[1]
        return self.lines.get(bom.id, ())


def _first(entry: tuple):
    return entry[0]


# What the walk and the callers read of each model; other fields stay deferred (loaded on first
# access, as with `.only()`).
UNIT_FIELDS = ("id", "symbol", "category", "factor", "deleted_at")
ITEM_UNIT = Item.uom.field.cache_name
ITEM_FIELDS = ("id", "number", "name", "type", "uom_id", "tracking", "standard_cost", "deleted_at")
LINE_FIELDS = ("bom_id", "item_id", "quantity", "uom_id", "scrap_percent", "position")
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


def _loaded(model, attnames: tuple[str, ...], values, related: dict | None = None) -> Model:
    """A model instance from database values, as `Model.from_db` makes one for `.only()`, but
    without `Model.__init__` (no per-field descriptor work, no init signals, which these models
    do not use): the fields not in `attnames` are deferred. `related`: the instances its
    foreign keys point to, by the fields' cache names (what `set_cached_value` writes). A tree
    of 10,000 nodes makes some 25,000 of these, where `__init__` was most of the explosion's
    time."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = instance._state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    if related is not None:
        state.fields_cache = related
    return instance


def _related(*prefixes_and_fields: tuple[str, tuple[str, ...]]) -> list[str]:
    """`("item__", ITEM_FIELDS)` → `["item__number", …]` for values_list: the related model's
    fields but its id, which the row has already as the foreign key."""
    return [prefix + name for prefix, fields in prefixes_and_fields for name in fields[1:]]


def _load_tree(bom: BOM, *more: BOM) -> _Tree:
    """Three queries: the units, every BOM of the tree with its operations (and their
    workcenters), and the lines of every BOM of the tree with their items, as rows of values.
    With `more` roots, one tree holding all of them."""
    sql, params = exploded_bom_ids_sql(bom.pk, *(root.pk for root in more))
    # One root may be a sub-assembly's default in another's tree.
    return load_boms(
        sql, params, known={root.pk: root for root in (bom, *more)}, roots=more and (bom, *more)
    )


def _text(name: str) -> Cast:
    return Cast(name, TextField())


_POSITION = itemgetter(LINE_FIELDS.index("position"))


class _Units(dict):
    """Every unit by id (and `by_text`, by the id as the database writes it), read in one query.
    A unit written after that query and named by a later statement's row (a line moved to a
    new unit meanwhile) is read when met, one query, instead of being missing."""

    def __init__(self):
        super().__init__()
        self.by_text = _UnitsByText(self)
        self._read(UnitOfMeasure.all_objects.all())

    def _read(self, queryset) -> None:
        for row in queryset.values_list(*UNIT_FIELDS, _text("id")):
            self[row[0]] = self.by_text[row[-1]] = _loaded(UnitOfMeasure, UNIT_FIELDS, row[:-1])

    def __missing__(self, key):
        self._read(UnitOfMeasure.all_objects.filter(pk=key))
        return dict.__getitem__(self, key)  # KeyError only for a unit that does not exist


class _UnitsByText(dict):
    def __init__(self, units: _Units):
        super().__init__()
        self.units = units

    def __missing__(self, text):
        self.units._read(UnitOfMeasure.all_objects.filter(pk=text))
        return dict.__getitem__(self, text)


def _bom_ids(texts, sql: str, params: list) -> RawSQL:
    """The ids of the BOMs loaded (`texts`: as the database wrote them), for the statement
    reading their lines. On PostgreSQL, the ids themselves, in one text parameter: the
    statement selecting them (a recursive walk, for an explosion) runs once, not twice, and no
    UUID is formatted again. SQLite has no array type: it runs the statement again."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(string_to_array(%s, ','))::uuid", [",".join(texts)])
    return RawSQL(sql, params)


def _live_default(bom: BOM) -> bool:
    return bom.is_default and bom.deleted_at is None and bom.status != BOMStatus.CANCELLED


def load_boms(sql: str, params: list, known: dict | None = None, roots=()) -> _Tree:
    """The tree of the BOMs `sql` selects (their ids), in three queries: the units, the BOMs
    with their operations, then the BOMs' lines (of exactly the BOMs read, whatever was written
    in between), each line with its rule's factors. `known` BOM instances (by id) are used as
    they are; those of `roots` are the default of their product where it has no other. Planning
    loads every default BOM this way.

    Every unit is loaded once, by its own query (a plant has dozens): the line rows then carry
    unit ids only, a third of the columns they had with each unit's values joined twice. The
    ids a line row only points with (its BOM's, its units') come as text, found in a dict of
    text keys: a UUID costs the driver several times a string to make, and its hash is Python
    code. The records keep UUIDs, taken from the BOM and unit they point to."""
    units = _Units()
    units_by_text = units.by_text
    bom_rows = (
        BOM.all_objects.filter(pk__in=RawSQL(sql, params))
        .order_by("pk", "operations__sequence")
        .values_list(
            *BOM_FIELDS,
            "operations__id",
            *_related(
                ("operations__", OPERATION_FIELDS[1:]),  # bom_id is the BOM's id
                ("operations__workcenter__", WORKCENTER_FIELDS),
            ),
            _text("id"),
        )
    )
    bom_unit = BOM.uom.field.cache_name
    operation_workcenter = BOMOperation.workcenter.field.cache_name
    b_unit = BOM_FIELDS.index("uom_id")
    o_start = len(BOM_FIELDS)
    o_workcenter = o_start + OPERATION_FIELDS.index("workcenter_id") - 1
    o_end = o_start + len(OPERATION_FIELDS) - 1
    tree = _Tree(lines=defaultdict(list), operations=defaultdict(list), defaults={})
    defaults = tree.defaults
    boms = dict(known or {})
    boms_by_text: dict = {}
    workcenters: dict = {}
    sub = None
    for row in bom_rows:
        if sub is None or sub.id != row[0]:  # the rows come by BOM
            sub = boms.get(row[0])
            if sub is None:
                sub = boms[row[0]] = _loaded(
                    BOM, BOM_FIELDS, row[:o_start], {bom_unit: units[row[b_unit]]}
                )
                if _live_default(sub):
                    defaults[sub.product_id] = sub
            boms_by_text[row[-1]] = sub
            operations = tree.operations[sub.id]
        if row[o_start] is not None:  # a BOM without operations comes as one row of NULLs
            workcenter = workcenters.get(row[o_workcenter])
            if workcenter is None:
                workcenter = workcenters[row[o_workcenter]] = _loaded(
                    Workcenter, WORKCENTER_FIELDS, (row[o_workcenter], *row[o_end:-1])
                )
            operation = _loaded(
                BOMOperation,
                OPERATION_FIELDS,
                (row[o_start], row[0], *row[o_start + 1 : o_end]),
                {operation_workcenter: workcenter},
            )
            operations.append(operation)
    for root in roots:
        if _live_default(root):
            defaults.setdefault(root.product_id, root)
    tree.boms = boms
    tree.lines = _load_lines(tree, boms_by_text, units_by_text, sql, params)
    return tree


# The line row's columns read as text: ids only looked up by (their BOM's, their units'), and
# the numbers, made Decimals by `_Decimals` (a tree repeats a few quantities 11,000 times).
_AS_TEXT = {"bom_id", "uom_id", "quantity", "scrap_percent", "item__uom_id", "item__standard_cost"}


def _line_columns() -> list:
    names = (*LINE_FIELDS, *(f"item__{name}" for name in ITEM_FIELDS[1:]))
    return [_text(name) if name in _AS_TEXT else name for name in names]


class _Decimals(dict):
    """The Decimal of each text a numeric column is read as, made once: the value the driver
    makes of it (PostgreSQL writes a column's places), rounded to the column's places as
    Django's converter does for SQLite, which writes `2` for 2.000000. Reading the number as
    text and its Decimal from here took a third of the time the driver took to make each."""

    def __init__(self, field):
        super().__init__()
        self.step = Decimal(1).scaleb(-field.decimal_places)

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text).quantize(self.step)
        return value


def _load_lines(tree: _Tree, boms_by_text: dict, units_by_text: dict, sql, params) -> dict:
    """The lines of the BOMs read (by id as text), each made a `BOMLine` with its factors, in
    line order. A line whose units do not convert is kept aside in `tree.broken`."""
    # In no SQL order: sorting 11,000 wide rows took the database longer than sorting each
    # BOM's few lines by position here.
    line_rows = (
        BOMComponent.objects.filter(bom_id__in=_bom_ids(boms_by_text, sql, params))
        .order_by()
        .values_list(*_line_columns())
    )
    quantities = _Decimals(BOMComponent._meta.get_field("quantity"))
    scraps = _Decimals(BOMComponent._meta.get_field("scrap_percent"))
    costs = _Decimals(Item._meta.get_field("standard_cost"))
    subs = {product_id.int: bom for product_id, bom in tree.defaults.items()}
    broken = tree.broken
    items: dict = {}  # item id (as int: its hash is C, a UUID's Python code) -> its values
    by_bom: dict = {}  # BOM id as text -> (the BOM's id, its lines)
    make = tuple.__new__  # BOMLine._make without its Python frame, 11,000 times
    for row in line_rows:  # LINE_FIELDS, ITEM_FIELDS[1:]; ids and numbers as text (_AS_TEXT)
        found = by_bom.get(row[0])
        if found is None:
            bom = boms_by_text.get(row[0])  # None: written after the BOMs were read (SQLite)
            found = by_bom[row[0]] = (None if bom is None else bom.id, [])
        bom_id, lines = found
        if bom_id is None:
            continue
        item_id = row[1]
        known = items.get(item_id.int)
        if known is None:
            known = items[item_id.int] = _item_of(row, units_by_text, costs, subs.get(item_id.int))
        position = row[5]
        part, stock_unit, sub, sub_factor, phantom, sub_error = known
        unit = units_by_text[row[3]]
        if unit is stock_unit:  # one instance per unit in a tree: the same unit, factor 1
            factor = ONE
        else:
            try:
                factor = conversion_factor(unit, stock_unit)
            except UomMismatch as error:
                factor = None
                broken.setdefault(bom_id, []).append((position, error))
        if sub_error is not None:
            broken.setdefault(bom_id, []).append((position, sub_error))
        quantity, scrap = quantities[row[2]], scraps[row[4]]
        base = quantity * (1 + scrap / 100) if scrap else quantity  # the same value
        lines.append(
            make(
                BOMLine,
                (
                    bom_id,
                    item_id,
                    quantity,
                    unit.id,
                    scrap,
                    position,
                    part,
                    base,
                    factor,
                    sub,
                    sub_factor,
                    phantom,
                ),
            )
        )
    by_id = {}
    for bom_id, lines in by_bom.values():
        if bom_id is not None:
            lines.sort(key=_POSITION)
            by_id[bom_id] = lines
    return by_id


def _item_of(row, units_by_text: dict, costs: _Decimals, sub: BOM | None) -> tuple:
    """(`ItemRef`, its stock unit, its default BOM, the factor of its stock unit into the
    BOM's, whether the BOM is a phantom kit, the UomMismatch of that factor) from a line row."""
    stock_unit = units_by_text[row[9]]
    part = ItemRef(row[1], row[6], row[7], row[8], stock_unit, row[10], costs[row[11]], row[12])
    if sub is None:
        return part, stock_unit, None, None, False, None
    sub_unit, sub_factor, error = sub.uom, ONE, None
    if sub_unit is not stock_unit:
        try:
            sub_factor = conversion_factor(stock_unit, sub_unit)
        except UomMismatch as mismatch:
            sub_factor, error = None, mismatch
    return part, stock_unit, sub, sub_factor, sub.type == BOMType.PHANTOM, error


def line_needed(rule: BOMLine, runs: Decimal) -> Decimal:
    """The explosion's line rule: `line.quantity x (1 + scrap / 100) x runs`, converted into the
    component's stock unit, at six places."""
    return quantize_qty(rule.base * runs * rule.factor)


def units_built(needed: Decimal, item: Item, bom: BOM) -> Decimal:
    """`needed` of `item` (in its stock unit) as a quantity in `bom`'s unit: what is built."""
    return quantize_qty(needed * conversion_factor(item.uom, bom.uom))


def _sub_built(rule: BOMLine, needed: Decimal) -> Decimal:
    """`units_built` of a line's sub-assembly, with the factor of its rule."""
    return quantize_qty(needed * rule.sub_factor)


def _enter(bom: BOM, stack: tuple) -> tuple:
    key = bom.id.int  # compared in C, where a UUID's equality is Python code
    if key in stack:
        raise CircularReference(f"BOM {bom.number} is part of a circular structure.")
    return (*stack, key)


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
        rows.append((rule.part.model, needed))
    return rows, minutes


def bom_component_ids(tree: _Tree, bom: BOM, stack: tuple = ()) -> set:
    """The ids of the items `bom_components` lists for `bom`, without computing quantities."""
    stack = _enter(bom, stack)
    ids = set()
    for rule in tree.bom_rules(bom):
        if rule.phantom:
            ids |= bom_component_ids(tree, rule.sub, stack)
        else:
            ids.add(rule.item_id)
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
        operations = tuple(self.tree.operations.get(bom.id, ()))
        if emit:
            # bom, level (the top BOM is 0, a sub-assembly's BOM its row's level), quantity,
            # runs, phantom, operations: ExplodedBOM without its Python frame.
            self.boms.append(
                tuple.__new__(ExplodedBOM, (bom, level - 1, quantity, runs, phantom, operations))
            )
        operations_cost = sum(
            (op.duration_minutes / 60 * op.workcenter.hourly_cost * runs for op in operations),
            Decimal(0),
        )
        materials_cost = Decimal(0)
        requirements = self.requirements
        row = tuple.__new__  # Requirement(...) without its Python frame: one per line
        for rule in self.tree.bom_rules(bom):
            item, sub = rule.part, rule.sub
            needed = line_needed(rule, runs)
            if rule.phantom:
                # A kit: its parts take its place (same level, same path), never the kit itself.
                m, o = self.walk(
                    sub,
                    _sub_built(rule, needed),
                    level=level,
                    path=path,
                    stack=stack,
                    emit=emit,
                    phantom=True,
                )
                materials_cost += m
                operations_cost += o
                continue
            row_path = (*path, item.number)
            if sub is not None:
                index = len(requirements)
                if emit:  # the row goes before its parts; its cost is known after them
                    requirements.append(None)
                explode = emit and self.explode_all
                m, o = self.walk(
                    sub,
                    _sub_built(rule, needed),
                    level=level + 1,
                    path=row_path,
                    stack=stack,
                    emit=explode,
                )
                materials_cost += m
                operations_cost += o
                if emit:
                    requirements[index] = row(
                        Requirement,
                        (
                            item,
                            needed,
                            level,
                            row_path,
                            not explode,
                            quantize_money(m + o),
                            rule,
                            sub,
                        ),
                    )
                continue
            cost = item.standard_cost * needed
            materials_cost += cost
            if emit:
                requirements.append(
                    row(
                        Requirement,
                        (item, needed, level, row_path, True, quantize_money(cost), rule, None),
                    )
                )
        return materials_cost, operations_cost


def bom_explode(*, bom: BOM, quantity: Decimal | None = None, levels: str = "all") -> Explosion:
    """The requirements to build `quantity` (in the BOM's unit; default: the BOM's quantity) of
    `bom`'s product. `levels="all"` follows each sub-assembly's default BOM down to the leaves;
    `levels="1"` stops at the BOM's own components. Phantom kits are always exploded through.
    Three queries, whatever the depth and size of the tree."""
    levels = levels_parse(levels)
    quantity = quantity_parse(quantity) if quantity is not None else bom.quantity
    return _explosion(_load_tree(bom), bom, quantity, levels)


def bom_explode_each(*, runs: list[tuple[BOM, Decimal, str]]) -> list[Explosion]:
    """`bom_explode` for each (BOM, quantity in its unit, levels) of `runs`, with the same rules,
    from one load of all their trees: three queries, however many runs and BOMs."""
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
            # By instance: a tree holds one `ItemRef` per item (`load_boms`), and `id()` hashes
            # in C where a UUID's hash is Python code.
            item = row.part
            found = totals.get(id(item))
            totals[id(item)] = (item, row.quantity if found is None else found[1] + row.quantity)
    materials, operations = quantize_money(materials), quantize_money(operations)
    total = materials + operations
    return Explosion(
        bom=bom,
        quantity=quantity,
        levels=levels,
        requirements=walker.requirements,
        totals=[tuple.__new__(Total, total) for total in totals.values()],
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
