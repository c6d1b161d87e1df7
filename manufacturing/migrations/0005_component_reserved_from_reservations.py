"""A requirement's `reserved` is no longer stored: it was a hand-kept copy of the order's open
`Reservation` (inventory), which stays the one record. Forwards drops the column (nothing is
lost: the reservations hold the figure); backwards adds it back and refills it from the
reservations, keyed like the annotation that replaces it (order, item, the order's source
warehouse)."""

from django.db import migrations, models


def refill_reserved(apps, schema_editor):
    Component = apps.get_model("manufacturing", "ProductionOrderComponent")
    ProductionOrder = apps.get_model("manufacturing", "ProductionOrder")
    Reservation = apps.get_model("inventory", "Reservation")
    held = {
        (order_id, item_id, warehouse_id): quantity
        for order_id, item_id, warehouse_id, quantity in Reservation.objects.filter(
            production_order_id__isnull=False
        ).values_list("production_order_id", "item_id", "warehouse_id", "quantity")
    }
    if not held:
        return
    order_ids = {order_id for order_id, _, _ in held}
    warehouse_of = dict(
        ProductionOrder._base_manager.filter(pk__in=order_ids).values_list(
            "pk", "source_warehouse_id"
        )
    )
    changed = []
    for component in Component._base_manager.filter(order_id__in=order_ids).iterator():
        key = (component.order_id, component.item_id, warehouse_of[component.order_id])
        if key in held:
            component.reserved = held[key]
            changed.append(component)
    Component._base_manager.bulk_update(changed, ["reserved"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0004_restore_warehouse_permission"),
        ("items", "0003_item_history"),
        ("manufacturing", "0004_bom_content_hash_covers_units"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="productionordercomponent",
            name="po_component_non_negative",
        ),
        # Backwards: runs after the column is back (default 0) and before the old constraint.
        migrations.RunPython(migrations.RunPython.noop, refill_reserved),
        migrations.RemoveField(
            model_name="productionordercomponent",
            name="reserved",
        ),
        migrations.AddConstraint(
            model_name="productionordercomponent",
            constraint=models.CheckConstraint(
                condition=models.Q(("consumed__gte", 0)), name="po_component_consumed_gte_0"
            ),
        ),
    ]
