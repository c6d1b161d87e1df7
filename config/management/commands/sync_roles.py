from django.core.management.base import BaseCommand, CommandError

from config import roles


class Command(BaseCommand):
    help = (
        "Make the groups viewer, planner, operator and storekeeper hold exactly the permissions "
        "of config/roles.py (creates missing groups; idempotent). Use it after a deploy that "
        "adds permissions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="show the changes, write nothing"
        )

    def handle(self, *args, dry_run, **options):
        preview = roles.roles_sync(dry_run=True)
        missing = sorted({name for change in preview for name in change.missing})
        if missing:
            raise CommandError(
                "Permissions named in config/roles.py do not exist (run `migrate` first): "
                + ", ".join(missing)
            )
        changes = preview if dry_run else roles.roles_sync()
        create, add, remove = (
            ("would create", "would add", "would remove")
            if dry_run
            else ("created", "added", "removed")
        )
        for change in changes:
            if not change.changed:
                size = len(roles.ROLES[change.role])
                self.stdout.write(f"{change.role}: up to date ({size} permissions)")
                continue
            if change.created:
                self.stdout.write(f"{change.role}: {create} the group")
            for name in change.added:
                self.stdout.write(f"{change.role}: {add} {name}")
            for name in change.removed:
                self.stdout.write(f"{change.role}: {remove} {name}")
        changed = sum(change.changed for change in changes)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{changed} of {len(changes)} role(s) {verb}.")
