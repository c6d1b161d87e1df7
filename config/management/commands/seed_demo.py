import importlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.exceptions import DomainError

# Each app seeds its own demo data, in dependency order.
DEMO_MODULES = [
    "items.demo",
    "inventory.demo",
    "manufacturing.demo",
    "manufacturing.demo_orders",
    "manufacturing.demo_change",
    "manufacturing.demo_lots",
    "manufacturing.planning.demo",
]


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent: a second run adds nothing). With --superuser, also create the "
        "demo login admin/admin — refused when DEBUG is off. All or nothing: one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--superuser", action="store_true", help="create admin/admin (DEBUG only)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be created, write nothing"
        )

    def handle(self, *args, **options):
        if options["superuser"] and not settings.DEBUG:
            raise CommandError("Refusing to create the demo superuser with DEBUG off.")
        with transaction.atomic():
            actor = self._demo_superuser() if options["superuser"] else None
            for module_name in DEMO_MODULES:
                module = importlib.import_module(module_name)
                try:
                    counts = module.seed(stdout=self.stdout, actor=actor)
                except DomainError as exc:
                    raise CommandError(f"{module_name}: {exc.detail}") from exc
                summary = ", ".join(f"{n} {what}" for what, n in counts.items()) or "nothing"
                self.stdout.write(f"{module_name}: created {summary}")
            if options["dry_run"]:
                transaction.set_rollback(True)
                self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
                return
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _demo_superuser(self):
        username, password = settings.DEMO_SUPERUSER
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_superuser(username, f"{username}@example.com", password)
            self.stdout.write(f"Created demo superuser {username} / {password}")
        return user
