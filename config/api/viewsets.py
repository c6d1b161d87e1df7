"""Viewset bases: filters apply to list actions only, so a detail stays readable by id even
when a list would hide it (archived rows)."""

from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError

from config.api.idempotent import IdempotentPostMixin


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    list_actions: tuple[str, ...] = ("list",)
    action_permissions: dict[str, list[str]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL text cannot hold NUL: `?search=%00` or `?number=%00` was a DataError (500).
        nul = {
            name: ["Null characters are not allowed."]
            for name, values in request.query_params.lists()
            if any("\x00" in value for value in values)
        }
        if nul:
            raise ValidationError(nul)
        if request.method in ("POST", "PUT", "PATCH"):
            # Parse every write's body here, whether its action reads one or not: a body too
            # deep, too large or not text (config.api.parsers) is refused before any action
            # runs; `confirm` with a malformed body confirmed the order.
            request.data  # noqa: B018

    def filter_queryset(self, queryset):
        if self.action in self.list_actions:
            return super().filter_queryset(queryset)
        return queryset


class SoftDeleteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ApiViewSet,
):
    """Archived rows are readable by id; writing to one is a 404 until it is restored."""

    write_actions = ("update", "partial_update", "destroy")

    def get_object(self):
        obj = super().get_object()
        if self.action in self.write_actions and obj.deleted_at is not None:
            raise NotFound("This record is archived; restore it first.")
        return obj
