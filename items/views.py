from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.responses import rendered_now
from config.api.viewsets import SoftDeleteViewSet
from config.levels import levels_parse
from config.memory import gc_paused
from items import selectors, services
from items.filters import ItemFilter, UnitOfMeasureFilter
from items.live_count import live_items_total
from items.representations import ITEM_ROW_FIELDS, item_rows, where_used_rows
from items.serializers import (
    ItemInputSerializer,
    ItemSerializer,
    UnitOfMeasureInputSerializer,
    UnitOfMeasureSerializer,
    WhereUsedSerializer,
)

# Parameters that change neither which items are listed nor how many.
UNFILTERED = frozenset({"page", "limit", "sort"})


@extend_schema_view(
    create=extend_schema(
        request=UnitOfMeasureInputSerializer, responses={201: UnitOfMeasureSerializer}
    ),
    partial_update=extend_schema(
        request=UnitOfMeasureInputSerializer, responses={200: UnitOfMeasureSerializer}
    ),
)
class UnitOfMeasureViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SoftDeleteViewSet,
):
    serializer_class = UnitOfMeasureSerializer
    filterset_class = UnitOfMeasureFilter
    search_fields = ["symbol", "name"]
    sort_fields = {"symbol": "symbol", "name": "name", "category": "category"}
    default_sort = ("category", "symbol")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {"restore": ["items.restore_unitofmeasure"]}

    def get_queryset(self):
        return selectors.uom_list()

    def create(self, request, *args, **kwargs):
        data = UnitOfMeasureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        uom = services.uom_create(**data.validated_data, actor=request.user)
        return Response(UnitOfMeasureSerializer(uom).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        uom = self.get_object()
        data = UnitOfMeasureInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        uom = services.uom_update(uom=uom, data=data.validated_data, actor=request.user)
        return Response(UnitOfMeasureSerializer(uom).data)

    def perform_destroy(self, instance):
        services.uom_archive(uom=instance, actor=self.request.user)

    @extend_schema(request=None, responses={200: UnitOfMeasureSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        uom = services.uom_restore(uom=self.get_object(), actor=request.user)
        return Response(UnitOfMeasureSerializer(uom).data)


@extend_schema_view(
    create=extend_schema(request=ItemInputSerializer, responses={201: ItemSerializer}),
    partial_update=extend_schema(request=ItemInputSerializer, responses={200: ItemSerializer}),
)
class ItemViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SoftDeleteViewSet,
):
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    search_fields = ["number", "name", "description"]
    sort_fields = {"number": "number", "name": "name", "createdAt": "created_at"}
    default_sort = ("number",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {"restore": ["items.restore_item"]}

    def get_queryset(self):
        return selectors.item_list()

    def list(self, request, *args, **kwargs):
        # Rows of values and a hand-built body: = ItemSerializer(page, many=True).data. The
        # filtered queryset depends on the query parameters alone (paginate_rows).
        rows = self.paginator.paginate_rows(
            lambda: self.filter_queryset(self.get_queryset()),
            request,
            self,
            values=ITEM_ROW_FIELDS,
            # No filter, no search: every live item, whose count the database keeps.
            total=live_items_total if request.query_params.keys() <= UNFILTERED else None,
        )
        return self.paginator.get_paginated_response(item_rows(rows), camelized=True)

    def create(self, request, *args, **kwargs):
        data = ItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.item_create(**data.validated_data, actor=request.user)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        data = ItemInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = services.item_update(item=item, data=data.validated_data, actor=request.user)
        return Response(ItemSerializer(item).data)

    def perform_destroy(self, instance):
        services.item_archive(item=instance, actor=self.request.user)

    @extend_schema(request=None, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        item = services.item_restore(item=self.get_object(), actor=request.user)
        return Response(ItemSerializer(item).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("levels", str, enum=["1", "all"], description="1 (default) or all"),
        ],
        responses={200: WhereUsedSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="where-used")
    def where_used(self, request, pk=None):
        levels = levels_parse(request.query_params.get("levels"), default="1")
        item = self.get_object()
        # Thousands of rows alive until the page is written, and no garbage: the collector
        # waits until they are freed (config.memory, config.api.responses).
        with gc_paused():
            rows = selectors.item_where_used(item=item, levels=levels)
            page = self.paginate_queryset(rows)
            del rows
            response = rendered_now(
                self,
                self.get_paginated_response(where_used_rows(page)),  # = WhereUsedSerializer
            )
            del page
        return response
