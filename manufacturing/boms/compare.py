"""Comparing two BOMs (issue 14): what changes between two versions of a product's BOM.

Lines and operations are compared as written (a line by its component item, an operation by its
sequence). The requirements are compared as the explosion computes them (`bom_explode`: scrap,
units and phantom kits under one set of rules), for the same quantity of product: the base
BOM's quantity. The cost is the explosion's full multi-level roll-up (the figure `bom_cost`
gives). Six queries, whatever the size of the two BOMs: two per explosion, two for the lines.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from config.levels import levels_parse
from items.exceptions import UomMismatch
from items.units import convert
from manufacturing.boms.explosion import Cost, bom_explode_each, quantize_money
from manufacturing.boms.models import BOM
from manufacturing.boms.selectors import bom_line_rows

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
ZERO = Decimal(0)


@dataclass(frozen=True)
class HeaderChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class LineValues:
    quantity: Decimal
    uom: str
    scrap_percent: Decimal


@dataclass(frozen=True)
class LineDiff:
    """A component line, keyed by its item: `old` is the base BOM's line, `new` the other's."""

    product_id: object
    number: str
    name: str
    change: str
    old: LineValues | None
    new: LineValues | None
    changed_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperationValues:
    name: str
    workcenter: str
    workcenter_id: object
    duration_minutes: Decimal


@dataclass(frozen=True)
class OperationDiff:
    sequence: int
    change: str
    old: OperationValues | None
    new: OperationValues | None
    changed_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequirementDiff:
    """What must be picked for the base quantity, per item, in its stock unit."""

    product_id: object
    number: str
    name: str
    uom: str
    change: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class CostDiff:
    old: Cost
    new: Cost
    delta: Cost


@dataclass(frozen=True)
class BOMComparison:
    base: BOM
    other: BOM
    levels: str
    quantity: Decimal  # of product, in the base BOM's unit: what both explosions build
    header: list[HeaderChange]
    components: list[LineDiff]
    operations: list[OperationDiff]
    requirements: list[RequirementDiff]
    cost: CostDiff
    summary: dict = field(default_factory=dict)


HEADER_FIELDS = (
    ("product", lambda b: b.product.number),
    ("number", lambda b: b.number),
    ("name", lambda b: b.name),
    ("description", lambda b: b.description),
    ("quantity", lambda b: b.quantity),
    ("uom", lambda b: b.uom.symbol),
    ("type", lambda b: b.type),
    ("status", lambda b: b.status),
    ("is_default", lambda b: b.is_default),
    ("version", lambda b: b.version),
)


def _change(old, new, fields: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    if old is None:
        return ADDED, ()
    if new is None:
        return REMOVED, ()
    changed = tuple(f for f in fields if getattr(old, f) != getattr(new, f))
    return (CHANGED if changed else UNCHANGED), changed


def _components(base_rows, other_rows) -> list[LineDiff]:
    """The base's lines in their order (removed ones in place), then the lines only the other
    has, in its order."""
    old = {row[2]: row for row in base_rows}
    new = {row[2]: row for row in other_rows}
    order = [row[2] for row in base_rows] + [row[2] for row in other_rows if row[2] not in old]
    diffs = []
    for item_id in order:
        a, b = old.get(item_id), new.get(item_id)
        ref = a or b
        a_values = LineValues(a[5], a[6], a[7]) if a else None
        b_values = LineValues(b[5], b[6], b[7]) if b else None
        change, fields = _change(a_values, b_values, ("quantity", "uom", "scrap_percent"))
        diffs.append(LineDiff(item_id, ref[3], ref[4], change, a_values, b_values, fields))
    return diffs


def _operations(base_rows, other_rows) -> list[OperationDiff]:
    old = {row[2]: OperationValues(row[3], row[4], row[5], row[6]) for row in base_rows}
    new = {row[2]: OperationValues(row[3], row[4], row[5], row[6]) for row in other_rows}
    diffs = []
    for sequence in sorted(old.keys() | new.keys()):
        change, fields = _change(
            old.get(sequence), new.get(sequence), ("name", "workcenter_id", "duration_minutes")
        )
        fields = tuple("workcenter" if f == "workcenter_id" else f for f in fields)
        diffs.append(OperationDiff(sequence, change, old.get(sequence), new.get(sequence), fields))
    return diffs


def _requirements(base_totals, other_totals) -> list[RequirementDiff]:
    old = {t.item.pk: t for t in base_totals}
    new = {t.item.pk: t for t in other_totals}
    order = [t.item.pk for t in base_totals] + [
        t.item.pk for t in other_totals if t.item.pk not in old
    ]
    diffs = []
    for item_id in order:
        a, b = old.get(item_id), new.get(item_id)
        ref = (a or b).item
        old_qty, new_qty = (a.quantity if a else ZERO), (b.quantity if b else ZERO)
        if a is None:
            change = ADDED
        elif b is None:
            change = REMOVED
        else:
            change = CHANGED if old_qty != new_qty else UNCHANGED
        diffs.append(
            RequirementDiff(ref.pk, ref.number, ref.name, ref.uom.symbol, change, old_qty, new_qty)
        )
    return diffs


def _cost_delta(old: Cost, new: Cost) -> Cost:
    return Cost(
        materials=new.materials - old.materials,
        operations=new.operations - old.operations,
        total=new.total - old.total,
        per_unit=new.per_unit - old.per_unit,
    )


def _quantity_for(other: BOM, base: BOM) -> Decimal:
    """The base quantity of product in the other BOM's unit (refused when the two units do
    not convert: BOMs of two products counted in different kinds of unit)."""
    try:
        return convert(base.quantity, base.uom, other.uom)
    except UomMismatch:
        message = (
            f"BOM {other.number} counts its product in {other.uom.symbol}, which does not "
            f"convert from {base.uom.symbol}: the two BOMs cannot be compared."
        )
        raise UomMismatch(message, errors={"with": [message]}) from None


def bom_compare(*, base: BOM, other: BOM, levels: str = "1") -> BOMComparison:
    """What changes from `base` to `other`: header fields, component lines (quantity, unit,
    scrap), operations, the requirements per item for the base quantity (`levels="1"`: the
    BOM's own components, phantom kits exploded through; `"all"`: down to the purchased items)
    and the cost. Give BOMs with product and unit joined (`selectors.bom_headers()`)."""
    levels = levels_parse(levels, default="1")
    quantity = _quantity_for(other, base)
    old, new = bom_explode_each(runs=[(base, base.quantity, levels), (other, quantity, levels)])
    # Per unit of the base BOM's unit for both (the same figure when the units agree).
    new_cost = Cost(
        materials=new.cost.materials,
        operations=new.cost.operations,
        total=new.cost.total,
        per_unit=quantize_money(new.cost.total / base.quantity),
    )
    components, operations = bom_line_rows([base.pk, other.pk])
    header = [
        HeaderChange(name, getter(base), getter(other))
        for name, getter in HEADER_FIELDS
        if getter(base) != getter(other)
    ]
    comparison = BOMComparison(
        base=base,
        other=other,
        levels=levels,
        quantity=base.quantity,
        header=header,
        components=_components(components[base.pk], components[other.pk]),
        operations=_operations(operations[base.pk], operations[other.pk]),
        requirements=_requirements(old.totals, new.totals),
        cost=CostDiff(old=old.cost, new=new_cost, delta=_cost_delta(old.cost, new_cost)),
    )
    for name in ("components", "operations", "requirements"):
        counts = dict.fromkeys((ADDED, REMOVED, CHANGED, UNCHANGED), 0)
        for row in getattr(comparison, name):
            counts[row.change] += 1
        comparison.summary[name] = counts
    return comparison
