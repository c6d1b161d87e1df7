"""The database cache's table (settings.CACHES): created by `migrate`, so no
deployment step can forget `createcachetable`. Created whatever the cache setting is (with Redis
it is simply unused), so switching backends needs no migration. The name is fixed here, as a
migration must keep doing what it did when it was written; settings use the same name."""

from django.core.management import call_command
from django.db import migrations

TABLE = "django_cache"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("config", "0002_roles")]

    operations = [migrations.RunPython(create, drop)]
