from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.representations import BodiesListSerializer, RepresentedSerializer
from config.api.schema import NamedChoiceField
from config.api.serializers import InputSerializer, QuantityField, QuerySerializer
from inventory.genealogy import BACK, DIRECTIONS
from inventory.models import Lot, MoveKind, Reservation, StockLevel, StockMove, Warehouse
from inventory.services.ledger import MANUAL_KINDS
from items.exceptions import ItemNotFound
from items.models import QTY, Item, UnitOfMeasure
from items.serializers import ItemRefSerializer


class WarehouseSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "is_active"]
        read_only_fields = fields


class WarehouseInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)


class WarehouseRefSerializer(serializers.Serializer):
    """`{id, code}`: how other resources point at a warehouse."""

    id = serializers.UUIDField()
    code = serializers.CharField()


class LotSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer()

    class Meta:
        model = Lot
        fields = ["id", "item", "number", "created_at"]
        read_only_fields = fields


class LotQuantitySerializer(serializers.Serializer):
    number = serializers.CharField(source="lot.number")
    quantity = serializers.DecimalField(**QTY)


class StockLevelSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer()
    warehouse = WarehouseRefSerializer()
    available = serializers.DecimalField(**QTY)
    lots = LotQuantitySerializer(source="open_lots", many=True)

    class Meta:
        model = StockLevel
        fields = ["item", "warehouse", "on_hand", "reserved", "available", "lots"]
        read_only_fields = fields


class StockMoveSerializer(serializers.ModelSerializer):
    """A ledger row. `quantity` is in the item's stock unit (`uom`); adjustments are signed."""

    item_id = serializers.UUIDField()
    item = ItemRefSerializer()
    uom = serializers.CharField(source="item.uom.symbol")
    from_warehouse_id = serializers.UUIDField(allow_null=True)
    from_warehouse = WarehouseRefSerializer(allow_null=True)
    to_warehouse_id = serializers.UUIDField(allow_null=True)
    to_warehouse = WarehouseRefSerializer(allow_null=True)
    lot_id = serializers.UUIDField(allow_null=True)
    # Null without a lot / a user (DRF answers None for a path through a null relation when the
    # field allows null). No `default`: a default would make the schema call them optional.
    lot_number = serializers.CharField(source="lot.number", allow_null=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "kind",
            "item_id",
            "item",
            "quantity",
            "uom",
            "from_warehouse_id",
            "from_warehouse",
            "to_warehouse_id",
            "to_warehouse",
            "lot_id",
            "lot_number",
            "reference",
            "note",
            "production_order_id",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class StockPostingSerializer(StockMoveSerializer):
    """The answer to `POST /moves`: the first move written, with `quantity` the total of the
    posting; `moves` lists every move written (one per lot when an outgoing quantity is picked
    from several lots)."""

    quantity = serializers.SerializerMethodField()
    lot_id = serializers.SerializerMethodField()
    lot_number = serializers.SerializerMethodField()
    moves = serializers.SerializerMethodField()

    class Meta(StockMoveSerializer.Meta):
        fields = [*StockMoveSerializer.Meta.fields, "moves"]
        read_only_fields = fields

    def _moves(self) -> list[StockMove]:
        return self.context["moves"]

    def _single_lot(self):
        lots = {move.lot_id for move in self._moves()}
        return self._moves()[0].lot if len(lots) == 1 else None

    def get_quantity(self, obj) -> float:
        return sum(move.quantity for move in self._moves())

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_lot_id(self, obj) -> str | None:
        lot = self._single_lot()
        return str(lot.pk) if lot else None

    def get_lot_number(self, obj) -> str | None:
        lot = self._single_lot()
        return lot.number if lot else None

    @extend_schema_field(StockMoveSerializer(many=True))
    def get_moves(self, obj) -> list[dict]:
        return StockMoveSerializer(self._moves(), many=True).data


class StockMoveInputSerializer(InputSerializer):
    # The kinds a client may post: an enum of its own, beside the ledger's `KindEnum`.
    kind = NamedChoiceField(
        choices=[(k, MoveKind(k).label) for k in MANUAL_KINDS], enum_name="StockMovePostKindEnum"
    )
    item_id = serializers.UUIDField()
    quantity = QuantityField(sign="any")  # its sign depends on the kind: the service judges
    uom = serializers.SlugRelatedField(
        slug_field="symbol",
        queryset=UnitOfMeasure.objects.all(),
        required=False,
        allow_null=True,
    )
    from_warehouse_id = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    to_warehouse_id = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    lot_number = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def to_service_kwargs(self) -> dict:
        """The service's arguments; an unknown or archived item is 400 `item_not_found`."""
        data = dict(self.validated_data)
        item = Item.objects.select_related("uom").filter(pk=data.pop("item_id")).first()
        if item is None:
            raise ItemNotFound(
                "No active item with this id.", errors={"itemId": ["No active item with this id."]}
            )
        data["from_warehouse"] = data.pop("from_warehouse_id", None)
        data["to_warehouse"] = data.pop("to_warehouse_id", None)
        return {**data, "item": item}


class ReservationSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer()
    uom = serializers.CharField(source="item.uom.symbol")
    warehouse = WarehouseRefSerializer()

    class Meta:
        model = Reservation
        fields = [
            "id",
            "item",
            "warehouse",
            "quantity",
            "uom",
            "production_order_id",
            "reference",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- lot genealogy (the schema of `representations.trace_body`) --------------------------------


class TraceQuerySerializer(QuerySerializer):
    direction = serializers.ChoiceField(choices=DIRECTIONS, required=False, default=BACK)


class LotStockSerializer(serializers.Serializer):
    warehouse = WarehouseRefSerializer()
    quantity = serializers.DecimalField(**QTY)


class LotIssueSerializer(serializers.Serializer):
    move_id = serializers.UUIDField()
    warehouse = WarehouseRefSerializer()
    quantity = serializers.DecimalField(**QTY)
    reference = serializers.CharField()
    created_at = serializers.DateTimeField()


class TraceLotSerializer(serializers.Serializer):
    """A lot of a trace: `level` links away from the traced lot (0 for it), with where it is
    now: on hand per warehouse (non-zero balances) and issued out of stock."""

    id = serializers.UUIDField()
    number = serializers.CharField()
    item = ItemRefSerializer()
    uom = serializers.CharField()
    level = serializers.IntegerField()
    on_hand = LotStockSerializer(many=True)
    issued = LotIssueSerializer(many=True)


class TraceLinkSerializer(serializers.Serializer):
    """A production order that consumed `consumedQuantity` of one lot (over all its batches)
    and produced `producedQuantity` of another."""

    level = serializers.IntegerField()
    production_order_id = serializers.UUIDField()
    order_reference = serializers.CharField()
    consumed_lot_id = serializers.UUIDField()
    consumed_quantity = serializers.DecimalField(**QTY)
    produced_lot_id = serializers.UUIDField()
    produced_quantity = serializers.DecimalField(**QTY)


class LotTraceSerializer(RepresentedSerializer):
    """The schema of a lot trace; its body is `inventory.representations.trace_body`."""

    class Meta:
        list_serializer_class = BodiesListSerializer

    @classmethod
    def bodies(cls, instances):
        from inventory.representations import trace_body

        return [trace_body(trace) for trace in instances]

    direction = serializers.ChoiceField(choices=DIRECTIONS)
    depth = serializers.IntegerField()
    lot = TraceLotSerializer()
    lots = TraceLotSerializer(many=True)
    links = TraceLinkSerializer(many=True)
