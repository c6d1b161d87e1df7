"""Every non-trivial read of the manufacturing app."""

from manufacturing.selectors.boms import bom_list, workcenter_list
from manufacturing.selectors.explosion import (
    Cost,
    ExplodedBOM,
    Explosion,
    Requirement,
    Total,
    bom_cost,
    bom_explode,
)
from manufacturing.selectors.graph import bom_graph_path
from manufacturing.selectors.history import bom_history, production_order_history
from manufacturing.selectors.orders import (
    item_order_usage_reason,
    order_work_orders,
    production_order_detail,
    production_order_header,
    production_order_list,
    warehouse_order_usage_reason,
    work_order_list,
)
from manufacturing.selectors.usage import (
    bom_open_order_references,
    item_bom_usage_reason,
    uom_bom_header_usage,
    uom_bom_line_usage,
    uom_order_requirement_usage,
)
from manufacturing.selectors.where_used import item_where_used

__all__ = [
    "Cost",
    "ExplodedBOM",
    "Explosion",
    "Requirement",
    "Total",
    "bom_cost",
    "bom_explode",
    "bom_graph_path",
    "bom_history",
    "bom_list",
    "bom_open_order_references",
    "item_bom_usage_reason",
    "item_order_usage_reason",
    "item_where_used",
    "order_work_orders",
    "production_order_detail",
    "production_order_header",
    "production_order_history",
    "production_order_list",
    "uom_bom_header_usage",
    "uom_bom_line_usage",
    "uom_order_requirement_usage",
    "warehouse_order_usage_reason",
    "work_order_list",
    "workcenter_list",
]
