from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2, "items": {}},
        "description": "Changed fields: `{name: [old, new]}`.",
    }
)
class ChangedFieldsField(serializers.DictField):
    pass


class HistoryEntrySerializer(serializers.Serializer):
    """`{at, user, change: created|changed|deleted, fields: {name: [old, new]}}`, plus what
    changed (`entity`: bom, component, operation, order; `label`)."""

    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    fields = ChangedFieldsField()
    entity = serializers.CharField()
    label = serializers.CharField()
