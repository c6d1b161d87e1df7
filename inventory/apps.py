from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self):
        from inventory.selectors import item_stock_usage
        from items.registry import register_item_usage_check

        register_item_usage_check(item_stock_usage)
