"""Shapes of planning's resources; the rules live in `services`."""

from rest_framework import serializers

from config.api.serializers import InputSerializer, QuantityField
from config.jobs.selectors import job_progress
from items.models import Item
from items.serializers import ItemRefSerializer
from manufacturing.planning.models import (
    Demand,
    DemandKind,
    PlanException,
    PlannedOrder,
    PlanningRun,
    Procurement,
)


class DemandSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer(read_only=True)
    uom = serializers.CharField(source="item.uom.symbol", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "item",
            "quantity",
            "uom",
            "due_date",
            "kind",
            "reference",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DemandInputSerializer(InputSerializer):
    item_id = serializers.PrimaryKeyRelatedField(queryset=Item.all_objects.all(), source="item")
    quantity = QuantityField()
    due_date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DemandKind.choices, default=DemandKind.MANUAL)
    reference = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    notes = serializers.CharField(allow_blank=True, required=False, default="")


class ParametersSerializer(serializers.Serializer):
    item_id = serializers.UUIDField()
    procurement = serializers.ChoiceField(choices=Procurement.choices)
    planned = serializers.BooleanField()
    lead_time_days = serializers.IntegerField(min_value=0)
    safety_stock = serializers.DecimalField(max_digits=18, decimal_places=6)
    lot_minimum = serializers.DecimalField(max_digits=18, decimal_places=6)
    lot_multiple = serializers.DecimalField(max_digits=18, decimal_places=6)
    is_default = serializers.BooleanField(help_text="No row: the computed defaults.")


class ParametersInputSerializer(InputSerializer):
    """A PUT: fields left out take their defaults (procurement: make when the item has a
    default BOM, else buy)."""

    procurement = serializers.ChoiceField(choices=Procurement.choices, required=False)
    planned = serializers.BooleanField(default=True)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=3650, default=0)
    safety_stock = QuantityField(sign="non_negative", default=0)
    lot_minimum = QuantityField(sign="non_negative", default=0)
    lot_multiple = QuantityField(sign="non_negative", default=0)


class ProjectionRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    gross = serializers.DecimalField(max_digits=18, decimal_places=6)
    scheduled_receipts = serializers.DecimalField(max_digits=18, decimal_places=6)
    projected_on_hand = serializers.DecimalField(max_digits=18, decimal_places=6)
    net = serializers.DecimalField(max_digits=18, decimal_places=6)
    planned = serializers.DecimalField(max_digits=18, decimal_places=6)


class ProjectionSerializer(serializers.Serializer):
    item_id = serializers.UUIDField()
    run_id = serializers.UUIDField()
    level = serializers.IntegerField(allow_null=True)
    procurement = serializers.CharField(allow_null=True)
    available = serializers.DecimalField(max_digits=18, decimal_places=6, allow_null=True)
    safety_stock = serializers.DecimalField(max_digits=18, decimal_places=6, allow_null=True)
    rows = ProjectionRowSerializer(many=True)


def projection_body(item, plan_item, run) -> dict:
    rows = []
    if plan_item is not None:
        for day, gross, receipts, projected, net, planned in plan_item.projection:
            rows.append(
                {
                    "date": day,
                    "gross": gross,
                    "scheduled_receipts": receipts,
                    "projected_on_hand": projected,
                    "net": net,
                    "planned": planned,
                }
            )
    return {
        "item_id": item.pk,
        "run_id": run.pk,
        "level": plan_item.level if plan_item else None,
        "procurement": plan_item.procurement if plan_item else None,
        "available": plan_item.available if plan_item else None,
        "safety_stock": plan_item.safety_stock if plan_item else None,
        "rows": rows,
    }


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="0 while not known yet.")


class RunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    created_by = serializers.CharField(
        source="created_by.username", allow_null=True, read_only=True
    )
    duration_seconds = serializers.FloatField(allow_null=True)
    # Keys sorted: PostgreSQL's jsonb keeps its own key order, SQLite the order written.
    counts = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()

    class Meta:
        model = PlanningRun
        fields = [
            "id",
            "status",
            "is_current",
            "progress",
            "parameters",
            "counts",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "job",
        ]
        read_only_fields = fields

    def get_counts(self, run) -> dict:
        return dict(sorted((run.counts or {}).items()))

    def get_parameters(self, run) -> dict:
        return dict(sorted((run.parameters or {}).items()))

    def get_progress(self, run) -> ProgressSerializer:
        if run.job_id is None:
            done = run.counts.get("items", 0) if run.counts else 0
            return {"done": done, "total": done}
        progress = job_progress(run.job)
        return {"done": progress.done, "total": progress.total or 0}


class RunInputSerializer(InputSerializer):
    horizon_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    hours_per_day = QuantityField(required=False)


class PlannedOrderSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer(read_only=True)
    uom = serializers.CharField(source="item.uom.symbol", read_only=True)
    bom_number = serializers.CharField(source="bom.number", allow_null=True, read_only=True)
    exceptions = serializers.SerializerMethodField()
    production_order_reference = serializers.CharField(
        source="production_order.reference", allow_null=True, read_only=True
    )

    class Meta:
        model = PlannedOrder
        fields = [
            "id",
            "run",
            "kind",
            "item",
            "bom",
            "bom_number",
            "level",
            "quantity",
            "uom",
            "start_date",
            "due_date",
            "exceptions",
            "production_order",
            "production_order_reference",
            "firmed_at",
        ]
        read_only_fields = fields

    def get_exceptions(self, order) -> list[str]:
        return [c for c in order.exception_codes.split(",") if c]


class PegRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    reference = serializers.CharField()
    due_date = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=6)


class PegOrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    item = ItemRefSerializer()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=6)
    start_date = serializers.DateField()
    due_date = serializers.DateField()


class ProductionOrderRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class PeggingNodeSerializer(serializers.Serializer):
    source = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=6)
    required_date = serializers.DateField()
    demand = PegRefSerializer(allow_null=True)
    production_order = ProductionOrderRefSerializer(allow_null=True)
    planned_order = PegOrderSerializer(allow_null=True)
    pegging = serializers.ListField(
        child=serializers.DictField(), help_text="The same shape, one level up."
    )


class PlanExceptionSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer(read_only=True)

    class Meta:
        model = PlanException
        fields = ["id", "kind", "item", "planned_order", "demand", "date", "quantity", "message"]
        read_only_fields = fields
