from config.exceptions import DomainError, InUse


class ItemNotFound(DomainError):
    code = "item_not_found"
    status = 400
    title = "Item not found"


class UomMismatch(DomainError):
    code = "uom_mismatch"
    status = 400
    title = "Unit of measure mismatch"


class ItemInUse(InUse):
    code = "item_in_use"
    title = "Item in use"


class UomInUse(InUse):
    """A unit's meaning (category, factor) is fixed while anything uses it: create a new unit."""

    code = "uom_in_use"
    title = "Unit in use"
