"""The admin of each area registers itself when imported; Django imports this module."""

from manufacturing.boms import admin as boms_admin
from manufacturing.orders import admin as orders_admin
from manufacturing.planning import admin as planning_admin

__all__ = ["boms_admin", "orders_admin", "planning_admin"]
