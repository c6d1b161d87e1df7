"""`levels`, wherever it is read (the explosion and where-used endpoints, `explode_bom`, the
services): "1" (the direct level) or "all" (down to the leaves, or up to the tops)."""

from config.exceptions import ValidationFailed

LEVELS = ("all", "1")
LEVELS_MESSAGE = "Must be 1 or all."


def levels_parse(value, *, default: str = "all", field: str = "levels") -> str:
    """`value` (None: `default`) as "1" or "all", case and spaces aside; anything else,
    a blank included, is refused with `validation_error` on `field` (the API's query
    serializers check the same LEVELS, with DRF's choice message)."""
    text = default if value is None else str(value).strip().lower()
    if text not in LEVELS:
        raise ValidationFailed(f"{field}: {LEVELS_MESSAGE}", errors={field: [LEVELS_MESSAGE]})
    return text
