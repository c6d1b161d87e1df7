"""The manufacturing app's domain errors (codes and statuses as API.md lists them)."""

from config.exceptions import DomainError


class DuplicateComponent(DomainError):
    code = "duplicate_component"
    status = 400
    title = "Duplicate component"


class CircularReference(DomainError):
    code = "circular_reference"
    status = 422
    title = "Circular reference"


class BomLocked(DomainError):
    code = "bom_locked"
    status = 409
    title = "BOM locked"


class BomInUse(DomainError):
    code = "bom_in_use"
    status = 409
    title = "BOM in use"


class BomNotArchived(DomainError):
    code = "bom_not_archived"
    status = 400
    title = "BOM not archived"


class BomUnusable(DomainError):
    code = "bom_unusable"
    status = 422
    title = "BOM unusable"


class OverProduction(DomainError):
    code = "over_production"
    status = 422
    title = "Over production"


class BomOtherProduct(DomainError):
    """A rebase onto a BOM of another product."""

    code = "bom_other_product"
    status = 422
    title = "BOM of another product"


class OrderStarted(DomainError):
    """A rebase of an order whose production has begun: it stays on its BOM."""

    code = "order_started"
    status = 409
    title = "Order started"
