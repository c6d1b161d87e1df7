"""What a BOM is made of, as the services take it: resolved instances, not ids or numbers.

The API (`references.bom_input_resolve`), the admin and the import build these — their
references through the one resolver, manufacturing/boms/references.py — then call the services.
A BOMSpec is the header with its lines; `given` says which header fields the caller gave (a
PATCH changes those only), and the PUT defaults (a full replace) live here, in `for_put`.
"""

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOMStatus, BOMType, Workcenter


@dataclass(frozen=True)
class ComponentSpec:
    item: Item
    quantity: Decimal
    uom: UnitOfMeasure | None = None  # None: the item's stock unit
    scrap_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class OperationSpec:
    name: str
    workcenter: Workcenter
    duration_minutes: Decimal = Decimal(0)
    sequence: int | None = None  # None: 10, 20, 30… in the order given


# The header fields of a BOM, in the order the admin shows them.
HEADER_FIELDS = (
    "number",
    "name",
    "description",
    "product",
    "quantity",
    "uom",
    "type",
    "is_default",
)
# A full replace (PUT) sets these when not given; number and is_default are kept.
PUT_DEFAULT_FIELDS = ("name", "description", "quantity", "uom", "type")


@dataclass(frozen=True)
class BOMSpec:
    """A BOM's header and lines. The defaults are a new BOM's (and a PUT's)."""

    product: Item | None = None
    components: list[ComponentSpec] | None = None  # None: not given (an update keeps them)
    operations: list[OperationSpec] | None = None  # None: not given
    number: str | None = None  # None or blank: the next BOM-000001
    name: str = ""  # blank: the product's name
    description: str = ""
    quantity: Decimal = Decimal(1)
    uom: UnitOfMeasure | None = None  # None: the product's stock unit
    type: str = BOMType.MANUFACTURE
    is_default: bool | None = None  # None: not asked (a product's first BOM is its default)
    given: frozenset[str] = field(default=frozenset(HEADER_FIELDS))

    @classmethod
    def partial(cls, **values) -> "BOMSpec":
        """Only `values` given (a create takes the defaults for the rest, a PATCH keeps them)."""
        return cls(**values, given=frozenset(values) & frozenset(HEADER_FIELDS))

    @classmethod
    def for_put(cls, **values) -> "BOMSpec":
        """A full replace: the PUT defaults for what is not given, no operations unless given."""
        spec = cls.partial(**{"operations": [], **values})
        return replace(spec, given=spec.given | frozenset(PUT_DEFAULT_FIELDS))

    def header(self) -> dict:
        """The given header fields, by name (what an update changes)."""
        return {name: getattr(self, name) for name in HEADER_FIELDS if name in self.given}

    def create_kwargs(self) -> dict:
        """Everything `bom_create` takes from a spec."""
        header = {f.name: getattr(self, f.name) for f in fields(self) if f.name in HEADER_FIELDS}
        return {**header, "components": self.components, "operations": self.operations or ()}


@dataclass(frozen=True)
class NewBOM:
    """One BOM for `bom_create_many`: what `bom_create` takes, and `cancel` (the import of a
    cancelled BOM: created submitted, then cancelled as `bom_cancel` right after would)."""

    spec: BOMSpec
    version: int = 1
    status: str = BOMStatus.DRAFT  # draft or submitted
    cancel: bool = False
