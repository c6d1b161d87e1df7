from django.core.management.base import BaseCommand, CommandError

from config import csv
from config.api.renderers import JSONRenderer
from config.exceptions import DomainError
from config.levels import LEVELS
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.references import NOT_FOUND, bom_by_number
from manufacturing.boms.serializers import ExplosionSerializer


class Command(BaseCommand):
    help = (
        "Explode a BOM: the requirements to build a quantity, level by level, with totals and "
        "the cost roll-up (the API's explosion, for a shell)."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="BOM number (an active BOM)")
        parser.add_argument("--quantity", help="quantity to build (default: the BOM's)")
        parser.add_argument("--levels", choices=LEVELS, default="all")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        bom = bom_by_number(options["number"])
        if bom is None:
            raise CommandError(NOT_FOUND["bom", "number"].format(value=options["number"]))
        try:  # --quantity goes to the service as typed: the one number policy parses it
            explosion = bom_explode(bom=bom, quantity=options["quantity"], levels=options["levels"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        getattr(self, f"_{options['format']}")(explosion)

    def _table(self, explosion):
        bom = explosion.bom
        self.stdout.write(
            f"{bom.number} · {bom.product.number} {bom.product.name} — "
            f"{explosion.quantity.normalize():f} {bom.uom.symbol}, levels={explosion.levels}"
        )
        width = max([len(r.number) + 2 * r.level for r in explosion.requirements] + [10])
        self.stdout.write(f"{'component':<{width}}  {'quantity':>14} {'unit':<6} {'cost':>14}")
        for row in explosion.requirements:
            name = "  " * (row.level - 1) + ("" if row.is_leaf else "+ ") + row.number
            self.stdout.write(
                f"{name:<{width}}  {row.quantity.normalize():>14f} {row.uom:<6} {row.cost:>14}"
            )
        cost = explosion.cost
        self.stdout.write(
            f"materials {cost.materials}  operations {cost.operations}  total {cost.total}  "
            f"per unit {cost.per_unit}"
        )

    def _csv(self, explosion):
        writer = csv.writer(self.stdout)
        writer.writerow(["level", "path", "number", "name", "quantity", "uom", "is_leaf", "cost"])
        for row in explosion.requirements:
            writer.writerow(
                [
                    row.level,
                    "/".join(row.path),
                    row.number,
                    row.name,
                    row.quantity.normalize(),
                    row.uom,
                    "true" if row.is_leaf else "false",
                    row.cost,
                ]
            )

    def _json(self, explosion):
        # The API's own rendering: camelCase keys, decimals as JSON numbers.
        body = JSONRenderer().render(
            ExplosionSerializer(explosion).data, renderer_context={"indent": 2}
        )
        self.stdout.write(body.decode())
