"""The BOM structure report: the multi-level tree for a quantity, with stock and cost per line
(Odoo's "BoM Structure & Cost", ERPNext's BOM Explorer). Built on `bom_explode` (three queries,
whatever the tree) and one read of the stock levels of every item in it: four queries in all.

Quantities are gross: each sub-assembly's parts are exploded for the whole quantity of the
sub-assembly, whatever of it is in stock, as `bom_explode` does. A line's shortage is what its
quantity exceeds the item's available stock by; the same item on several lines shares its
stock, which the per-item `totals` account for (their shortage is what must be bought or made).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from inventory.models import Warehouse
from inventory.selectors import StockPosition, stock_positions
from manufacturing.boms.explosion import Explosion, Requirement, bom_explode, quantize_money
from manufacturing.boms.models import BOM

ZERO = Decimal(0)

# The report's own columns, in order: (key, heading). The page, the CSV and the print share them
# with the columns other areas add (`structure_column_register`), which go before the costs.
COLUMNS = (
    ("level", "Level"),
    ("number", "Component"),
    ("name", "Name"),
    ("quantity", "Quantity"),
    ("uom", "Unit"),
    ("on_hand", "On hand"),
    ("available", "Available"),
    ("shortage", "Shortage"),
    ("unit_cost", "Unit cost"),
    ("cost", "Extended cost"),
)


# (key, heading, provider): provider(item ids) -> {item id: value}, in one query whatever the
# number of items. Planning adds the lead time (ManufacturingConfig.ready()): the BOM area
# cannot import planning.
_ADDED_COLUMNS: list[tuple[str, str, Callable[[Iterable], dict]]] = []


def structure_column_register(key: str, heading: str, provider: Callable[[Iterable], dict]):
    """Add a column to the report (registering a key again replaces it)."""
    _ADDED_COLUMNS[:] = [c for c in _ADDED_COLUMNS if c[0] != key]
    _ADDED_COLUMNS.append((key, heading, provider))


def structure_columns() -> tuple[tuple[str, str], ...]:
    at = [key for key, _ in COLUMNS].index("unit_cost")
    added = tuple((key, heading) for key, heading, _ in _ADDED_COLUMNS)
    return (*COLUMNS[:at], *added, *COLUMNS[at:])


@dataclass(frozen=True)
class StructureRow:
    key: str  # "r<index>": the row's id in the page
    parent: str  # the key of the sub-assembly row it belongs to ("" at the top)
    requirement: Requirement
    stock: StockPosition
    has_children: bool
    added: dict = field(default_factory=dict)  # the added columns' values, by key

    @property
    def level(self) -> int:
        return self.requirement.level

    @property
    def number(self) -> str:
        return self.requirement.number

    @property
    def name(self) -> str:
        return self.requirement.name

    @property
    def quantity(self) -> Decimal:
        return self.requirement.quantity

    @property
    def uom(self) -> str:
        return self.requirement.uom

    @property
    def on_hand(self) -> Decimal:
        return self.stock.on_hand

    @property
    def available(self) -> Decimal:
        return self.stock.available

    @property
    def shortage(self) -> Decimal:
        return max(self.quantity - self.available, ZERO)

    @property
    def unit_cost(self) -> Decimal:
        """A purchased line's standard cost; a sub-assembly's rolled-up cost per stock unit."""
        if not self.has_children and self.requirement.bom is None:
            return self.requirement.item.standard_cost
        return quantize_money(self.requirement.cost / self.quantity)

    @property
    def cost(self) -> Decimal:
        return self.requirement.cost

    @property
    def added_cells(self) -> list:
        return [self.added.get(key, "") for key, _, _ in _ADDED_COLUMNS]

    def cells(self) -> list:
        """The row as the page shows it: quantities without trailing zeros, money as kept."""
        return [
            self.added.get(key, "") if key in self.added else _shown(getattr(self, key), key)
            for key, _ in structure_columns()
        ]


QUANTITY_COLUMNS = {"quantity", "on_hand", "available", "shortage"}


def _shown(value, key: str):
    return value.normalize() if key in QUANTITY_COLUMNS else value


@dataclass(frozen=True)
class StructureTotal:
    """One purchased (leaf) item over the whole tree: what is needed, what is there."""

    number: str
    name: str
    quantity: Decimal
    uom: str
    available: Decimal

    @property
    def shortage(self) -> Decimal:
        return max(self.quantity - self.available, ZERO)


@dataclass(frozen=True)
class Structure:
    bom: BOM
    quantity: Decimal
    warehouse: Warehouse
    rows: list[StructureRow]
    totals: list[StructureTotal]
    explosion: Explosion
    columns: tuple = COLUMNS

    @property
    def cost(self):
        return self.explosion.cost

    @property
    def cost_label_span(self) -> int:
        """The columns before the extended cost (the totals' labels span them)."""
        return len(self.columns) - 1

    @property
    def short_lines(self) -> int:
        return sum(1 for row in self.rows if row.shortage)


def bom_structure(*, bom: BOM, quantity: Decimal, warehouse: Warehouse) -> Structure:
    """The multi-level tree of `quantity` (in the BOM's unit) of `bom` with the stock of
    `warehouse`: three queries, and one per added column, whatever the size of the tree."""
    explosion = bom_explode(bom=bom, quantity=quantity, levels="all")
    requirements = explosion.requirements
    stock = stock_positions(items=[r.item for r in requirements], warehouse=warehouse)
    item_ids = {r.item.pk for r in requirements}
    added = {key: provider(item_ids) for key, _, provider in _ADDED_COLUMNS}
    rows: list[StructureRow] = []
    parents: list[tuple[int, str]] = []  # (level, key) of the open sub-assembly rows
    for index, requirement in enumerate(requirements):
        while parents and parents[-1][0] >= requirement.level:
            parents.pop()
        key = f"r{index}"
        following = requirements[index + 1] if index + 1 < len(requirements) else None
        has_children = following is not None and following.level > requirement.level
        rows.append(
            StructureRow(
                key=key,
                parent=parents[-1][1] if parents else "",
                requirement=requirement,
                stock=stock[requirement.item.pk],
                has_children=has_children,
                added={key: values.get(requirement.item.pk, "") for key, values in added.items()},
            )
        )
        if has_children:
            parents.append((requirement.level, key))
    totals = [
        StructureTotal(
            number=total.number,
            name=total.name,
            quantity=total.quantity,
            uom=total.uom,
            available=stock[total.item.pk].available,
        )
        for total in explosion.totals
    ]
    return Structure(
        bom, explosion.quantity, warehouse, rows, totals, explosion, structure_columns()
    )
