from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.history import HistoryEntrySerializer
from config.api.responses import rendered_now
from config.api.viewsets import SoftDeleteViewSet
from config.exceptions import NotFound
from config.memory import gc_paused
from manufacturing.boms.compare import bom_compare
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.filters import BOMFieldsFilter, BOMFilter, WorkcenterFilter
from manufacturing.boms.references import bom_input_resolve
from manufacturing.boms.representations import bom_bodies, explosion_body
from manufacturing.boms.selectors import (
    bom_headers,
    bom_history,
    bom_previous_version,
    workcenter_list,
)
from manufacturing.boms.serializers import (
    BOMCompareQuerySerializer,
    BOMComparisonSerializer,
    BOMComponentsInputSerializer,
    BOMInputSerializer,
    BOMSerializer,
    ExplosionQuerySerializer,
    ExplosionSerializer,
    WorkcenterInputSerializer,
    WorkcenterSerializer,
)
from manufacturing.boms.services import (
    bom_archive,
    bom_cancel,
    bom_copy,
    bom_create,
    bom_submit,
    bom_sync_components,
    bom_unarchive,
    bom_update,
    workcenter_archive,
    workcenter_create,
    workcenter_restore,
    workcenter_update,
)
from manufacturing.boms.specs import BOMSpec
from manufacturing.permissions import BOM_ACTIONS

# --- workcenters ----------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=WorkcenterInputSerializer, responses={201: WorkcenterSerializer}),
    partial_update=extend_schema(
        request=WorkcenterInputSerializer, responses={200: WorkcenterSerializer}
    ),
)
class WorkcenterViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SoftDeleteViewSet,
):
    serializer_class = WorkcenterSerializer
    filterset_class = WorkcenterFilter
    search_fields = ["code", "name"]
    sort_fields = {
        "code": "code",
        "name": "name",
        "hourlyCost": "hourly_cost",
        "createdAt": "created_at",
    }
    default_sort = ("code",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions = {"restore": ["manufacturing.restore_workcenter"]}

    def get_queryset(self):
        return workcenter_list()

    def create(self, request, *args, **kwargs):
        data = WorkcenterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workcenter = workcenter_create(**data.validated_data, actor=request.user)
        return Response(WorkcenterSerializer(workcenter).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        workcenter = self.get_object()
        data = WorkcenterInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        workcenter = workcenter_update(
            workcenter=workcenter, data=data.validated_data, actor=request.user
        )
        return Response(WorkcenterSerializer(workcenter).data)

    def perform_destroy(self, instance):
        workcenter_archive(workcenter=instance, actor=self.request.user)

    @extend_schema(request=None, responses={200: WorkcenterSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        workcenter = workcenter_restore(workcenter=self.get_object(), actor=request.user)
        return Response(WorkcenterSerializer(workcenter).data)


# --- bills of materials ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List bills of materials"),
    create=extend_schema(
        summary="Create a BOM", request=BOMInputSerializer, responses={201: BOMSerializer}
    ),
    retrieve=extend_schema(summary="Get a BOM (archived ones too)"),
    update=extend_schema(
        summary="Replace a BOM", request=BOMInputSerializer, responses={200: BOMSerializer}
    ),
    partial_update=extend_schema(
        summary="Update a BOM; components or operations, when given, replace the whole set",
        request=BOMInputSerializer,
        responses={200: BOMSerializer},
    ),
    destroy=extend_schema(summary="Archive a BOM", responses={204: None}),
)
class BOMViewSet(mixins.DestroyModelMixin, SoftDeleteViewSet):
    """Action endpoints (those in `action_permissions`) are throttled by config's ActionThrottle."""

    serializer_class = BOMSerializer
    search_fields = ["number", "name", "description", "product__number", "product__name"]
    sort_fields = {
        "number": "number",
        "name": "name",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
    }
    default_sort = ("number",)
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    list_actions = ("list", "archived")
    write_actions = ("update", "partial_update", "destroy", "components", "submit", "cancel")
    # DELETE archives: an action of its own (API.md), not the model's delete permission.
    action_permissions = {
        ("destroy" if action == "archive" else action): [perm]
        for action, perm in BOM_ACTIONS.items()
    }

    @property
    def filterset_class(self):
        return BOMFieldsFilter if self.action == "archived" else BOMFilter

    def get_queryset(self):
        # Every answer is `bom_bodies` (= BOMSerializer), which reads the lines as rows; the
        # writes re-read under lock and answer through _respond.
        return bom_headers()

    def _respond(self, bom, status_code=status.HTTP_200_OK) -> Response:
        """A write's answer: the BOM as it is now, the body a GET of it gives, byte for byte."""
        return Response(bom_bodies([bom_headers().get(pk=bom.pk)])[0], status=status_code)

    def _input(self, request, *, partial: bool) -> BOMSpec:
        """POST and PATCH: what was given; PUT: a full replace (BOMSpec's PUT defaults)."""
        data = BOMInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return bom_input_resolve(data.validated_data, put=request.method == "PUT")

    def create(self, request, *args, **kwargs):
        bom = bom_create(spec=self._input(request, partial=False), actor=request.user)
        return self._respond(bom, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        bom = self.get_object()
        spec = self._input(request, partial=bool(kwargs.get("partial")))
        bom = bom_update(bom=bom, spec=spec, actor=request.user)
        return self._respond(bom)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_destroy(self, instance):
        bom_archive(bom=instance, actor=self.request.user)

    @extend_schema(
        summary="Sync the lines: add new, update changed, remove missing (keyed by item)",
        request=BOMComponentsInputSerializer,
        responses={200: BOMSerializer},
    )
    @action(detail=True, methods=["put"])
    def components(self, request, pk=None):
        bom = self.get_object()
        data = BOMComponentsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        spec = bom_input_resolve(data.validated_data)
        bom = bom_sync_components(bom=bom, components=spec.components, actor=request.user)
        return self._respond(bom)

    @extend_schema(summary="Submit a draft BOM", request=None, responses={200: BOMSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(bom_submit(bom=self.get_object(), actor=request.user))

    @extend_schema(summary="Cancel a submitted BOM", request=None, responses={200: BOMSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._respond(bom_cancel(bom=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Copy to a new draft version", request=None, responses={201: BOMSerializer}
    )
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        bom = bom_copy(bom=self.get_object(), actor=request.user)
        return self._respond(bom, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Bring an archived BOM back", request=None, responses={200: BOMSerializer}
    )
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        return self._respond(bom_unarchive(bom=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Who changed the BOM, its lines and operations, and when (newest first)",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        entries = bom_history(bom=self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)

    @extend_schema(summary="The archived BOMs", responses={200: BOMSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def archived(self, request):
        queryset = self.filter_queryset(self.get_queryset().filter(deleted_at__isnull=False))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(bom_bodies(page))

    @extend_schema(
        summary="Explode the BOM: requirements, totals per item and cost",
        parameters=[
            OpenApiParameter(
                "quantity", float, description="Quantity to build (default: the BOM's quantity)"
            ),
            OpenApiParameter("levels", str, enum=["all", "1"], description="all (default) or 1"),
        ],
        responses={200: ExplosionSerializer},
    )
    @action(detail=True, methods=["get"])
    def explosion(self, request, pk=None):
        params = ExplosionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        bom = self.get_object()
        # Tens of thousands of objects alive until the body is written, and no garbage: the
        # collector waits until they are freed (config.memory, config.api.responses).
        with gc_paused():
            explosion = bom_explode(
                bom=bom,
                quantity=params.validated_data.get("quantity"),
                levels=params.validated_data["levels"],
            )
            body = explosion_body(explosion)  # ExplosionSerializer's body, camelCase already
            del explosion
            response = rendered_now(self, body)
            del body
        return response

    @extend_schema(
        summary="Compare with another BOM: lines, operations, header, requirements and cost",
        parameters=[
            OpenApiParameter(
                "with",
                OpenApiTypes.UUID,
                description="The other BOM's id (default: the previous version of the product)",
            ),
            OpenApiParameter(
                "levels",
                str,
                enum=["1", "all"],
                description="1 (default): the BOM's own components; all: exploded to the leaves",
            ),
        ],
        responses={200: BOMComparisonSerializer},
    )
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None):
        params = BOMCompareQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        base = self.get_object()
        if "with" in params.validated_data:
            other = bom_headers().filter(pk=params.validated_data["with"]).first()
            if other is None:
                raise NotFound("No BOM with the id given in `with`.")
        else:
            # The previous version by default; a product's first BOM is compared with itself.
            other = bom_previous_version(bom=base) or base
        comparison = bom_compare(base=base, other=other, levels=params.validated_data["levels"])
        return Response(BOMComparisonSerializer(comparison).data)

    # Defined last: `list` would shadow the builtin in the annotations of the class body.
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(bom_bodies(page))  # BOMSerializer's body

    def retrieve(self, request, *args, **kwargs):
        return Response(bom_bodies([self.get_object()])[0])
