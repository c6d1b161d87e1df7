from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from config.api.responses import rendered_now
from config.api.viewsets import ApiViewSet, SoftDeleteViewSet
from config.memory import gc_paused
from inventory import selectors
from inventory.filters import (
    LotFilter,
    ReservationFilter,
    StockLevelFilter,
    StockMoveFilter,
    WarehouseFilter,
)
from inventory.genealogy import DIRECTIONS, lot_trace
from inventory.permissions import RECORD_MOVE
from inventory.representations import trace_body
from inventory.serializers import (
    LotSerializer,
    LotTraceSerializer,
    ReservationSerializer,
    StockLevelSerializer,
    StockMoveInputSerializer,
    StockMoveSerializer,
    StockPostingSerializer,
    TraceQuerySerializer,
    WarehouseInputSerializer,
    WarehouseSerializer,
)
from inventory.services.moves import stock_move_post
from inventory.services.warehouses import (
    warehouse_archive,
    warehouse_create,
    warehouse_restore,
    warehouse_update,
)


class MethodFirstMixin:
    """A method the endpoint does not have is 405 for every authenticated user, before model
    permissions are asked (there is no permission to hold for a verb that does not exist)."""

    def check_permissions(self, request):
        if request.user.is_authenticated and request.method not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)


@extend_schema_view(
    create=extend_schema(request=WarehouseInputSerializer, responses={201: WarehouseSerializer}),
    update=extend_schema(request=WarehouseInputSerializer, responses={200: WarehouseSerializer}),
    partial_update=extend_schema(
        request=WarehouseInputSerializer, responses={200: WarehouseSerializer}
    ),
    destroy=extend_schema(responses={204: None}),
)
class WarehouseViewSet(
    MethodFirstMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SoftDeleteViewSet,
):
    """Warehouses; `DELETE` archives (409 `invalid_state` while stock is on hand)."""

    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilter
    search_fields = ["code", "name"]
    sort_fields = {"code": "code", "name": "name", "createdAt": "created_at"}
    default_sort = ("code",)
    action_permissions = {"restore": ["inventory.restore_warehouse"]}

    def get_queryset(self):
        return selectors.warehouse_list()

    def create(self, request, *args, **kwargs):
        data = WarehouseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warehouse = warehouse_create(**data.validated_data, actor=request.user)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        warehouse = self.get_object()
        partial = kwargs.get("partial", False)
        data = WarehouseInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        warehouse = warehouse_update(
            warehouse=warehouse, data=data.validated_data, actor=request.user
        )
        return Response(WarehouseSerializer(warehouse).data)

    def perform_destroy(self, instance):
        warehouse_archive(warehouse=instance, actor=self.request.user)

    @extend_schema(request=None, responses={200: WarehouseSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        warehouse = warehouse_restore(warehouse=self.get_object(), actor=request.user)
        return Response(WarehouseSerializer(warehouse).data)


class LotViewSet(MethodFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Lots, created by receipts and production."""

    serializer_class = LotSerializer
    filterset_class = LotFilter
    search_fields = ["number", "item__number"]
    sort_fields = {"number": "number", "createdAt": "created_at"}
    default_sort = ("createdAt",)

    def get_queryset(self):
        return selectors.lot_list()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "direction",
                str,
                enum=list(DIRECTIONS),
                description="back (default): the component lots it was made of, every level "
                "down; forward: the lots it went into, every level up, and where they are now",
            ),
        ],
        responses={200: LotTraceSerializer},
    )
    @action(detail=True, methods=["get"])
    def trace(self, request, pk=None):
        params = TraceQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        lot = self.get_object()
        # Some 30,000 objects alive until the body is written, and no garbage: the collector
        # waits until they are freed (config.memory, config.api.responses).
        with gc_paused():
            trace = lot_trace(lot=lot, direction=params.validated_data["direction"])
            body = trace_body(trace)  # = LotTraceSerializer
            del trace
            response = rendered_now(self, body)
            del body
        return response


class StockLevelViewSet(MethodFirstMixin, mixins.ListModelMixin, ApiViewSet):
    """One row per item and warehouse, with the lots on hand (oldest first)."""

    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilter
    search_fields = ["item__number", "item__name"]
    sort_fields = {
        "itemNumber": "item__number",
        "warehouseCode": "warehouse__code",
        "onHand": "on_hand",
        "reserved": "reserved",
    }
    default_sort = ("itemNumber", "warehouseCode")

    def get_queryset(self):
        return selectors.stock_level_list()


@extend_schema_view(
    create=extend_schema(request=StockMoveInputSerializer, responses={201: StockPostingSerializer})
)
class StockMoveViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ApiViewSet,
):
    """The immutable ledger: read it, or record a move (its own permission, so the project's
    `actions` throttle applies to it). PUT, PATCH and DELETE are 405."""

    serializer_class = StockMoveSerializer
    filterset_class = StockMoveFilter
    search_fields = ["reference", "item__number", "lot__number"]
    sort_fields = {"createdAt": "created_at"}
    default_sort = ("-createdAt",)
    action_permissions = {"create": [RECORD_MOVE]}

    def get_queryset(self):
        return selectors.stock_move_list()

    def create(self, request, *args, **kwargs):
        data = StockMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moves = stock_move_post(**data.to_service_kwargs(), actor=request.user)
        body = StockPostingSerializer(moves[0], context={"moves": moves}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ReservationViewSet(MethodFirstMixin, mixins.ListModelMixin, ApiViewSet):
    """Open reservations (what production orders hold)."""

    serializer_class = ReservationSerializer
    filterset_class = ReservationFilter
    search_fields = ["reference", "item__number", "item__name"]
    sort_fields = {"createdAt": "created_at", "quantity": "quantity"}
    default_sort = ("createdAt",)

    def get_queryset(self):
        return selectors.reservation_list()
