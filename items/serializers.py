from decimal import Decimal

from rest_framework import serializers

from config.api.representations import BodiesListSerializer, RepresentedSerializer
from config.api.serializers import InputSerializer, MoneyField
from items import representations
from items.models import Item, ItemType, Tracking, UnitCategory, UnitOfMeasure


class UnitOfMeasureSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = UnitOfMeasure
        fields = ["id", "symbol", "name", "category", "factor", "is_active"]
        read_only_fields = fields


class UnitOfMeasureInputSerializer(InputSerializer):
    symbol = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=UnitCategory.choices)
    factor = serializers.DecimalField(
        max_digits=24, decimal_places=12, min_value=Decimal("0.000000000001"), default=Decimal(1)
    )


class ItemSerializer(RepresentedSerializer, serializers.ModelSerializer):
    """The schema of an item; its body is `items.representations.item_rows` (list, retrieve
    and the write responses alike)."""

    uom = serializers.CharField(source="uom.symbol", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    @classmethod
    def bodies(cls, instances):
        return representations.item_bodies(instances)

    class Meta:
        list_serializer_class = BodiesListSerializer
        model = Item
        fields = [
            "id",
            "number",
            "name",
            "description",
            "type",
            "uom",
            "tracking",
            "standard_cost",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ItemInputSerializer(InputSerializer):
    """`uom` is the stock unit's symbol; `uomId` its id. One of the two is required on create."""

    number = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    type = serializers.ChoiceField(choices=ItemType.choices, default=ItemType.STOCKABLE)
    uom = serializers.SlugRelatedField(
        slug_field="symbol", queryset=UnitOfMeasure.objects.all(), required=False
    )
    uom_id = serializers.PrimaryKeyRelatedField(
        queryset=UnitOfMeasure.objects.all(), required=False
    )
    tracking = serializers.ChoiceField(choices=Tracking.choices, default=Tracking.NONE)
    standard_cost = MoneyField(min_value=Decimal(0), default=Decimal(0))

    def validate(self, attrs):
        uom_id = attrs.pop("uom_id", None)
        if uom_id is not None:
            attrs["uom"] = uom_id
        if not self.partial and "uom" not in attrs:
            raise serializers.ValidationError(
                {"uom": ["This field is required (symbol or uomId)."]}
            )
        return attrs


class ItemRefSerializer(serializers.Serializer):
    """`{id, number, name}`: how other resources point at an item."""

    id = serializers.UUIDField()
    number = serializers.CharField()
    name = serializers.CharField()


class WhereUsedSerializer(RepresentedSerializer):
    """The schema of a where-used row; its body is `items.representations.where_used_rows`."""

    class Meta:
        list_serializer_class = BodiesListSerializer

    @classmethod
    def bodies(cls, instances):
        return representations.where_used_rows(instances)

    bom_id = serializers.UUIDField()
    bom_number = serializers.CharField()
    bom_name = serializers.CharField()
    product = ItemRefSerializer()
    component_id = serializers.UUIDField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=6)
    uom = serializers.CharField()
    level = serializers.IntegerField()
