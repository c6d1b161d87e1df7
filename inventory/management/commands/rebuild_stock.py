from django.core.management.base import BaseCommand, CommandError

from config.exceptions import DomainError
from inventory.management.commands._report import write_drift
from inventory.services.rebuild import stock_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite stock levels (on hand, reserved) and lot balances from the ledger and the open "
        "reservations, in one transaction that holds stock writers back. With --dry-run, only "
        "show what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="show the changes without writing them"
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="print at most this many differences"
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        self.stdout.write("Recomputing the projections from the ledger…")
        try:
            drift = stock_rebuild(dry_run=dry_run, actor=None)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if not drift:
            self.stdout.write(self.style.SUCCESS("Nothing to rebuild: no drift."))
            return
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(f"{verb} {len(drift)} value(s):")
        write_drift(self, drift, limit=options["limit"])
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS("Stock levels and lot balances rebuilt."))
