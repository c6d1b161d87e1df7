"""The roles of API.md ("Roles"): each group and exactly the permissions its members hold.

This table is the one source of truth:
- the migrations that create the groups copy it by value (`config/migrations/0002_roles.py`), so
  a migration keeps doing what it did when it was written; a change here therefore needs a new
  migration with the new table (or, on a running system, `manage.py sync_roles`);
- `manage.py sync_roles [--dry-run]` makes the groups match it again (idempotent);
- `tests/api/test_permission_matrix.py` checks every route and action against it, and that every
  `view_*` permission of the business apps is held by every role.

Permissions are `app_label.codename`. Superusers hold every permission without a group.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

# The business apps the roles cover (auth, tokens and idempotency keys are not business data:
# only superusers manage them).
ROLE_APPS = ("items", "inventory", "manufacturing")

# viewer: read everything: every view permission of the business apps' models. The audit
# history's models (`Historical*`) are left out: their history pages, in the admin and over the
# API, follow the permissions of the model they track (simple_history's default, with
# SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS off), so their own permissions are never asked.
VIEW = (
    "items.view_item",
    "items.view_unitofmeasure",
    "inventory.view_lot",
    "inventory.view_lotbalance",
    "inventory.view_reservation",
    "inventory.view_stocklevel",
    "inventory.view_stockmove",
    "inventory.view_warehouse",
    "manufacturing.view_bom",
    "manufacturing.view_bomcomponent",
    "manufacturing.view_bomoperation",
    "manufacturing.view_productionorder",
    "manufacturing.view_productionordercomponent",
    "manufacturing.view_sequence",
    "manufacturing.view_workcenter",
    "manufacturing.view_workorder",
    "manufacturing.view_workordertimelog",
    "manufacturing.view_demand",
    "manufacturing.view_firmorder",
    "manufacturing.view_itemplanning",
    "manufacturing.view_pegging",
    "manufacturing.view_planexception",
    "manufacturing.view_planitem",
    "manufacturing.view_plannedorder",
    "manufacturing.view_planningrun",
)

# planner: write items, units, workcenters and BOMs (their lines and operations too: the admin's
# inlines ask for them), BOM submit/cancel/copy/archive/unarchive; create, edit, delete, confirm,
# close, cancel and rebase production orders; enter demands and planning parameters, run MRP and
# firm planned orders.
PLANNER = (
    "items.add_unitofmeasure",
    "items.change_unitofmeasure",
    "items.delete_unitofmeasure",
    "items.restore_unitofmeasure",
    "items.add_item",
    "items.change_item",
    "items.delete_item",
    "items.restore_item",
    "manufacturing.add_workcenter",
    "manufacturing.change_workcenter",
    "manufacturing.delete_workcenter",
    "manufacturing.restore_workcenter",
    "manufacturing.add_bom",
    "manufacturing.change_bom",
    "manufacturing.delete_bom",
    "manufacturing.submit_bom",
    "manufacturing.cancel_bom",
    "manufacturing.copy_bom",
    "manufacturing.archive_bom",
    "manufacturing.unarchive_bom",
    "manufacturing.add_bomcomponent",
    "manufacturing.change_bomcomponent",
    "manufacturing.delete_bomcomponent",
    "manufacturing.add_bomoperation",
    "manufacturing.change_bomoperation",
    "manufacturing.delete_bomoperation",
    "manufacturing.add_productionorder",
    "manufacturing.change_productionorder",
    "manufacturing.delete_productionorder",
    "manufacturing.confirm_productionorder",
    "manufacturing.close_productionorder",
    "manufacturing.cancel_productionorder",
    "manufacturing.add_demand",
    "manufacturing.change_demand",
    "manufacturing.delete_demand",
    "manufacturing.add_itemplanning",
    "manufacturing.change_itemplanning",
    "manufacturing.delete_itemplanning",
    "manufacturing.run_planningrun",
    "manufacturing.firm_plannedorder",
    "manufacturing.rebase_productionorder",
)

# operator: start, pause, resume and finish work orders; record production.
OPERATOR = (
    "manufacturing.start_workorder",
    "manufacturing.pause_workorder",
    "manufacturing.resume_workorder",
    "manufacturing.finish_workorder",
    "manufacturing.produce_productionorder",
)

# storekeeper: write warehouses; record stock moves.
STOREKEEPER = (
    "inventory.add_warehouse",
    "inventory.change_warehouse",
    "inventory.delete_warehouse",
    "inventory.restore_warehouse",
    "inventory.post_stockmove",
)

ROLES: dict[str, tuple[str, ...]] = {
    "viewer": VIEW,
    "planner": VIEW + PLANNER,
    "operator": VIEW + OPERATOR,
    "storekeeper": VIEW + STOREKEEPER,
}


@dataclass
class RoleChange:
    """What syncing one group did (or, in a dry run, would do)."""

    role: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the table, not in the database

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added or self.removed)


def _permissions(names) -> tuple[dict[str, Permission], list[str]]:
    wanted = set(names)
    apps = {name.split(".", 1)[0] for name in wanted}
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label__in=apps).select_related(
            "content_type"
        )
    }
    return {n: found[n] for n in wanted if n in found}, sorted(wanted - set(found))


@transaction.atomic
def roles_sync(
    *, roles: dict[str, tuple[str, ...]] | None = None, dry_run: bool = False
) -> list[RoleChange]:
    """Make each group hold exactly its role's permissions (default: `ROLES`), creating the group
    if needed. Permissions named in the table but missing from the database are reported, not
    invented (run `migrate` first: it creates them)."""
    roles = ROLES if roles is None else roles
    changes = []
    for role, names in roles.items():
        perms, missing = _permissions(names)
        group = Group.objects.filter(name=role).first()
        change = RoleChange(role=role, created=group is None, missing=missing)
        held = (
            {
                f"{p.content_type.app_label}.{p.codename}": p
                for p in group.permissions.select_related("content_type")
            }
            if group is not None
            else {}
        )
        change.added = sorted(set(perms) - set(held))
        change.removed = sorted(set(held) - set(perms))
        if not dry_run and change.changed:
            if group is None:
                group = Group.objects.create(name=role)
            group.permissions.set(perms.values())
        changes.append(change)
    return changes
