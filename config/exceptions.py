"""Domain errors: raised by services, turned into problem+json by the API, messages by the admin."""

from typing import Any


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
