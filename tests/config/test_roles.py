"""The roles: the migration that creates the groups, and `sync_roles`, against config.roles."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from config import roles
from config.roles import ROLES, roles_sync

pytestmark = pytest.mark.django_db


def held(group_name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def roles_migrations(loader: MigrationLoader) -> list[tuple[str, str]]:
    """The config migrations that carry a roles table, oldest first."""
    found = []
    for key in loader.graph.forwards_plan(("config", loader.graph.leaf_nodes("config")[0][1])):
        if key[0] != "config":
            continue
        module = importlib.import_module(loader.graph.nodes[key].__module__)
        if hasattr(module, "ROLES"):
            found.append(key)
    return found


def test_the_latest_roles_migration_carries_the_current_table():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    latest = roles_migrations(loader)[-1]
    module = importlib.import_module(loader.graph.nodes[latest].__module__)

    assert {role: set(perms) for role, perms in module.ROLES.items()} == {
        role: set(perms) for role, perms in ROLES.items()
    }, (
        "config/roles.py changed: add a migration that copies the new table "
        "(like config/migrations/0002_roles.py), and run `manage.py sync_roles` where deployed"
    )


def test_the_migration_creates_the_four_groups_from_its_state():
    """Run the migration's code against the project state it was written for, on a database
    without the groups: they come back with exactly the table's permissions."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    key = roles_migrations(loader)[0]
    module = importlib.import_module(loader.graph.nodes[key].__module__)
    state_apps = loader.project_state(key).apps
    Group.objects.filter(name__in=ROLES).delete()

    module.create_roles(state_apps, SimpleNamespace(connection=connection))

    assert set(Group.objects.values_list("name", flat=True)) >= set(module.ROLES)
    for role, perms in module.ROLES.items():
        assert held(role) == set(perms)


def test_the_migration_creates_missing_permissions_first():
    """On a fresh database the post_migrate signal has not made the permissions yet."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    key = roles_migrations(loader)[0]
    module = importlib.import_module(loader.graph.nodes[key].__module__)
    Group.objects.filter(name__in=ROLES).delete()
    Permission.objects.filter(codename="confirm_productionorder").delete()

    module.create_roles(loader.project_state(key).apps, SimpleNamespace(connection=connection))

    assert "manufacturing.confirm_productionorder" in held("planner")


def test_a_member_of_a_group_holds_its_permissions():
    roles_sync()
    user = get_user_model().objects.create_user("pat", "pat@example.com", "pw")
    user.groups.add(Group.objects.get(name="operator"))

    assert user.has_perm("manufacturing.produce_productionorder")
    assert user.has_perm("manufacturing.view_bom")
    assert not user.has_perm("manufacturing.confirm_productionorder")
    assert not user.has_perm("inventory.post_stockmove")


def test_sync_roles_repairs_the_groups_and_is_idempotent():
    roles_sync()
    planner = Group.objects.get(name="planner")
    planner.permissions.remove(Permission.objects.get(codename="confirm_productionorder"))
    planner.permissions.add(Permission.objects.get(codename="post_stockmove"))
    Group.objects.filter(name="viewer").delete()

    out = StringIO()
    call_command("sync_roles", stdout=out)

    text = out.getvalue()
    assert "viewer: created the group" in text
    assert "planner: added manufacturing.confirm_productionorder" in text
    assert "planner: removed inventory.post_stockmove" in text
    assert "2 of 4 role(s) changed." in text
    for role, perms in ROLES.items():
        assert held(role) == set(perms)

    again = StringIO()
    call_command("sync_roles", stdout=again)
    assert "0 of 4 role(s) changed." in again.getvalue()


def test_sync_roles_dry_run_writes_nothing():
    roles_sync()
    operator = Group.objects.get(name="operator")
    operator.permissions.remove(Permission.objects.get(codename="start_workorder"))

    out = StringIO()
    call_command("sync_roles", "--dry-run", stdout=out)

    assert "operator: would add manufacturing.start_workorder" in out.getvalue()
    assert "1 of 4 role(s) would change." in out.getvalue()
    assert "manufacturing.start_workorder" not in held("operator")


def test_sync_roles_refuses_a_table_naming_unknown_permissions(monkeypatch):
    roles_sync()
    monkeypatch.setattr(roles, "ROLES", {**ROLES, "viewer": (*ROLES["viewer"], "items.fly_item")})
    before = held("viewer")

    with pytest.raises(CommandError, match=r"items\.fly_item"):
        call_command("sync_roles", stdout=StringIO())
    assert held("viewer") == before
