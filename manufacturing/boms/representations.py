"""The representations of BOMs and explosions (`config.api.representations`): the one definition
of each body, built straight from the selectors' results. Every path answers with them: list,
retrieve, archived, every write response and the `explode_bom` command; the serializers in
`manufacturing.boms.serializers` stay the OpenAPI schema and delegate here
(`tests/perf/test_fast_paths.py` checks the keys and bytes against DRF's own fields). Keys are
camelCase already, so the renderer skips its camelCase walk (`config.api.renderers.Camelized`).
Decimals become their `json_number` here, as the renderer would make them anyway: the float of
the same value where there is one, else the Decimal itself, written exactly.
"""

from config.api.renderers import Camelized, JSONNumbers, json_number
from config.api.representations import datetime_text
from manufacturing.boms.explosion import Explosion
from manufacturing.boms.models import BOM
from manufacturing.boms.selectors import bom_line_rows


def bom_bodies(boms) -> list[dict]:
    """The bodies of BOMs of `selectors.bom_headers()` (product and unit joined); their lines
    are read here as rows of values (two queries)."""
    boms = list(boms)
    components, operations = bom_line_rows([bom.pk for bom in boms])
    return [bom_body(bom, components[bom.pk], operations[bom.pk]) for bom in boms]


def bom_body(bom: BOM, component_rows, operation_rows) -> dict:
    """A BOM's body from the BOM (product and unit joined) and the rows of
    `selectors.bom_line_rows`. Adding a field: a key here (and a column in the selector's
    `*_ROW_FIELDS` for a line's), and the schema field on `BOMSerializer` (the drift test asks)."""
    components = [
        {
            "id": str(pk),
            "productId": str(item_id),
            "number": number,
            "name": name,
            "quantity": json_number(quantity),
            "uom": uom,
            "scrapPercent": json_number(scrap),
        }
        for _, pk, item_id, number, name, quantity, uom, scrap in component_rows
    ]
    operations = [
        {
            "id": str(pk),
            "sequence": sequence,
            "name": name,
            "workcenter": workcenter,
            "workcenterId": str(workcenter_id),
            "durationMinutes": json_number(minutes),
        }
        for _, pk, sequence, name, workcenter, workcenter_id, minutes in operation_rows
    ]
    product = bom.product
    return {
        "id": str(bom.pk),
        "number": bom.number,
        "name": bom.name,
        "description": bom.description,
        "product": {"id": str(product.pk), "number": product.number, "name": product.name},
        "quantity": json_number(bom.quantity),
        "uom": bom.uom.symbol,
        "type": bom.type,
        "status": bom.status,
        "isActive": bom.deleted_at is None,
        "isDefault": bom.is_default,
        "version": bom.version,
        "componentCount": len(components),
        "contentHash": bom.content_hash,
        "components": components,
        "operations": operations,
        "createdAt": datetime_text(bom.created_at),
        "updatedAt": datetime_text(bom.updated_at),
    }


def explosion_body(explosion: Explosion) -> Camelized:
    """An explosion's body, ten times faster than DRF's fields on a tree of 10,000 nodes, from
    the rows' `ItemRef`s (no item instance is made). The id stays a UUID: both encoders write it
    as its text (orjson in C, where `str` was a tenth of the body's time)."""
    number_of = JSONNumbers().__getitem__  # every quantity at six places (quantize_qty)

    requirements = []
    for part, quantity, level, path, is_leaf, _cost, _line, _bom in explosion.requirements:
        requirements.append(
            {
                "productId": part.id,
                "number": part.number,
                "name": part.name,
                "quantity": number_of(quantity),
                "uom": part.uom.symbol,
                "level": level,
                "path": path,  # a tuple: both encoders write it as the array
                "isLeaf": is_leaf,
            }
        )
    totals = []
    for part, quantity in explosion.totals:
        totals.append(
            {
                "productId": part.id,
                "number": part.number,
                "name": part.name,
                "quantity": number_of(quantity),
                "uom": part.uom.symbol,
            }
        )
    cost = explosion.cost
    return Camelized(
        bomId=str(explosion.bom.pk),
        quantity=json_number(explosion.quantity),
        requirements=requirements,
        totals=totals,
        cost={
            "materials": json_number(cost.materials),
            "operations": json_number(cost.operations),
            "total": json_number(cost.total),
            "perUnit": json_number(cost.per_unit),
        },
    )
