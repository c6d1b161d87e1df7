"""BOM CSV export: one selector for `manage.py export_boms` and the background export job.

The layout is manufacturing/management/csv_layout.py's (what `import_boms` reads back): one row
per component or operation line of every active BOM, in BOM number order, through config.csv's
formula-safe writer.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from config import csv
from manufacturing.boms.imports import ProgressCallback
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation
from manufacturing.management.csv_layout import COLUMNS

CHUNK_BOMS = 500  # BOMs (with their lines) read per round of queries


@dataclass(frozen=True)
class ExportResult:
    boms: int  # BOMs written
    rows: int  # data rows written (the header not counted)


def _number(value):
    """A decimal without its trailing zeros (the CSV writer prints it in fixed notation)."""
    return value.normalize() if value is not None else None


def bom_export_queryset() -> QuerySet[BOM]:
    """The active BOMs with everything a row needs, in file order."""
    return (
        BOM.objects.select_related("product", "uom")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=BOMComponent.objects.select_related("item", "uom").order_by("position"),
            ),
            Prefetch(
                "operations",
                queryset=BOMOperation.objects.select_related("workcenter").order_by("sequence"),
            ),
        )
        .order_by("number")
    )


def bom_export_csv(*, out, progress: ProgressCallback | None = None) -> ExportResult:
    """Write the active BOMs as CSV to `out` (a text stream opened with newline=""), header
    first. `progress(done, total)` is called with the number of BOMs first, then after each BOM
    (the caller decides how often to show it)."""
    boms = bom_export_queryset()
    if progress is not None:
        progress(0, boms.count())
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = rows = 0
    for bom in boms.iterator(chunk_size=CHUNK_BOMS):
        header = {
            "bom_number": bom.number,
            "bom_name": bom.name,
            "product_number": bom.product.number,
            "bom_quantity": _number(bom.quantity),
            "bom_uom": bom.uom.symbol,
            "bom_type": bom.type,
            "bom_status": bom.status,
            "is_default": "true" if bom.is_default else "false",
            "version": bom.version,
            "description": bom.description,
        }
        for line in bom.components.all():
            writer.writerow(
                {
                    **header,
                    "component_number": line.item.number,
                    "quantity": _number(line.quantity),
                    "unit": line.uom.symbol,
                    "scrap_percent": _number(line.scrap_percent),
                }
            )
            rows += 1
        for operation in bom.operations.all():
            writer.writerow(
                {
                    **header,
                    "operation_sequence": operation.sequence,
                    "operation_name": operation.name,
                    "workcenter": operation.workcenter.code,
                    "duration_minutes": _number(operation.duration_minutes),
                }
            )
            rows += 1
        count += 1
        if progress is not None:
            progress(count)
    return ExportResult(boms=count, rows=rows)
