"""The roles again, with the planner's new `manufacturing.rebase_productionorder` (issue 14:
moving an open order onto another BOM version).

The table is a copy, by value, of `config/roles.py` as it is now (see 0002_roles.py for why);
the code that applies it is 0002's. Reversing re-applies 0002's table."""

import importlib

from django.db import migrations

ROLES_0002 = importlib.import_module("config.migrations.0002_roles")

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
)

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
    "manufacturing.rebase_productionorder",
)

OPERATOR = (
    "manufacturing.start_workorder",
    "manufacturing.pause_workorder",
    "manufacturing.resume_workorder",
    "manufacturing.finish_workorder",
    "manufacturing.produce_productionorder",
)

STOREKEEPER = (
    "inventory.add_warehouse",
    "inventory.change_warehouse",
    "inventory.delete_warehouse",
    "inventory.restore_warehouse",
    "inventory.post_stockmove",
)

ROLES = {
    "viewer": VIEW,
    "planner": VIEW + PLANNER,
    "operator": VIEW + OPERATOR,
    "storekeeper": VIEW + STOREKEEPER,
}


def apply_roles(apps, schema_editor):
    ROLES_0002.create_missing_permissions(apps, schema_editor)
    _set(apps, schema_editor, ROLES)


def restore_roles(apps, schema_editor):
    _set(apps, schema_editor, ROLES_0002.ROLES)


def _set(apps, schema_editor, roles):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {name for names in roles.values() for name in names}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(db)
        .filter(content_type__app_label__in={name.split(".")[0] for name in wanted})
        .values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise RuntimeError(f"Permissions missing for the roles: {missing}")
    for role, names in roles.items():
        group, _ = Group.objects.using(db).get_or_create(name=role)
        group.permissions.set([found[name] for name in names])


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0004_jobs"),
        ("manufacturing", "0007_productionorder_rebase"),
    ]

    operations = [migrations.RunPython(apply_roles, restore_roles)]
