"""Shapes only: input serializers check types and presence, output serializers render.
Business rules (cycles, duplicates, units, locking) are the services'."""

from decimal import Decimal

from rest_framework import serializers

from config.api.representations import BodiesListSerializer, RepresentedSerializer
from config.api.serializers import (
    InputSerializer,
    MinutesField,
    MoneyField,
    PercentField,
    QuantityField,
    QuerySerializer,
)
from config.levels import LEVELS
from items.serializers import ItemRefSerializer
from manufacturing.boms.models import BOM, BOMStatus, BOMType, Workcenter
from manufacturing.schema import NamedChoiceField

QTY = {"max_digits": 18, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 4}


# --- workcenters ----------------------------------------------------------------------------


class WorkcenterSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Workcenter
        fields = ["id", "code", "name", "hourly_cost", "is_active"]
        read_only_fields = fields


class WorkcenterInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    hourly_cost = MoneyField(min_value=Decimal(0), default=Decimal(0))


# --- BOM output -----------------------------------------------------------------------------


class BOMComponentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    product_id = serializers.UUIDField(source="item.id")
    number = serializers.CharField(source="item.number")
    name = serializers.CharField(source="item.name")
    quantity = serializers.DecimalField(**QTY)
    uom = serializers.CharField(source="uom.symbol")
    scrap_percent = serializers.DecimalField(max_digits=9, decimal_places=4)


class BOMOperationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.IntegerField()
    name = serializers.CharField()
    workcenter = serializers.CharField(source="workcenter.name")
    workcenter_id = serializers.UUIDField()
    duration_minutes = serializers.DecimalField(max_digits=12, decimal_places=2)


class BOMSerializer(RepresentedSerializer, serializers.ModelSerializer):
    """The schema of a BOM (list rows and details alike); its body is
    `manufacturing.boms.representations.bom_bodies`, which reads the lines itself (give it BOMs
    of `bom_headers()`: product and unit joined)."""

    product = ItemRefSerializer()
    uom = serializers.CharField(source="uom.symbol")
    type = NamedChoiceField(choices=BOMType.choices, enum_name="BOMTypeEnum")
    status = NamedChoiceField(choices=BOMStatus.choices, enum_name="BOMStatusEnum")
    is_active = serializers.BooleanField()
    component_count = serializers.SerializerMethodField()
    components = BOMComponentSerializer(many=True, read_only=True)
    operations = BOMOperationSerializer(many=True, read_only=True)

    @classmethod
    def bodies(cls, instances):
        from manufacturing.boms.representations import bom_bodies

        return bom_bodies(instances)

    class Meta:
        list_serializer_class = BodiesListSerializer
        model = BOM
        fields = [
            "id",
            "number",
            "name",
            "description",
            "product",
            "quantity",
            "uom",
            "type",
            "status",
            "is_active",
            "is_default",
            "version",
            "component_count",
            "content_hash",
            "components",
            "operations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_component_count(self, bom) -> int:  # the schema's type (and DRF's own output)
        return len(bom.components.all())


# --- BOM input ------------------------------------------------------------------------------


class IndexedListSerializer(serializers.ListSerializer):
    """Errors of a list as a list, one entry per element, so the problem handler reports them as
    `components[1].quantity`. (DRF 3.18 keys them by index in a dict, which the handler would
    render as `components.1.quantity`.)"""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, dict) and detail and all(isinstance(k, int) for k in detail):
                size = max(detail) + 1
                raise serializers.ValidationError([detail.get(i, {}) for i in range(size)]) from exc
            raise


class ComponentInputSerializer(InputSerializer):
    """`productId` or `productNumber` names the component item; `uom` is a unit symbol
    (default: the item's stock unit)."""

    product_id = serializers.UUIDField(required=False)
    product_number = serializers.CharField(max_length=64, required=False)
    quantity = QuantityField()
    uom = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    scrap_percent = PercentField(min_value=Decimal(0), required=False, default=Decimal(0))

    def validate(self, attrs):
        if not attrs.get("product_id") and not attrs.get("product_number"):
            raise serializers.ValidationError(
                {"product_id": ["This field is required (productId or productNumber)."]}
            )
        return attrs

    class Meta:
        list_serializer_class = IndexedListSerializer


class OperationInputSerializer(InputSerializer):
    """`workcenter` is a workcenter's name (or code), `workcenterId` its id."""

    name = serializers.CharField(max_length=200)
    workcenter = serializers.CharField(max_length=100, required=False)
    workcenter_id = serializers.UUIDField(required=False)
    duration_minutes = MinutesField(min_value=Decimal(0))
    sequence = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)

    def validate(self, attrs):
        if not attrs.get("workcenter") and not attrs.get("workcenter_id"):
            raise serializers.ValidationError(
                {"workcenter": ["This field is required (workcenter or workcenterId)."]}
            )
        return attrs

    class Meta:
        list_serializer_class = IndexedListSerializer


class BOMInputSerializer(InputSerializer):
    """Create (POST) and full replace (PUT); with `partial=True`, PATCH."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    product_id = serializers.UUIDField(required=False)
    product_number = serializers.CharField(max_length=64, required=False)
    quantity = QuantityField(required=False)
    uom = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True)
    type = NamedChoiceField(choices=BOMType.choices, enum_name="BOMTypeEnum", required=False)
    is_default = serializers.BooleanField(required=False)
    components = ComponentInputSerializer(many=True, required=False, allow_empty=True)
    operations = OperationInputSerializer(many=True, required=False)

    def validate(self, attrs):
        if not self.partial:
            errors = {}
            if not attrs.get("product_id") and not attrs.get("product_number"):
                errors["product_id"] = ["This field is required (productId or productNumber)."]
            if "components" not in attrs:
                errors["components"] = ["This field is required."]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class BOMComponentsInputSerializer(InputSerializer):
    components = ComponentInputSerializer(many=True, allow_empty=True)


# --- explosion ------------------------------------------------------------------------------


class ExplosionQuerySerializer(QuerySerializer):
    quantity = QuantityField(required=False)
    levels = serializers.ChoiceField(choices=LEVELS, required=False, default="all")


class RequirementSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    number = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.DecimalField(**QTY)
    uom = serializers.CharField()
    level = serializers.IntegerField()
    path = serializers.ListField(child=serializers.CharField())
    is_leaf = serializers.BooleanField()


class TotalSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    number = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.DecimalField(**QTY)
    uom = serializers.CharField()


class CostSerializer(serializers.Serializer):
    materials = serializers.DecimalField(**MONEY)
    operations = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    per_unit = serializers.DecimalField(**MONEY)


class ExplosionSerializer(RepresentedSerializer):
    """The schema of an explosion; its body is `representations.explosion_body`."""

    class Meta:
        list_serializer_class = BodiesListSerializer

    @classmethod
    def bodies(cls, instances):
        from manufacturing.boms.representations import explosion_body

        return [explosion_body(explosion) for explosion in instances]

    bom_id = serializers.UUIDField()
    quantity = serializers.DecimalField(**QTY)
    requirements = RequirementSerializer(many=True)
    totals = TotalSerializer(many=True)
    cost = CostSerializer()


# --- compare --------------------------------------------------------------------------------


class BOMCompareQuerySerializer(QuerySerializer):
    """`?with={otherId}&levels=1|all` (`with` is a Python keyword: added in get_fields);
    without `with`, the previous version of the same product."""

    levels = serializers.ChoiceField(choices=LEVELS, required=False, default="1")

    def get_fields(self):
        fields = super().get_fields()
        fields["with"] = serializers.UUIDField(required=False)
        return fields


CHANGES = ["added", "removed", "changed", "unchanged"]


def change_field() -> NamedChoiceField:
    return NamedChoiceField(choices=CHANGES, enum_name="BOMChangeEnum")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class ChangedFieldsField(serializers.ListField):
    """The names of the fields that changed, as the API spells them (`scrapPercent`)."""

    child = serializers.CharField()

    def to_representation(self, data):
        return [camel(name) for name in data]


class BOMVersionRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()


class HeaderChangeSerializer(serializers.Serializer):
    field = serializers.SerializerMethodField()
    old = serializers.JSONField()
    new = serializers.JSONField()

    def get_field(self, change) -> str:
        return camel(change.field)


class LineValuesSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(**QTY)
    uom = serializers.CharField()
    scrap_percent = serializers.DecimalField(max_digits=9, decimal_places=4)


class ComponentDiffSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    number = serializers.CharField()
    name = serializers.CharField()
    change = change_field()
    old = LineValuesSerializer(allow_null=True)
    new = LineValuesSerializer(allow_null=True)
    changed_fields = ChangedFieldsField()


class OperationValuesSerializer(serializers.Serializer):
    name = serializers.CharField()
    workcenter = serializers.CharField()
    workcenter_id = serializers.UUIDField()
    duration_minutes = serializers.DecimalField(max_digits=12, decimal_places=2)


class OperationDiffSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    change = change_field()
    old = OperationValuesSerializer(allow_null=True)
    new = OperationValuesSerializer(allow_null=True)
    changed_fields = ChangedFieldsField()


class RequirementDiffSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    number = serializers.CharField()
    name = serializers.CharField()
    uom = serializers.CharField()
    change = change_field()
    old = serializers.DecimalField(**QTY)
    new = serializers.DecimalField(**QTY)
    delta = serializers.DecimalField(**QTY)


class CostDiffSerializer(serializers.Serializer):
    old = CostSerializer()
    new = CostSerializer()
    delta = CostSerializer()


class ChangeCountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class CompareSummarySerializer(serializers.Serializer):
    components = ChangeCountsSerializer()
    operations = ChangeCountsSerializer()
    requirements = ChangeCountsSerializer()


class BOMComparisonSerializer(serializers.Serializer):
    """`bom_compare`'s result: from `base` (the BOM of the URL) to `other` (`?with=`)."""

    base = BOMVersionRefSerializer()
    other = BOMVersionRefSerializer()
    levels = serializers.ChoiceField(choices=LEVELS)
    quantity = serializers.DecimalField(**QTY)
    header = HeaderChangeSerializer(many=True)
    components = ComponentDiffSerializer(many=True)
    operations = OperationDiffSerializer(many=True)
    requirements = RequirementDiffSerializer(many=True)
    cost = CostDiffSerializer()
    summary = CompareSummarySerializer()
