from decimal import Decimal

from rest_framework import serializers

from config.api.serializers import InputSerializer, MinutesField, QuantityField
from inventory.models import Warehouse
from items.models import Item
from items.serializers import ItemRefSerializer
from manufacturing.boms.models import BOM
from manufacturing.orders.models import (
    Priority,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
)

QTY_FIELD = {"max_digits": 18, "decimal_places": 6, "coerce_to_string": False}


class OrderComponentSerializer(serializers.ModelSerializer):
    product_id = serializers.UUIDField(source="item_id")
    number = serializers.CharField(source="item.number")
    name = serializers.CharField(source="item.name")
    uom = serializers.CharField(source="item.uom.symbol")
    # Not a column: annotated by the component manager from the order's open reservation.
    reserved = serializers.DecimalField(max_digits=18, decimal_places=6, read_only=True)

    class Meta:
        model = ProductionOrderComponent
        fields = ["product_id", "number", "name", "required", "reserved", "consumed", "uom"]
        read_only_fields = fields


class WorkOrderSerializer(serializers.ModelSerializer):
    production_order_id = serializers.UUIDField(source="order_id")
    workcenter = serializers.CharField(source="workcenter.name")
    workcenter_id = serializers.UUIDField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "production_order_id",
            "reference",
            "sequence",
            "name",
            "workcenter",
            "workcenter_id",
            "status",
            "planned_minutes",
            "actual_minutes",
            "started_at",
            "finished_at",
            "notes",
        ]
        read_only_fields = fields


class QueueWorkOrderSerializer(WorkOrderSerializer):
    """A row of the shop-floor queue: the work order with its order's planning fields."""

    order_reference = serializers.CharField(source="order.reference")
    priority = serializers.CharField(source="order.priority")
    # The order's dates are optional (null=True on ProductionOrder): null in the queue too.
    due_date = serializers.DateTimeField(source="order.due_date", allow_null=True)
    scheduled_date = serializers.DateTimeField(source="order.scheduled_date", allow_null=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = [
            *WorkOrderSerializer.Meta.fields,
            "order_reference",
            "priority",
            "due_date",
            "scheduled_date",
        ]
        read_only_fields = fields


class ProductionOrderSerializer(serializers.ModelSerializer):
    product = ItemRefSerializer()
    bom_id = serializers.UUIDField()
    source_warehouse_id = serializers.UUIDField()
    target_warehouse_id = serializers.UUIDField()
    components = OrderComponentSerializer(many=True)

    class Meta:
        model = ProductionOrder
        fields = [
            "id",
            "reference",
            "product",
            "bom_id",
            "quantity",
            "produced_qty",
            "status",
            "scheduled_date",
            "due_date",
            "priority",
            "customer",
            "notes",
            "source_warehouse_id",
            "target_warehouse_id",
            "multi_level",
            "components",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductionOrderDetailSerializer(ProductionOrderSerializer):
    work_orders = WorkOrderSerializer(many=True)

    class Meta(ProductionOrderSerializer.Meta):
        fields = [*ProductionOrderSerializer.Meta.fields, "work_orders"]
        read_only_fields = fields


class ProductionOrderInputSerializer(InputSerializer):
    """Shape only; the services check the business rules (BOM usable, draft only…).
    Status, producedQty and the like are not fields here, so they cannot be written."""

    product_id = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all(), source="product")
    bom_id = serializers.PrimaryKeyRelatedField(
        queryset=BOM.all_objects.all(), source="bom", required=False, allow_null=True
    )
    quantity = QuantityField(min_value=Decimal("0.000001"))
    scheduled_date = serializers.DateTimeField(required=False, allow_null=True)
    due_date = serializers.DateTimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    customer = serializers.CharField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    source_warehouse_id = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        source="source_warehouse",
        required=False,
        allow_null=True,
    )
    target_warehouse_id = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        source="target_warehouse",
        required=False,
        allow_null=True,
    )
    multi_level = serializers.BooleanField(required=False)


class ProduceInputSerializer(InputSerializer):
    qty = QuantityField(min_value=Decimal("0.000001"))
    lot_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True
    )


class WorkOrderDoneInputSerializer(InputSerializer):
    duration_minutes = MinutesField(min_value=Decimal(0), required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class RebaseInputSerializer(InputSerializer):
    bom_id = serializers.PrimaryKeyRelatedField(queryset=BOM.all_objects.all(), source="bom")


# --- the impact of a BOM version on open orders ---------------------------------------------


class BOMVersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()


class ImpactLineSerializer(serializers.Serializer):
    product_id = serializers.UUIDField(source="item.pk")
    number = serializers.CharField(source="item.number")
    name = serializers.CharField(source="item.name")
    uom = serializers.CharField(source="item.uom.symbol")
    required = serializers.DecimalField(**QTY_FIELD)
    proposed = serializers.DecimalField(**QTY_FIELD)
    change = serializers.DecimalField(**QTY_FIELD)
    consumed = serializers.DecimalField(**QTY_FIELD)
    reserved = serializers.DecimalField(**QTY_FIELD)
    would_reserve = serializers.DecimalField(**QTY_FIELD)
    reserve_change = serializers.DecimalField(**QTY_FIELD)
    available = serializers.DecimalField(**QTY_FIELD)
    covered = serializers.BooleanField()


class OrderImpactSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="order.pk")
    reference = serializers.CharField(source="order.reference")
    status = serializers.CharField(source="order.status")
    quantity = serializers.DecimalField(source="order.quantity", **QTY_FIELD)
    produced_qty = serializers.DecimalField(source="order.produced_qty", **QTY_FIELD)
    multi_level = serializers.BooleanField(source="order.multi_level")
    bom = BOMVersionSerializer(source="order.bom")
    stock_covers = serializers.BooleanField()
    rebasable = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True)
    lines = ImpactLineSerializer(many=True)


class BOMImpactSerializer(serializers.Serializer):
    """`order_bom_impact`: the open orders of the product on other versions, against this one."""

    bom = BOMVersionSerializer()
    orders = OrderImpactSerializer(many=True)
