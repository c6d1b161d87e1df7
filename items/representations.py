"""Response bodies of the hot item endpoints, built from rows of values.

`item_rows` gives exactly what `ItemSerializer(items, many=True).data` gives (the serializer
stays the OpenAPI schema; `tests/perf/test_fast_paths.py` compares the two) without building
model instances or running DRF's field machinery per row.
"""

from django.utils import timezone

from config.api.renderers import json_number

# The columns item_rows reads, in order (the unit's symbol through the join).
ITEM_ROW_FIELDS = (
    "id",
    "number",
    "name",
    "description",
    "type",
    "uom__symbol",
    "tracking",
    "standard_cost",
    "deleted_at",
    "created_at",
    "updated_at",
)


def iso_datetime(value) -> str | None:
    """DRF's DateTimeField output: ISO 8601 in the current time zone, UTC as `Z`."""
    if not value:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def item_rows(rows) -> list[dict]:
    """`rows` of `ITEM_ROW_FIELDS` values → the list rows, camelCase keys (the renderer passes
    them through unchanged)."""
    return [
        {
            "id": str(pk),
            "number": number,
            "name": name,
            "description": description,
            "type": type_,
            "uom": uom,
            "tracking": tracking,
            "standardCost": json_number(cost),
            "isActive": deleted_at is None,
            "createdAt": iso_datetime(created_at),
            "updatedAt": iso_datetime(updated_at),
        }
        for (
            pk,
            number,
            name,
            description,
            type_,
            uom,
            tracking,
            cost,
            deleted_at,
            created_at,
            updated_at,
        ) in rows
    ]


def where_used_rows(rows) -> list[dict]:
    """`WhereUsedSerializer(rows, many=True).data` for the rows of `item_where_used`."""
    return [
        {
            "bomId": str(row["bom_id"]),
            "bomNumber": row["bom_number"],
            "bomName": row["bom_name"],
            "product": {
                "id": str(row["product"]["id"]),
                "number": row["product"]["number"],
                "name": row["product"]["name"],
            },
            "componentId": str(row["component_id"]),
            "quantity": json_number(row["quantity"]),
            "uom": row["uom"],
            "level": row["level"],
        }
        for row in rows
    ]
