from contextlib import ExitStack

from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from tqdm import tqdm

from config import csv
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation
from manufacturing.management.csv_layout import COLUMNS


def _number(value):
    """A decimal without its trailing zeros (the CSV writer prints it in fixed notation)."""
    return value.normalize() if value is not None else None


class Command(BaseCommand):
    help = (
        "Write the active BOMs as CSV, one row per component or operation line (the layout "
        "import_boms reads; see manufacturing/management/csv_layout.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="CSV file to write (default: standard output)")

    def handle(self, *args, **options):
        path = options.get("output")
        with ExitStack() as stack:
            out = (
                stack.enter_context(open(path, "w", newline="", encoding="utf-8"))
                if path
                else self.stdout
            )
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            boms = (
                BOM.objects.select_related("product", "uom")
                .prefetch_related(
                    Prefetch(
                        "components",
                        queryset=BOMComponent.objects.select_related("item", "uom").order_by(
                            "position"
                        ),
                    ),
                    Prefetch(
                        "operations",
                        queryset=BOMOperation.objects.select_related("workcenter").order_by(
                            "sequence"
                        ),
                    ),
                )
                .order_by("number")
            )
            count = 0
            progress = tqdm(
                boms.iterator(chunk_size=500),
                total=boms.count(),
                unit="BOM",
                file=self.stderr,
                disable=options["verbosity"] < 1 or not path,
            )
            for bom in progress:
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
                count += 1
        if path:
            self.stdout.write(self.style.SUCCESS(f"Exported {count} BOM(s) to {path}."))
