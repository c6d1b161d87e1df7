from django.core.management.base import BaseCommand, CommandError

from config import csv
from config.api.renderers import JSONRenderer
from config.exceptions import DomainError
from config.levels import LEVELS
from manufacturing.boms.compare import bom_compare
from manufacturing.boms.references import NOT_FOUND, bom_by_number
from manufacturing.boms.serializers import BOMComparisonSerializer

COLUMNS = ["section", "change", "key", "name", "old", "new", "delta", "changed"]


def _number(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _line(values) -> str:
    if values is None:
        return ""
    return f"{_number(values.quantity)} {values.uom} +{_number(values.scrap_percent)}% scrap"


def _operation(values) -> str:
    if values is None:
        return ""
    return f"{values.name} @ {values.workcenter}, {_number(values.duration_minutes)} min"


def comparison_rows(comparison) -> list[list]:
    """Every row of the diff in one layout (COLUMNS), unchanged rows included."""
    rows = [
        ["header", "changed", change.field, "", change.old, change.new, "", change.field]
        for change in comparison.header
    ]
    for row in comparison.components:
        rows.append(
            [
                "component",
                row.change,
                row.number,
                row.name,
                _line(row.old),
                _line(row.new),
                "",
                " ".join(row.changed_fields),
            ]
        )
    for row in comparison.operations:
        rows.append(
            [
                "operation",
                row.change,
                row.sequence,
                (row.new or row.old).name,
                _operation(row.old),
                _operation(row.new),
                "",
                " ".join(row.changed_fields),
            ]
        )
    for row in comparison.requirements:
        rows.append(
            [
                "requirement",
                row.change,
                row.number,
                f"{row.name} ({row.uom})",
                _number(row.old),
                _number(row.new),
                _number(row.delta),
                "",
            ]
        )
    cost = comparison.cost
    for name in ("materials", "operations", "total", "per_unit"):
        old, new, delta = (getattr(c, name) for c in (cost.old, cost.new, cost.delta))
        change = "changed" if delta else "unchanged"
        rows.append(["cost", change, name, "", old, new, delta, ""])
    return rows


class Command(BaseCommand):
    help = (
        "Compare two BOMs (two versions of a product): header, component lines, operations, "
        "requirements per item and the cost delta (the API's compare, for a shell)."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="the base BOM's number (an active BOM)")
        parser.add_argument("other", help="the number of the BOM to compare it with")
        parser.add_argument("--levels", choices=LEVELS, default="1")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        boms = []
        for number in (options["number"], options["other"]):
            bom = bom_by_number(number)
            if bom is None:
                raise CommandError(NOT_FOUND["bom", "number"].format(value=number))
            boms.append(bom)
        try:
            comparison = bom_compare(base=boms[0], other=boms[1], levels=options["levels"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        getattr(self, f"_{options['format']}")(comparison)

    def _table(self, comparison):
        base, other = comparison.base, comparison.other
        self.stdout.write(
            f"{base.number} v{base.version} → {other.number} v{other.version} · "
            f"{base.product.number}, for {_number(comparison.quantity)} {base.uom.symbol}, "
            f"levels={comparison.levels}"
        )
        marks = {"added": "+", "removed": "-", "changed": "~", "unchanged": " "}
        titles = {
            "header": "header",
            "component": "component lines",
            "operation": "operations",
            "requirement": "requirements (stock units)",
            "cost": "cost (full roll-up)",
        }
        section = None
        for kind, change, key, name, old, new, delta, _changed in comparison_rows(comparison):
            if kind != section:
                section = kind
                self.stdout.write(f"\n{titles[kind]}")
            what = f"{key} {name}".strip()
            values = f"{old} → {new}" if change != "unchanged" else f"{old}"
            shown = f"  (Δ {delta})" if delta not in ("", None) and change != "unchanged" else ""
            self.stdout.write(f"{marks[change]} {what:<40} {values}{shown}")

    def _csv(self, comparison):
        writer = csv.writer(self.stdout)
        writer.writerow(COLUMNS)
        for row in comparison_rows(comparison):
            writer.writerow(row)

    def _json(self, comparison):
        body = JSONRenderer().render(
            BOMComparisonSerializer(comparison).data, renderer_context={"indent": 2}
        )
        self.stdout.write(body.decode())
