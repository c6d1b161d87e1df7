"""Turning what API clients send (ids, item numbers, unit symbols, workcenter names) into the
instances the services take, with a handful of queries for a whole BOM, whatever its size."""

from typing import Any

from config.exceptions import ValidationFailed
from items.exceptions import ItemNotFound
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import Workcenter
from manufacturing.boms.specs import ComponentSpec, OperationSpec


class _Lookup:
    def __init__(self, *, items: list[dict], units: set[str], workcenters: list[dict]):
        ids = {ref["product_id"] for ref in items if ref.get("product_id")}
        numbers = {
            ref["product_number"]
            for ref in items
            if ref.get("product_number") and not ref.get("product_id")
        }
        query = Item.objects.select_related("uom")
        self.items_by_id = {i.pk: i for i in query.filter(pk__in=ids)} if ids else {}
        self.items_by_number = (
            {i.number: i for i in query.filter(number__in=numbers)} if numbers else {}
        )
        self.units = (
            {u.symbol: u for u in UnitOfMeasure.objects.filter(symbol__in=units)} if units else {}
        )
        wc_ids = {ref["workcenter_id"] for ref in workcenters if ref.get("workcenter_id")}
        wc_names = {
            ref["workcenter"]
            for ref in workcenters
            if ref.get("workcenter") and not ref.get("workcenter_id")
        }
        self.workcenters_by_id, self.workcenters_by_name, self.workcenters_by_code = {}, {}, {}
        if wc_ids or wc_names:
            found = (
                Workcenter.objects.filter(pk__in=wc_ids)
                | Workcenter.objects.filter(name__in=wc_names)
                | Workcenter.objects.filter(code__in=wc_names)
            )
            for wc in found:
                self.workcenters_by_id[wc.pk] = wc
                self.workcenters_by_name[wc.name] = wc
                self.workcenters_by_code[wc.code] = wc
        self.missing: dict[str, list[str]] = {}
        self.bad_units: dict[str, list[str]] = {}

    def item(self, ref: dict, path: str) -> Item | None:
        if ref.get("product_id"):
            item = self.items_by_id.get(ref["product_id"])
            if item is None:
                self.missing[f"{path}productId"] = [f"No active item with id {ref['product_id']}."]
            return item
        item = self.items_by_number.get(ref["product_number"])
        if item is None:
            self.missing[f"{path}productNumber"] = [
                f"No active item with number '{ref['product_number']}'."
            ]
        return item

    def unit(self, symbol: str | None, path: str) -> UnitOfMeasure | None:
        if not symbol:
            return None
        unit = self.units.get(symbol)
        if unit is None:
            self.bad_units[path] = [f"Unknown unit '{symbol}'."]
        return unit

    def workcenter(self, ref: dict, path: str) -> Workcenter | None:
        if ref.get("workcenter_id"):
            wc = self.workcenters_by_id.get(ref["workcenter_id"])
            if wc is None:
                self.missing[f"{path}workcenterId"] = [
                    f"No active workcenter with id {ref['workcenter_id']}."
                ]
            return wc
        name = ref["workcenter"]
        wc = self.workcenters_by_name.get(name) or self.workcenters_by_code.get(name)
        if wc is None:
            self.missing[f"{path}workcenter"] = [f"No active workcenter named '{name}'."]
        return wc

    def raise_errors(self) -> None:
        if self.bad_units:
            first = next(iter(self.bad_units.items()))
            raise ValidationFailed(f"{first[0]}: {first[1][0]}", errors=self.bad_units)
        if self.missing:
            first = next(iter(self.missing.items()))
            raise ItemNotFound(f"{first[0]}: {first[1][0]}", errors=self.missing)


def bom_input_resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Validated input (snake_case keys, as the serializers give it) → service keyword
    arguments: `product`, `uom`, `components` (ComponentSpec) and `operations` (OperationSpec)
    where present; every other key is passed through. Unknown items or workcenters:
    `item_not_found` with every missing reference keyed like `components[1].productId`;
    unknown unit symbols: `validation_error`."""
    data = dict(data)
    has_product = bool(data.get("product_id") or data.get("product_number"))
    product_ref = {
        "product_id": data.pop("product_id", None),
        "product_number": data.pop("product_number", None),
    }
    components = data.pop("components", None)
    operations = data.pop("operations", None)
    units = {data["uom"]} if data.get("uom") else set()
    units |= {c["uom"] for c in components or () if c.get("uom")}
    lookup = _Lookup(
        items=[product_ref] * has_product + list(components or ()),
        units=units,
        workcenters=list(operations or ()),
    )
    result: dict[str, Any] = {}
    if has_product:
        result["product"] = lookup.item(product_ref, "")
    if "uom" in data:
        result["uom"] = lookup.unit(data.pop("uom"), "uom")
    if components is not None:
        result["components"] = [
            ComponentSpec(
                item=lookup.item(c, f"components[{i}]."),
                quantity=c["quantity"],
                uom=lookup.unit(c.get("uom"), f"components[{i}].uom"),
                scrap_percent=c.get("scrap_percent", 0),
            )
            for i, c in enumerate(components)
        ]
    if operations is not None:
        result["operations"] = [
            OperationSpec(
                name=o["name"],
                workcenter=lookup.workcenter(o, f"operations[{i}]."),
                duration_minutes=o["duration_minutes"],
                sequence=o.get("sequence"),
            )
            for i, o in enumerate(operations)
        ]
    lookup.raise_errors()
    result.update(data)
    return result
