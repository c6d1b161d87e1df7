from django.core.management.base import BaseCommand, CommandError

from config import csv
from config.api.renderers import JSONRenderer
from inventory.genealogy import (
    BACK,
    DIRECTIONS,
    RECALL_COLUMNS,
    lot_trace,
    trace_recall_rows,
    trace_tree,
)
from inventory.models import Lot
from inventory.representations import trace_body

TABLE_LIMIT = 5000


class Command(BaseCommand):
    help = (
        "Trace a lot: back to the component lots it was made of, or forward to every lot it "
        "went into and where those are now (a recall list with --format csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("item", help="item number")
        parser.add_argument("lot", help="lot number")
        parser.add_argument("--direction", choices=DIRECTIONS, default=BACK)
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        lot = self._lot(options["item"], options["lot"])
        trace = lot_trace(lot=lot, direction=options["direction"])
        getattr(self, f"_{options['format']}")(trace)

    def _lot(self, item_number: str, lot_number: str) -> Lot:
        """By item number and lot number; an archived item's lots too (a recall outlives the
        item), unless its number is ambiguous."""
        lots = list(
            Lot.objects.filter(item__number=item_number.strip(), number=lot_number.strip())
            .select_related("item")
            .order_by("item__deleted_at")[:2]
        )
        if not lots:
            if not Lot.objects.filter(item__number=item_number.strip()).exists():
                raise CommandError(f"No item {item_number!r} has lots.")
            raise CommandError(f"Item {item_number!r} has no lot {lot_number!r}.")
        if len(lots) > 1 and lots[1].item.deleted_at is None:
            raise CommandError(f"Several items are numbered {item_number!r}.")
        return lots[0]

    def _table(self, trace):
        rows, truncated = trace_tree(trace, limit=TABLE_LIMIT)
        arrow = "made of" if trace.direction == BACK else "went into"
        root = trace.lot
        self.stdout.write(
            f"{root.item.number} lot {root.number} — {arrow} {len(trace.lots)} lots "
            f"over {trace.depth} levels"
        )
        for row in rows:
            lot, link = row.lot, row.link
            text = f"{'  ' * row.depth}{lot.item.number} {lot.number}"
            if link is not None:
                quantity = (
                    link.consumed_quantity if trace.direction == BACK else (link.produced_quantity)
                )
                text += f"  {quantity.normalize():f} {lot.uom}  via {link.order_reference}"
            if row.repeated:
                text += "  (shown above)"
            else:
                places = [f"{s.warehouse.code} {s.quantity.normalize():f}" for s in lot.on_hand]
                places += [
                    f"issued {i.reference or '-'} {i.quantity.normalize():f}" for i in lot.issued
                ]
                if places:
                    text += "  [" + ", ".join(places) + "]"
            self.stdout.write(text)
        if truncated:
            self.stdout.write(f"… first {TABLE_LIMIT} rows; --format csv lists every lot.")

    def _csv(self, trace):
        writer = csv.DictWriter(self.stdout, RECALL_COLUMNS)
        writer.writeheader()
        for row in trace_recall_rows(trace):
            if row["quantity"] != "":
                row["quantity"] = row["quantity"].normalize()
            writer.writerow(row)

    def _json(self, trace):
        body = JSONRenderer().render(trace_body(trace), renderer_context={"indent": 2})
        self.stdout.write(body.decode())
