"""UPDATE and DELETE of stock moves are refused by the database itself (PostgreSQL and SQLite).

On SQLite, a later migration that alters the stock move table rebuilds it and loses these
triggers: it must run `inventory.triggers.install` again.
"""

from django.db import migrations

from inventory import triggers


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_default_warehouse")]

    operations = [migrations.RunPython(triggers.install, triggers.uninstall)]
