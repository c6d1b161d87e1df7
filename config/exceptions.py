"""Domain errors: raised by services, turned into problem+json by the API, messages by the admin.

Their `errors` are keyed by a domain field path in snake_case (`product_id`,
`components[1].quantity`): the API camelizes the paths once, in its exception handler
(`config.api.exceptions`); the admin puts them on the field or inline row they name and the CSV
import on the row they came from, both through `field_path_parse`."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldPath:
    """`components[1].quantity` → collection `components`, index 1, field `quantity`;
    `product_id` → no collection, field `product_id`; `tags[2]` → `tags`, 2, no field."""

    collection: str = ""
    index: int | None = None
    field: str = ""


def field_path_parse(path: str) -> FieldPath:
    head, bracket, rest = path.partition("[")
    if not bracket:
        return FieldPath(field=path)
    number, closed, tail = rest.partition("]")
    if not closed or not number.isdigit():
        return FieldPath(field=path)
    return FieldPath(collection=head, index=int(number), field=tail.removeprefix("."))


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "Request refused"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.title
        self.extra = extra
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    """Business validation; `errors` maps a field path to its messages, as the API reports it."""

    code = "validation_error"
    status = 400
    title = "Validation error"

    def __init__(self, detail: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(detail, **({"errors": errors} if errors else {}))
        self.errors = errors or {}


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409
    title = "Invalid state"


class InUse(DomainError):
    code = "item_in_use"
    status = 409
    title = "In use"
