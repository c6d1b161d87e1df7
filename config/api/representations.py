"""One representation per resource: the body a resource is answered with is built by ONE
function, which every path uses (list, retrieve, archived, write responses, commands).

The resource's output serializer stays what the OpenAPI schema is generated from: its declared
fields are the schema only, and its `to_representation` delegates to the function
(`RepresentedSerializer`). `tests/perf/test_fast_paths.py` checks that the function gives the
keys the schema declares and the bytes DRF's own fields would give, so the two cannot drift.

The functions write camelCase keys already and Decimals as their `json_number`, so the renderer
passes their bodies through (`config.api.renderers`).
"""

from django.db import models
from django.utils import timezone
from rest_framework import serializers


def datetime_text(value, tz=None) -> str | None:
    """DRF's `DateTimeField` output (ISO 8601 in the current time zone, UTC as `Z`): the one
    datetime formatter of every representation. A third faster than calling DRF's field
    (which also checks its format setting and the value's awareness on every call);
    `tests/perf/test_fast_paths.py` holds it to DRF's output. A caller formatting many values
    passes `tz=timezone.get_current_timezone()`, looked up once (a thread-local read)."""
    if not value:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def attribute_row(instance, fields) -> tuple:
    """The `values_list(*fields)` row of a loaded instance (`"uom__symbol"` follows
    `instance.uom.symbol`), so an instance and a row of values go through the same function."""
    row = []
    for field in fields:
        value = instance
        for name in field.split("__"):
            value = getattr(value, name)
        row.append(value)
    return tuple(row)


class BodiesListSerializer(serializers.ListSerializer):
    """`many=True`: the whole page through the child's `bodies`, at once (a fixed number of
    queries for a page, whatever its size)."""

    def to_representation(self, data):
        instances = data.all() if isinstance(data, models.manager.BaseManager) else data
        return self.child.bodies(list(instances))


class RepresentedSerializer(serializers.Serializer):
    """An output serializer whose body is `bodies(instances)` (the resource's representation
    function); the declared fields only describe it for the schema. Its `Meta` (or the
    class itself, for a plain serializer) sets `list_serializer_class = BodiesListSerializer`."""

    @classmethod
    def bodies(cls, instances: list) -> list[dict]:
        raise NotImplementedError

    def to_representation(self, instance):
        return self.bodies([instance])[0]
