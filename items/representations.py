"""The representations of items (`config.api.representations`): the one definition of an item's
body and of a where-used row. The list builds its rows from rows of values (no model instance,
no DRF field machinery per row); `ItemSerializer` (the OpenAPI schema) hands its instances to
the same function, so retrieve and the write responses give the same bytes.
"""

from django.utils import timezone

from config.api.renderers import json_number
from config.api.representations import attribute_row, datetime_text

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


def item_bodies(items) -> list[dict]:
    """The bodies of loaded items (their unit joined): `item_rows` of their attributes."""
    return item_rows(attribute_row(item, ITEM_ROW_FIELDS) for item in items)


def item_rows(rows) -> list[dict]:
    """`rows` of `ITEM_ROW_FIELDS` values → the item bodies, camelCase keys (the renderer passes
    them through unchanged). Adding a field: a column above, a key here, the schema field on
    `ItemSerializer` (the drift test in `tests/perf/test_fast_paths.py` asks for it)."""
    tz = timezone.get_current_timezone()
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
            "createdAt": datetime_text(created_at, tz),
            "updatedAt": datetime_text(updated_at, tz),
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
    """The where-used rows of `item_where_used` (`WhereUsedSerializer` delegates here)."""
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
