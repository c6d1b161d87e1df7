from django.apps import AppConfig


class ManufacturingConfig(AppConfig):
    name = "manufacturing"
    verbose_name = "Manufacturing"

    def ready(self) -> None:
        # Plug into the item master (dependencies point one way: items ← manufacturing).
        from items.registry import register_item_usage_check, register_where_used_provider
        from manufacturing.selectors import (
            item_bom_usage_reason,
            item_order_usage_reason,
            item_where_used,
        )

        register_item_usage_check(item_bom_usage_reason)
        register_item_usage_check(item_order_usage_reason)
        register_where_used_provider(item_where_used)
        # The kinds of background job (config.jobs) this app runs, with their tasks.
        import manufacturing.tasks  # noqa: F401
