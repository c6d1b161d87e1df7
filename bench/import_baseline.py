"""The floor of `import_boms`: the rows an import of FILE writes (BOMs, their lines and operations
and the history row of each), loaded with `bulk_create` / `bulk_create_with_history` straight
into the final tables, in one transaction that is rolled back. No rule is checked, references
are resolved from dicts loaded once, the content hash is a placeholder: this is what loading the
same rows costs at least, which the import is held to (at most twice as long,
`import_boms.<lines>.ratio_to_bulk`).

Run in a subprocess like the command (`python -m bench.import_baseline FILE`) so both pay the
same interpreter and Django start-up; it prints the number of rows it loaded.
"""

import sys
from decimal import Decimal
from pathlib import Path

from config import csv

BATCH = 2000


def load(path: Path) -> int:
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from items.models import Item, UnitOfMeasure
    from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, Workcenter

    items = {
        number: (pk, uom) for pk, number, uom in Item.objects.values_list("pk", "number", "uom_id")
    }
    units = dict(UnitOfMeasure.objects.values_list("symbol", "pk"))
    workcenters = dict(Workcenter.objects.values_list("code", "pk"))
    workcenters |= dict(Workcenter.objects.values_list("name", "pk"))
    boms: list = []
    components: list = []
    operations: list = []
    bom = None
    with path.open(newline="", encoding="utf-8-sig") as handle, transaction.atomic():
        for row in csv.DictReader(handle, strip=True):
            if bom is None or row["bom_number"] != bom.number:
                product, product_unit = items[row["product_number"]]
                bom = BOM(
                    number=row["bom_number"],
                    name=row["bom_name"],
                    description=row["description"],
                    product_id=product,
                    quantity=Decimal(row["bom_quantity"] or 1),
                    uom_id=units.get(row["bom_uom"], product_unit),
                    type=row["bom_type"] or "manufacture",
                    status=row["bom_status"] or "draft",
                    is_default=False,
                    version=int(row["version"] or 1),
                    content_hash="0" * 64,
                )
                boms.append(bom)
                position = 0
            if row["component_number"]:
                item, item_unit = items[row["component_number"]]
                components.append(
                    BOMComponent(
                        bom=bom,
                        item_id=item,
                        quantity=Decimal(row["quantity"]),
                        uom_id=units.get(row["unit"], item_unit),
                        scrap_percent=Decimal(row["scrap_percent"] or 0),
                        position=position,
                    )
                )
                position += 1
            else:
                operations.append(
                    BOMOperation(
                        bom=bom,
                        sequence=int(row["operation_sequence"]),
                        name=row["operation_name"],
                        workcenter_id=workcenters[row["workcenter"]],
                        duration_minutes=Decimal(row["duration_minutes"] or 0),
                    )
                )
        for model, objs in ((BOM, boms), (BOMComponent, components), (BOMOperation, operations)):
            bulk_create_with_history(objs, model, batch_size=BATCH)
        transaction.set_rollback(True)
    return len(boms) + len(components) + len(operations)


def main(argv: list[str]) -> int:
    import django

    django.setup()
    print(load(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
