"""What a text column can hold: its `max_length`, and no NUL byte (PostgreSQL refuses one in
text; SQLite would store it). The API's serializers refuse the same (`config.api.serializers`);
services check what reaches them another way (a CSV import, a command)."""

from collections.abc import Mapping

from django.db.models import Model

NUL_MESSAGE = "Null characters are not allowed."


def text_errors(
    model: type[Model], values: Mapping[str, str | None], errors: dict, prefix: str = ""
) -> None:
    """Add to `errors` (`prefix` + field name → messages) each of `values` its column of
    `model` cannot hold."""
    for name, value in values.items():
        if not value:
            continue
        limit = model._meta.get_field(name).max_length
        if "\x00" in value:
            errors[prefix + name] = [NUL_MESSAGE]
        elif limit is not None and len(value) > limit:
            errors[prefix + name] = [f"Ensure this field has no more than {limit} characters."]
