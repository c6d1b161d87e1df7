from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.exceptions import DomainError
from manufacturing.planning import services


class Command(BaseCommand):
    help = (
        "Run MRP now (the service the API and the admin run in the background): plan what to "
        "make and buy, replace the current plan, and print a summary. --dry-run computes the "
        "plan and saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compute, do not save.")
        parser.add_argument("--horizon", type=int, help="Days of demand to plan (default: 180).")
        parser.add_argument("--hours-per-day", help="Working hours a day (default: 8).")

    def handle(self, *args, **options):
        with ExitStack() as stack:
            bars = []

            def progress(done: int, total: int | None = None) -> None:
                if options["verbosity"] < 1:
                    return
                if not bars:
                    bars.append(
                        stack.enter_context(tqdm(total=total, unit="item", file=self.stderr))
                    )
                bars[0].update(done - bars[0].n)

            try:
                if options["dry_run"]:
                    parameters = services.run_parameters(
                        horizon_days=options["horizon"],
                        hours_per_day=options["hours_per_day"],
                        today=None,
                    )
                    counts = services.mrp_compute(parameters=parameters, progress=progress).counts()
                else:
                    run = services.mrp_run_start(
                        actor=None,
                        horizon_days=options["horizon"],
                        hours_per_day=options["hours_per_day"],
                        background=False,
                    )
                    counts = services.mrp_run(run=run, progress=progress).counts
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
        prefix = "Dry run: would plan" if options["dry_run"] else "Planned"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} {counts['make']} make and {counts['buy']} buy order(s) over "
                f"{counts['items']} item(s) in {counts['levels']} level(s); "
                f"{counts['exceptions']} exception(s)."
            )
        )
