"""Production orders and work orders over the API: parse, call one service, serialize."""

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.api.history import HistoryEntrySerializer
from config.api.viewsets import ApiViewSet, SoftDeleteViewSet
from manufacturing.boms.selectors import bom_headers
from manufacturing.orders import services as order_services
from manufacturing.orders import services as work_order_services
from manufacturing.orders.filters import ProductionOrderFilter, WorkOrderFilter
from manufacturing.orders.selectors import (
    order_bom_impact,
    order_work_orders,
    production_order_detail,
    production_order_header,
    production_order_history,
    production_order_list,
    work_order_list,
)
from manufacturing.orders.serializers import (
    BOMImpactSerializer,
    ProduceInputSerializer,
    ProductionOrderDetailSerializer,
    ProductionOrderInputSerializer,
    ProductionOrderSerializer,
    QueueWorkOrderSerializer,
    RebaseInputSerializer,
    WorkOrderDoneInputSerializer,
    WorkOrderSerializer,
)
from manufacturing.permissions import ORDER_ACTIONS

WO_PATH = r"work-orders/(?P<wo_id>[^/]+)"
WO_ID = OpenApiParameter("wo_id", str, OpenApiParameter.PATH, description="Work order id")


def _work_order_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("No such work order on this production order.") from None


@extend_schema_view(
    create=extend_schema(
        request=ProductionOrderInputSerializer, responses={201: ProductionOrderDetailSerializer}
    ),
    retrieve=extend_schema(responses={200: ProductionOrderDetailSerializer}),
    partial_update=extend_schema(
        request=ProductionOrderInputSerializer, responses={200: ProductionOrderDetailSerializer}
    ),
    destroy=extend_schema(summary="Delete a draft order (soft)", responses={204: None}),
)
class ProductionOrderViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, SoftDeleteViewSet
):
    serializer_class = ProductionOrderSerializer
    filterset_class = ProductionOrderFilter
    search_fields = ["reference", "customer", "product__number", "product__name"]
    sort_fields = {
        "scheduledDate": "scheduled_date",
        "dueDate": "due_date",
        "priority": "priority_rank",
        "createdAt": "created_at",
        "reference": "reference",
    }
    default_sort = ("-createdAt",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_actions = ("partial_update", "destroy")
    action_permissions = {action: [perm] for action, perm in ORDER_ACTIONS.items()}

    def get_queryset(self):
        if self.action == "list":
            return production_order_list()
        if self.action == "retrieve":
            return production_order_detail()
        # history, work orders and every write (the services re-read the order under lock and
        # _detail reads it again): the order alone.
        return production_order_header()

    def _detail(self, order, status_code=status.HTTP_200_OK) -> Response:
        fresh = production_order_detail().get(pk=order.pk)
        return Response(ProductionOrderDetailSerializer(fresh).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return Response(ProductionOrderDetailSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        data = ProductionOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_services.production_order_create(**data.validated_data, actor=request.user)
        return self._detail(order, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        order = self.get_object()
        data = ProductionOrderInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        order = order_services.production_order_update(
            order=order, data=dict(data.validated_data), actor=request.user
        )
        return self._detail(order)

    def perform_destroy(self, instance):
        order_services.production_order_delete(order=instance, actor=self.request.user)

    @extend_schema(
        summary="Confirm: reserve the requirements and create the work orders",
        request=None,
        responses={200: ProductionOrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = order_services.production_order_confirm(order=self.get_object(), actor=request.user)
        return self._detail(order)

    @extend_schema(
        summary="Record production",
        request=ProduceInputSerializer,
        responses={200: ProductionOrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def produce(self, request, pk=None):
        data = ProduceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_services.production_order_produce(
            order=self.get_object(),
            qty=data.validated_data["qty"],
            lot_number=data.validated_data.get("lot_number"),
            actor=request.user,
        )
        return self._detail(order)

    @extend_schema(
        summary="Close: release what is left, cancel open work orders",
        request=None,
        responses={200: ProductionOrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = order_services.production_order_close(order=self.get_object(), actor=request.user)
        return self._detail(order)

    @extend_schema(
        summary="Cancel: release reservations (consumed stays consumed)",
        request=None,
        responses={200: ProductionOrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = order_services.production_order_cancel(order=self.get_object(), actor=request.user)
        return self._detail(order)

    @extend_schema(
        summary="Rebase onto another submitted BOM version (draft, or confirmed and not started)",
        request=RebaseInputSerializer,
        responses={200: ProductionOrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def rebase(self, request, pk=None):
        data = RebaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_services.production_order_rebase(
            order=self.get_object(), bom=data.validated_data["bom"], actor=request.user
        )
        return self._detail(order)

    @extend_schema(
        summary="Who changed the order, and when (newest first)",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        entries = production_order_history(order=self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="The order's work orders, by sequence",
        responses={200: WorkOrderSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="work-orders")
    def work_orders(self, request, pk=None):
        rows = order_work_orders(order_id=self.get_object().pk).order_by("sequence")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WorkOrderSerializer(page, many=True).data)

    def _work_order(self, service, request, wo_id, **kwargs) -> Response:
        work_order = service(
            order=self.get_object(),
            work_order_id=_work_order_id(wo_id),
            actor=request.user,
            **kwargs,
        )
        fresh = order_work_orders(order_id=work_order.order_id).get(pk=work_order.pk)
        return Response(WorkOrderSerializer(fresh).data)

    @extend_schema(
        summary="Start (or restart) a work order",
        parameters=[WO_ID],
        request=None,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"], url_path=f"{WO_PATH}/start")
    def work_order_start(self, request, pk=None, wo_id=None):
        return self._work_order(work_order_services.work_order_start, request, wo_id)

    @extend_schema(
        summary="Pause a running work order",
        parameters=[WO_ID],
        request=None,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"], url_path=f"{WO_PATH}/pause")
    def work_order_pause(self, request, pk=None, wo_id=None):
        return self._work_order(work_order_services.work_order_pause, request, wo_id)

    @extend_schema(
        summary="Resume a paused work order",
        parameters=[WO_ID],
        request=None,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"], url_path=f"{WO_PATH}/resume")
    def work_order_resume(self, request, pk=None, wo_id=None):
        return self._work_order(work_order_services.work_order_resume, request, wo_id)

    @extend_schema(
        summary="Finish a work order",
        parameters=[WO_ID],
        request=WorkOrderDoneInputSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"], url_path=f"{WO_PATH}/done")
    def work_order_done(self, request, pk=None, wo_id=None):
        data = WorkOrderDoneInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._work_order(
            work_order_services.work_order_done,
            request,
            wo_id,
            duration_minutes=data.validated_data.get("duration_minutes"),
            notes=data.validated_data.get("notes"),
        )


class WorkOrderQueueViewSet(mixins.ListModelMixin, ApiViewSet):
    """The shop-floor queue across orders (seed 003)."""

    serializer_class = QueueWorkOrderSerializer
    filterset_class = WorkOrderFilter
    search_fields = ["reference", "name", "order__reference", "workcenter__name"]
    sort_fields = {
        "priority": "order__priority_rank",
        "dueDate": "order__due_date",
        "scheduledDate": "order__scheduled_date",
        "sequence": "sequence",
    }
    default_sort = ("-priority", "dueDate", "sequence")

    def get_queryset(self):
        return work_order_list()


class BOMImpactViewSet(ApiViewSet):
    """`GET /api/manufacturing/boms/{id}/impact`: a read about orders, so it lives with them
    (the BOM area knows nothing of orders)."""

    serializer_class = BOMImpactSerializer

    def get_queryset(self):
        return bom_headers()

    @extend_schema(
        summary="The open orders of the product on other versions, and what this one changes",
        responses={200: BOMImpactSerializer},
    )
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        bom = self.get_object()
        body = {"bom": bom, "orders": order_bom_impact(bom=bom)}
        return Response(BOMImpactSerializer(body).data)
