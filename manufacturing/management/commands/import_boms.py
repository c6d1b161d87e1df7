from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from manufacturing.boms.imports import BOMFileUnreadable, BOMImportFailed, bom_import_csv
from manufacturing.management.csv_layout import COLUMNS


class Command(BaseCommand):
    help = (
        "Import BOMs from a CSV file, one row per component or operation line (columns: "
        + ", ".join(COLUMNS)
        + "). Every BOM is validated by the same services as the API and the admin; errors "
        "are reported with their row numbers (the header is row 1) and nothing is imported "
        "unless every row is valid. --dry-run validates without saving."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row first)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate everything, save nothing"
        )
        parser.add_argument(
            "--user", help="username recorded as the author of the changes (history)"
        )

    def handle(self, *args, **options):
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user named '{options['user']}'.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        bar = tqdm(unit="row", file=self.stderr, disable=options["verbosity"] < 1)

        def progress(done: int, total: int | None = None) -> None:
            if total is not None:
                bar.total = total
            bar.update(done - bar.n)

        try:
            with path.open("rb") as handle:
                result = bom_import_csv(
                    file=handle, actor=actor, dry_run=options["dry_run"], progress=progress
                )
        except BOMFileUnreadable as exc:
            if exc.reason is not None:
                raise CommandError(f"{path} is not a UTF-8 CSV file: {exc.reason}") from exc
            raise CommandError(exc.detail) from exc
        except BOMImportFailed as exc:
            errors = exc.row_errors
            shown = errors[:200]
            more = f"\n… and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
            raise CommandError(
                f"{len(errors)} error(s), nothing imported:\n" + "\n".join(shown) + more
            ) from exc
        finally:
            bar.close()
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result.created} BOM(s) from {path}."))
