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
