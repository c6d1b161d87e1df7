from django.core.management.base import BaseCommand, CommandError

from config.exceptions import DomainError
from manufacturing.planning.imports import PARAMETER_COLUMNS, parameters_import_csv


class Command(BaseCommand):
    help = (
        f"Set items' planning parameters from a CSV file (columns: {', '.join(PARAMETER_COLUMNS)};"
        " item_number and procurement required, the others default). All or nothing; --dry-run "
        "checks every row and saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            with open(options["file"], newline="", encoding="utf-8-sig") as handle:
                count = parameters_import_csv(file=handle, dry_run=options["dry_run"])
        except DomainError as exc:
            for line in getattr(exc, "row_errors", []):
                self.stderr.write(line)
            raise CommandError(exc.detail) from exc
        verb = "Would set" if options["dry_run"] else "Set"
        self.stdout.write(self.style.SUCCESS(f"{verb} the parameters of {count} item(s)."))
