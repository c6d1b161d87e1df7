from contextlib import ExitStack

from django.core.management.base import BaseCommand
from tqdm import tqdm

from manufacturing.boms.exports import bom_export_csv


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
            progress = None
            if path and options["verbosity"] >= 1:
                bars = []

                def progress(done: int, total: int | None = None) -> None:
                    if not bars:  # the first call brings the total
                        bars.append(
                            stack.enter_context(tqdm(total=total, unit="BOM", file=self.stderr))
                        )
                    bars[0].update(done - bars[0].n)

            result = bom_export_csv(out=out, progress=progress)
        if path:
            self.stdout.write(self.style.SUCCESS(f"Exported {result.boms} BOM(s) to {path}."))
