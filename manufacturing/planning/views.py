"""Planning over the API (`/api/planning/…`): parse, call one service or selector, serialize."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.viewsets import ApiViewSet, SoftDeleteViewSet
from config.exceptions import NotFound
from items.models import Item
from manufacturing.planning import selectors, services
from manufacturing.planning.filters import DemandFilter, PlanExceptionFilter, PlannedOrderFilter
from manufacturing.planning.models import ItemPlanning, PlanException, PlanningRun
from manufacturing.planning.serializers import (
    DemandInputSerializer,
    DemandSerializer,
    ParametersInputSerializer,
    ParametersSerializer,
    PeggingNodeSerializer,
    PlanExceptionSerializer,
    PlannedOrderSerializer,
    ProjectionSerializer,
    RunInputSerializer,
    RunSerializer,
    projection_body,
)


@extend_schema_view(
    create=extend_schema(request=DemandInputSerializer, responses={201: DemandSerializer}),
    partial_update=extend_schema(request=DemandInputSerializer, responses={200: DemandSerializer}),
    destroy=extend_schema(summary="Delete a demand (soft)", responses={204: None}),
)
class DemandViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, SoftDeleteViewSet
):
    serializer_class = DemandSerializer
    filterset_class = DemandFilter
    search_fields = ["reference", "notes", "item__number", "item__name"]
    sort_fields = {"dueDate": "due_date", "createdAt": "created_at", "quantity": "quantity"}
    default_sort = ("dueDate",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.demand_list()

    def create(self, request, *args, **kwargs):
        data = DemandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        demand = services.demand_create(**data.validated_data, actor=request.user)
        return Response(DemandSerializer(demand).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        demand = self.get_object()
        data = DemandInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        demand = services.demand_update(
            demand=demand, data=dict(data.validated_data), actor=request.user
        )
        return Response(DemandSerializer(demand).data)

    def perform_destroy(self, instance):
        services.demand_delete(demand=instance, actor=self.request.user)


class PlanningItemViewSet(ApiViewSet):
    """`/api/planning/items/{id}/parameters` (GET, PUT) and `/projection` (GET): an item as MRP
    sees it."""

    queryset = ItemPlanning.objects.none()
    action_permissions = {
        "parameters": ["manufacturing.view_itemplanning"],
        "parameters_update": ["manufacturing.change_itemplanning"],
        "projection": ["manufacturing.view_planitem"],
    }

    def get_queryset(self):
        return Item.all_objects.select_related("uom")

    def _parameters(self, item) -> Response:
        body = selectors.item_parameters(item=item)
        return Response(ParametersSerializer(body.__dict__).data)

    @extend_schema(summary="An item's planning parameters", responses={200: ParametersSerializer})
    @action(detail=True, methods=["get"])
    def parameters(self, request, pk=None):
        return self._parameters(self.get_object())

    @extend_schema(
        summary="Set an item's planning parameters",
        request=ParametersInputSerializer,
        responses={200: ParametersSerializer},
    )
    @parameters.mapping.put
    def parameters_update(self, request, pk=None):
        item = self.get_object()
        data = ParametersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "procurement" not in values:
            values["procurement"] = selectors.item_parameters(item=item).procurement
        services.planning_parameters_set(item=item, **values, actor=request.user)
        return self._parameters(item)

    @extend_schema(
        summary="The item's time-phased projection in the current plan (404 before any plan)",
        responses={200: ProjectionSerializer},
    )
    @action(detail=True, methods=["get"])
    def projection(self, request, pk=None):
        item = self.get_object()
        plan_item, run = selectors.item_projection(item=item)
        if run is None:
            raise NotFound("There is no plan yet: run MRP first.")
        return Response(ProjectionSerializer(projection_body(item, plan_item, run)).data)


@extend_schema_view(
    create=extend_schema(
        summary="Start an MRP run in the background",
        request=RunInputSerializer,
        responses={202: RunSerializer},
    ),
)
class PlanningRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ApiViewSet
):
    serializer_class = RunSerializer
    sort_fields = {"createdAt": "created_at"}
    default_sort = ("-createdAt",)
    action_permissions = {"create": ["manufacturing.run_planningrun"]}

    def get_queryset(self):
        return selectors.run_list()

    def create(self, request, *args, **kwargs):
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.mrp_run_start(actor=request.user, **data.validated_data)
        run = PlanningRun.objects.select_related("created_by", "job").get(pk=run.pk)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PlannedOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The current plan's planned orders."""

    serializer_class = PlannedOrderSerializer
    filterset_class = PlannedOrderFilter
    search_fields = ["item__number", "item__name"]
    sort_fields = {
        "dueDate": "due_date",
        "startDate": "start_date",
        "quantity": "quantity",
        "level": "level",
        "item": "item__number",
        "position": "position",
    }
    default_sort = ("position",)
    action_permissions = {"firm": ["manufacturing.firm_plannedorder"]}

    def get_queryset(self):
        return selectors.planned_order_list()

    @extend_schema(
        summary="Why the planned order exists: its pegging, up to the demands",
        responses={200: PeggingNodeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def pegging(self, request, pk=None):
        tree = selectors.planned_order_pegging(planned_order=self.get_object())
        page = self.paginate_queryset(tree)
        return self.get_paginated_response(PeggingNodeSerializer(page, many=True).data)

    @extend_schema(
        summary="Firm: create the draft production order the planned order proposes",
        request=None,
        responses={200: PlannedOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def firm(self, request, pk=None):
        order = services.planned_order_firm(planned_order=self.get_object(), actor=request.user)
        fresh = selectors.planned_order_list().get(pk=order.pk)
        return Response(PlannedOrderSerializer(fresh).data)


class PlanExceptionViewSet(mixins.ListModelMixin, ApiViewSet):
    """The current plan's exceptions."""

    serializer_class = PlanExceptionSerializer
    filterset_class = PlanExceptionFilter
    sort_fields = {"date": "date", "position": "position"}
    default_sort = ("position",)

    def get_queryset(self):
        return PlanException.objects.filter(run__is_current=True).select_related("item")
