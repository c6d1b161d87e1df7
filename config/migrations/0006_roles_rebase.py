"""The planner's role gains `manufacturing.rebase_productionorder` (issue 14: moving an open
order onto another BOM version). A copy, by value, of `config/roles.py` as of this migration
(see 0002_roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def create_missing_permissions(apps, schema_editor):
    """Permissions are normally made by a post_migrate signal, after every migration has run: on a
    fresh database they do not exist yet here. Make them now, from the migration state."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    create_missing_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {name for names in ROLES.values() for name in names}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(db)
        .filter(content_type__app_label__in={name.split(".")[0] for name in wanted})
        .values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise RuntimeError(f"Permissions missing for the roles: {missing}")
    for role, names in ROLES.items():
        group, _ = Group.objects.using(db).get_or_create(name=role)
        group.permissions.set([found[name] for name in names])


def noop(apps, schema_editor):
    """Going back leaves the groups as they are: 0005's table is not restored here."""


class Migration(migrations.Migration):
    dependencies = [
        ("config", "0005_roles_planning"),
        ("manufacturing", "0008_productionorder_rebase"),
    ]

    operations = [migrations.RunPython(create_roles, noop)]
