from django.core.management.base import BaseCommand, CommandError

from inventory.management.commands._report import progress_for, write_drift
from inventory.selectors import stock_drift, stock_expected, stock_snapshot


class Command(BaseCommand):
    help = (
        "Recompute stock levels (on hand, reserved) and lot balances from the ledger and the open "
        "reservations, print every difference, and fail (exit 1) on any drift. Read-only; "
        "`rebuild_stock` repairs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=None, help="print at most this many differences"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        with stock_snapshot():
            self.stdout.write("Summing the ledger and the reservations…")
            expected = stock_expected()
            self.stdout.write(
                f"{expected.moves} move(s): {len(expected.levels)} item x warehouse level(s), "
                f"{len(expected.lots)} lot balance(s) expected. Comparing…"
            )
            drift = stock_drift(expected, progress=progress_for(self, verbosity))
            if drift:
                write_drift(self, drift, limit=options["limit"])
        if drift:
            raise CommandError(
                f"Stock drift: {len(drift)} difference(s) between the ledger and the stock levels "
                "(run rebuild_stock --dry-run to see the repair)."
            )
        self.stdout.write(self.style.SUCCESS("No drift: the ledger and the stock levels agree."))
