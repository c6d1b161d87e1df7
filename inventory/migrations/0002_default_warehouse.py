from django.db import migrations

from config.ids import uuid7


def create_default_warehouse(apps, schema_editor):
    Warehouse = apps.get_model("inventory", "Warehouse")
    if not Warehouse.objects.filter(code="WH", deleted_at__isnull=True).exists():
        Warehouse.objects.create(id=uuid7(), code="WH", name="Main warehouse")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_default_warehouse, migrations.RunPython.noop)]
