from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from config.jobs.services import job_reap_stale


class Command(BaseCommand):
    help = (
        "Mark failed the jobs whose worker died: running with no sign of life (progress) for "
        "--stale-after seconds (default JOBS_STALE_SECONDS), or queued but never enqueued. "
        "Every worker also does this when it starts a task; run it from cron to catch the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale-after", type=int, default=None, help="seconds")

    def handle(self, *args, **options):
        seconds = options["stale_after"] or settings.JOBS_STALE_SECONDS
        marked = job_reap_stale(stale_after=timedelta(seconds=seconds))
        if options["verbosity"] >= 1:
            self.stdout.write(f"Marked {marked} stale job(s) failed.")
