"""The BOM CSV layout shared by `import_boms` and `export_boms`.

One row per BOM line. The BOM's own columns (`bom_*`, `product_number`, `is_default`, `version`,
`description`) are read from the first row of each BOM and may be left empty on the next ones
(when repeated they must agree). A row is a component line when `component_number` is filled,
an operation when `operation_name` is. The rows of one BOM are consecutive.
"""

COLUMNS = [
    "bom_number",  # required: the BOM reference, also what groups the rows of one BOM
    "bom_name",
    "product_number",  # the item made
    "bom_quantity",  # how much of it one BOM makes (default 1)
    "bom_uom",  # unit symbol of bom_quantity (default: the product's stock unit)
    "bom_type",  # manufacture | phantom | subcontract (default manufacture)
    "bom_status",  # draft | submitted | cancelled (default draft)
    "is_default",  # true | false | empty (empty: default when the product has none)
    "version",  # default 1
    "description",
    "component_number",  # component line: the item used
    "quantity",  # per bom_quantity of the product
    "unit",  # unit symbol of quantity (default: the component's stock unit)
    "scrap_percent",  # default 0
    "operation_sequence",  # operation line: default 10 after the previous one
    "operation_name",
    "workcenter",  # workcenter code or name
    "duration_minutes",
]
HEADER_COLUMNS = COLUMNS[:10]
REQUIRED_COLUMNS = {"bom_number", "product_number", "component_number", "quantity"}
