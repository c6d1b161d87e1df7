"""The one resolver: what the API, the admin, the CSV import and the commands name (ids, item
numbers, unit symbols, workcenter names or codes, BOM numbers) turned into the live instances
the specs hold. Set-based: every reference of a whole BOM, or of a whole batch of import rows,
is collected first (`want_*`), then looked up with one query per kind (`load`), whatever the
size.

One rule per reference: an item by id, else by number; a workcenter by id, else by name, else by
code (a name wins over another workcenter's code); archived rows are not found. One set of
messages: `NOT_FOUND` (the API's, keyed by the field path) and `ROW_NOT_FOUND` (the import's,
after the CSV column), with one code per kind (`CODES`).
"""

from dataclasses import dataclass
from typing import Any

from config.exceptions import ValidationFailed
from items.exceptions import ItemNotFound
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.boms.specs import BOMSpec, ComponentSpec, OperationSpec

# (kind, by) -> message; the API keys it by the field path (`components[1].productNumber`).
NOT_FOUND = {
    ("item", "id"): "No active item with id {value}.",
    ("item", "number"): "No active item with number '{value}'.",
    ("unit", "symbol"): "Unknown unit '{value}'.",
    ("workcenter", "id"): "No active workcenter with id {value}.",
    ("workcenter", "name"): "No active workcenter named '{value}'.",
    ("bom", "number"): "No active BOM numbered {value}.",
}
# kind -> the end of the import's "row N: {column} '{value}' …".
ROW_NOT_FOUND = {
    "item": "is not an active item.",
    "unit": "is not a known unit.",
    "workcenter": "is not an active workcenter.",
    "bom": "is not an active BOM.",
}
CODES = {
    "item": ItemNotFound.code,
    "workcenter": ItemNotFound.code,
    "bom": ItemNotFound.code,
    "unit": ValidationFailed.code,
}


@dataclass(frozen=True)
class Miss:
    """A reference that found nothing, at `path` (where the caller says it was given)."""

    kind: str
    by: str
    value: Any
    path: str

    @property
    def message(self) -> str:
        return NOT_FOUND[(self.kind, self.by)].format(value=self.value)

    @property
    def code(self) -> str:
        return CODES[self.kind]

    def row_message(self, row: int, column: str) -> str:
        return f"row {row}: {column} '{self.value}' {ROW_NOT_FOUND[self.kind]}"


class References:
    """Collect with `want_*`, `load()` once (one query per kind asked for), then read with
    `item`, `unit`, `workcenter`, `bom`: each gives the instance or None, and records a `Miss`
    when given a `path` (`misses`, in the order read; `raise_misses` is the API's refusal)."""

    def __init__(self):
        self._item_ids: set = set()
        self._item_numbers: set[str] = set()
        self._units: set[str] = set()
        self._wc_ids: set = set()
        self._wc_names: set[str] = set()
        self._bom_numbers: set[str] = set()
        self.misses: list[Miss] = []

    # --- collecting --------------------------------------------------------------------------

    def want_item(self, *, id=None, number: str | None = None) -> None:
        if id:
            self._item_ids.add(id)
        elif number:
            self._item_numbers.add(number)

    def want_unit(self, symbol: str | None) -> None:
        if symbol:
            self._units.add(symbol)

    def want_workcenter(self, *, id=None, name: str | None = None) -> None:
        if id:
            self._wc_ids.add(id)
        elif name:
            self._wc_names.add(name)

    def want_bom(self, number: str | None) -> None:
        if number:
            self._bom_numbers.add(number)

    def load(self) -> "References":
        items = Item.objects.select_related("uom")
        self._items_by_id = {}
        if self._item_ids:
            self._items_by_id = {i.pk: i for i in items.filter(pk__in=self._item_ids)}
        self._items_by_number = {}
        if self._item_numbers:
            found = items.filter(number__in=self._item_numbers)
            self._items_by_number = {i.number: i for i in found}
        self._units_by_symbol = {}
        if self._units:
            found = UnitOfMeasure.objects.filter(symbol__in=self._units)
            self._units_by_symbol = {u.symbol: u for u in found}
        self._wc_by_id, self._wc_by_name, self._wc_by_code = {}, {}, {}
        if self._wc_ids or self._wc_names:
            found = (
                Workcenter.objects.filter(pk__in=self._wc_ids)
                | Workcenter.objects.filter(name__in=self._wc_names)
                | Workcenter.objects.filter(code__in=self._wc_names)
            )
            for wc in found:
                self._wc_by_id[wc.pk] = wc
                self._wc_by_name[wc.name] = wc
                self._wc_by_code[wc.code] = wc
        self._boms_by_number = {}
        if self._bom_numbers:
            found = BOM.objects.select_related("product", "uom").filter(
                number__in=self._bom_numbers
            )
            self._boms_by_number = {b.number: b for b in found}
        return self

    # --- reading -----------------------------------------------------------------------------

    def _found(self, instance, kind: str, by: str, value, path: str | None):
        if instance is None and path is not None:
            self.misses.append(Miss(kind, by, value, path))
        return instance

    def item(self, *, id=None, number: str | None = None, path: str | None = None):
        if id:
            return self._found(self._items_by_id.get(id), "item", "id", id, path)
        return self._found(self._items_by_number.get(number), "item", "number", number, path)

    def unit(self, symbol: str | None, *, path: str | None = None) -> UnitOfMeasure | None:
        if not symbol:
            return None
        return self._found(self._units_by_symbol.get(symbol), "unit", "symbol", symbol, path)

    def workcenter(self, *, id=None, name: str | None = None, path: str | None = None):
        if id:
            return self._found(self._wc_by_id.get(id), "workcenter", "id", id, path)
        found = self._wc_by_name.get(name) or self._wc_by_code.get(name)
        return self._found(found, "workcenter", "name", name, path)

    def bom(self, number: str, *, path: str | None = None) -> BOM | None:
        return self._found(self._boms_by_number.get(number), "bom", "number", number, path)

    def raise_misses(self) -> None:
        """Unknown units first (`validation_error`), else every unknown item or workcenter
        (`item_not_found`), each keyed by its path."""
        for error in (ValidationFailed, ItemNotFound):
            errors = {m.path: [m.message] for m in self.misses if m.code == error.code}
            if errors:
                path, messages = next(iter(errors.items()))
                raise error(f"{path}: {messages[0]}", errors=errors)


def bom_by_number(number: str) -> BOM | None:
    """The live BOM numbered `number` (product and unit loaded), or None."""
    refs = References()
    refs.want_bom(number)
    return refs.load().bom(number)


# --- the API's input ------------------------------------------------------------------------


# The header fields the API gives as they are (no reference to resolve).
PLAIN_FIELDS = ("number", "name", "description", "quantity", "type", "is_default")


def _item_path(ref: dict, prefix: str) -> str:
    return prefix + ("product_id" if ref.get("product_id") else "product_number")


def _workcenter_path(ref: dict, prefix: str) -> str:
    return prefix + ("workcenter_id" if ref.get("workcenter_id") else "workcenter")


def bom_input_resolve(data: dict[str, Any], *, put: bool = False) -> BOMSpec:
    """Validated input (snake_case keys, as the serializers give it) → the BOMSpec of what was
    given (`put=True`, a full replace: BOMSpec's PUT defaults for what was not). Unknown items
    or workcenters: `item_not_found` with every missing reference keyed like
    `components[1].productId`; unknown unit symbols: `validation_error`."""
    components, operations = data.get("components"), data.get("operations")
    refs = References()
    refs.want_item(id=data.get("product_id"), number=data.get("product_number"))
    refs.want_unit(data.get("uom"))
    for c in components or ():
        refs.want_item(id=c.get("product_id"), number=c.get("product_number"))
        refs.want_unit(c.get("uom"))
    for o in operations or ():
        refs.want_workcenter(id=o.get("workcenter_id"), name=o.get("workcenter"))
    refs.load()

    given: dict[str, Any] = {}
    if data.get("product_id") or data.get("product_number"):
        given["product"] = refs.item(
            id=data.get("product_id"),
            number=data.get("product_number"),
            path=_item_path(data, ""),
        )
    if "uom" in data:
        given["uom"] = refs.unit(data["uom"], path="uom")
    if components is not None:
        given["components"] = [
            ComponentSpec(
                item=refs.item(
                    id=c.get("product_id"),
                    number=c.get("product_number"),
                    path=_item_path(c, f"components[{i}]."),
                ),
                quantity=c["quantity"],
                uom=refs.unit(c.get("uom"), path=f"components[{i}].uom"),
                scrap_percent=c.get("scrap_percent", 0),
            )
            for i, c in enumerate(components)
        ]
    if operations is not None:
        given["operations"] = [
            OperationSpec(
                name=o["name"],
                workcenter=refs.workcenter(
                    id=o.get("workcenter_id"),
                    name=o.get("workcenter"),
                    path=_workcenter_path(o, f"operations[{i}]."),
                ),
                duration_minutes=o["duration_minutes"],
                sequence=o.get("sequence"),
            )
            for i, o in enumerate(operations)
        ]
    refs.raise_misses()
    given |= {k: data[k] for k in PLAIN_FIELDS if k in data}
    return BOMSpec.for_put(**given) if put else BOMSpec.partial(**given)
