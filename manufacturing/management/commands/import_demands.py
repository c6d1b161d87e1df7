from django.core.management.base import BaseCommand, CommandError

from config.exceptions import DomainError
from manufacturing.planning.imports import DEMAND_COLUMNS, demands_import_csv


class Command(BaseCommand):
    help = (
        f"Import demands from a CSV file (columns: {', '.join(DEMAND_COLUMNS)}; the first three "
        "required). All or nothing; --dry-run checks every row and saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            with open(options["file"], newline="", encoding="utf-8-sig") as handle:
                count = demands_import_csv(file=handle, dry_run=options["dry_run"])
        except DomainError as exc:
            for line in getattr(exc, "row_errors", []):
                self.stderr.write(line)
            raise CommandError(exc.detail) from exc
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} demand(s)."))
