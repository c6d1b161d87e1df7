from datetime import timedelta

from django.core.management.base import BaseCommand

from config.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than the retention window (24 h)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="age in hours (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, hours, dry_run, **options):
        count = idempotency_purge(older_than=timedelta(hours=hours), dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} idempotency key(s) older than {hours:g} h.")
