from contextlib import ExitStack

from django.core.management.base import BaseCommand

from manufacturing.planning.exports import plan_export_csv


class Command(BaseCommand):
    help = "Write the current MRP plan as CSV (one row per planned order), for purchasing."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="CSV file to write (default: standard output)")
        parser.add_argument("--kind", choices=["make", "buy"], help="Only make or buy orders.")

    def handle(self, *args, **options):
        path = options.get("output")
        with ExitStack() as stack:
            out = (
                stack.enter_context(open(path, "w", newline="", encoding="utf-8"))
                if path
                else self.stdout
            )
            count = plan_export_csv(out=out, kind=options.get("kind"))
        if path:
            self.stdout.write(self.style.SUCCESS(f"Exported {count} planned order(s) to {path}."))
