"""Recompute every stored BOM content hash: it now covers what the units of the header and the
lines mean (category and factor), not only which units they reference (issue 10).

The canonical form is copied here, frozen, rather than imported from the services: a later
change to the services must not change what this migration did. The test
`tests/manufacturing/test_content_hash.py` checks that this copy and the services agree.
Set-based: a few queries per batch of BOMs, one bulk update per batch.
"""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

BATCH_SIZE = 500
QTY_STEP = Decimal("0.000001")
PERCENT_STEP = Decimal("0.0001")
MINUTES_STEP = Decimal("0.01")
FACTOR_STEP = Decimal("0.000000000001")


def _text(value, step) -> str:
    return format(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP), "f")


def canonical_hash(header, lines, operations, units, *, with_units: bool) -> str:
    """`header` (product_id, quantity, uom_id, type); `lines` [(item_id, quantity, uom_id,
    scrap)]; `operations` [(sequence, name, workcenter_id, minutes)]; `units` {id: (category,
    factor)}. `with_units=False` is the previous form (ids only), for the reverse migration."""

    def unit(unit_id) -> list[str]:
        if not with_units:
            return [str(unit_id)]
        category, factor = units[unit_id]
        return [str(unit_id), category, _text(factor, FACTOR_STEP)]

    product_id, quantity, uom_id, type_ = header
    header_unit = unit(uom_id)
    canonical = {
        "product": str(product_id),
        "quantity": _text(quantity, QTY_STEP),
        "uom": header_unit if with_units else header_unit[0],
        "type": type_,
        "components": sorted(
            [str(item_id), _text(qty, QTY_STEP), *unit(unit_id), _text(scrap, PERCENT_STEP)]
            for item_id, qty, unit_id, scrap in lines
        ),
        "operations": sorted(
            (
                [int(seq), name, str(wc_id), _text(minutes, MINUTES_STEP)]
                for seq, name, wc_id, minutes in operations
            ),
            key=lambda op: op[0],
        ),
    }
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def rehash(apps, *, with_units: bool, batch_size: int = BATCH_SIZE) -> int:
    """Recompute and store the hash of every BOM, archived ones included. Returns the count."""
    BOM = apps.get_model("manufacturing", "BOM")
    BOMComponent = apps.get_model("manufacturing", "BOMComponent")
    BOMOperation = apps.get_model("manufacturing", "BOMOperation")
    UnitOfMeasure = apps.get_model("items", "UnitOfMeasure")
    units = {
        pk: (category, factor)
        for pk, category, factor in UnitOfMeasure._base_manager.values_list(
            "pk", "category", "factor"
        )
    }
    ids = list(BOM._base_manager.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        lines: dict = {pk: [] for pk in batch}
        for bom_id, *line in BOMComponent._base_manager.filter(bom_id__in=batch).values_list(
            "bom_id", "item_id", "quantity", "uom_id", "scrap_percent"
        ):
            lines[bom_id].append(line)
        operations: dict = {pk: [] for pk in batch}
        for bom_id, *operation in BOMOperation._base_manager.filter(bom_id__in=batch).values_list(
            "bom_id", "sequence", "name", "workcenter_id", "duration_minutes"
        ):
            operations[bom_id].append(operation)
        boms = list(
            BOM._base_manager.filter(pk__in=batch).only(
                "product", "quantity", "uom", "type", "content_hash"
            )
        )
        for bom in boms:
            bom.content_hash = canonical_hash(
                (bom.product_id, bom.quantity, bom.uom_id, bom.type),
                lines[bom.pk],
                operations[bom.pk],
                units,
                with_units=with_units,
            )
        BOM._base_manager.bulk_update(boms, ["content_hash"])
        done += len(boms)
    return done


def forwards(apps, schema_editor):
    rehash(apps, with_units=True)


def backwards(apps, schema_editor):
    rehash(apps, with_units=False)


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0003_item_history"),
        ("manufacturing", "0003_archive_restore_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
