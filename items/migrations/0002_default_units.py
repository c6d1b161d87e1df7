from decimal import Decimal

from django.db import migrations

from config.ids import uuid7

DEFAULT_UNITS = [
    ("units", "Units", "count", Decimal("1")),
    ("EA", "Each", "count", Decimal("1")),
    ("kg", "Kilogram", "mass", Decimal("1")),
    ("g", "Gram", "mass", Decimal("0.001")),
    ("L", "Liter", "volume", Decimal("1")),
    ("mL", "Milliliter", "volume", Decimal("0.001")),
    ("m", "Meter", "length", Decimal("1")),
    ("cm", "Centimeter", "length", Decimal("0.01")),
    # Time's reference unit is the second, so both hour and minute are exact.
    ("h", "Hour", "time", Decimal("3600")),
    ("min", "Minute", "time", Decimal("60")),
]


def create_units(apps, schema_editor):
    Unit = apps.get_model("items", "UnitOfMeasure")
    for symbol, name, category, factor in DEFAULT_UNITS:
        if not Unit.objects.filter(symbol=symbol, deleted_at__isnull=True).exists():
            Unit.objects.create(id=uuid7(), symbol=symbol, name=name, category=category, factor=factor)


class Migration(migrations.Migration):
    dependencies = [("items", "0001_initial")]

    operations = [migrations.RunPython(create_units, migrations.RunPython.noop)]
