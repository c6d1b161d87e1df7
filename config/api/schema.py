"""OpenAPI: every operation documents its problem+json error responses."""

from drf_spectacular.authentication import SessionScheme as BaseSessionScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )

    class Meta:
        ref_name = "Problem"


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are published as a named enum component (`BOMTypeEnum`).

    Several resources have a `type`, `status` or `kind` with choices of their own;
    drf-spectacular names enums by field name and warns on such collisions. A named component
    keeps every enum documented without a global ENUM_NAME_OVERRIDES entry."""

    def __init__(self, *args, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(*args, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "\n".join(f"* `{k}` - {v}" for k, v in field.choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class SessionScheme(BaseSessionScheme):
    """`cookieAuth`, as for DRF's SessionAuthentication, for the project's subclass of it
    (config.api.authentication: CSRF failures answer `csrf_failed`)."""

    target_class = "config.api.authentication.SessionAuthentication"


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[ -~]{1,255}$",
    description=(
        "Makes the POST safe to retry: a repeat with the same key and body by the same user within "
        "24 h replays the first response (`Idempotent-Replayed: true`) without doing the work again; "
        "the same key with another body is 422 `idempotency_key_reused`."
    ),
)


class AutoSchema(BaseAutoSchema):
    def get_filter_backends(self):
        """Filters, search and sort apply to a viewset's list actions only (`ApiViewSet`); a
        paginated detail action (`…/{id}/work-orders`, `…/where-used`) does not take them, so
        the schema must not offer them there."""
        list_actions = getattr(self.view, "list_actions", None)
        if list_actions is not None and getattr(self.view, "action", None) not in list_actions:
            return []
        return super().get_filter_backends()

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST" and not getattr(self.view, "schema_public", False):
            params.append(IDEMPOTENCY_KEY)
        return params

    def _error_statuses(self) -> list[int]:
        view = self.view
        statuses = {400}
        if getattr(view, "permission_classes", None) and not getattr(view, "schema_public", False):
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            statuses |= {409, 415, 422}
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(413)  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        if getattr(view, "action", None) in getattr(view, "action_permissions", {}):
            statuses.add(429)
        statuses |= set(getattr(view, "extra_error_statuses", ()))
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if getattr(self.view, "schema_public", False):
            return responses
        for status in self._error_statuses():
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    ProblemSerializer, str(status), media_types=["application/problem+json"]
                ),
            )
        return responses


def canonical_paths(endpoints):
    """Routes accept an optional trailing slash; the schema shows the canonical path without it."""
    return [
        (path.rstrip("/") if path != "/" else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]
