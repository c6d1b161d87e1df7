from django.apps import AppConfig


class ManufacturingConfig(AppConfig):
    name = "manufacturing"
    verbose_name = "Manufacturing"

    def ready(self) -> None:
        # Plug into the item master and inventory (dependencies point one way:
        # items ← inventory ← manufacturing).
        from inventory.registry import register_warehouse_usage_check
        from items.registry import (
            register_item_usage_check,
            register_uom_usage_check,
            register_where_used_provider,
        )
        from manufacturing.boms.selectors import (
            item_bom_usage_reason,
            item_where_used,
            uom_bom_header_usage,
            uom_bom_line_usage,
            uom_order_requirement_usage,
        )
        from manufacturing.orders.selectors import (
            item_order_usage_reason,
            warehouse_order_usage_reason,
        )

        register_item_usage_check(item_bom_usage_reason)
        register_item_usage_check(item_order_usage_reason)
        register_where_used_provider(item_where_used)
        register_uom_usage_check(uom_bom_line_usage)
        register_uom_usage_check(uom_bom_header_usage)
        register_uom_usage_check(uom_order_requirement_usage)
        register_warehouse_usage_check(warehouse_order_usage_reason)
        # Planning's lead time as a column of the BOM structure report.
        from manufacturing.boms.structure import structure_column_register
        from manufacturing.planning.selectors import item_lead_times

        structure_column_register("lead_time", "Lead time (days)", item_lead_times)
        # The planner's home page cards (config.admin_home).
        from manufacturing import home_cards

        home_cards.register()
        # The kinds of background job (config.jobs) this app runs, with their tasks.
        import manufacturing.boms.tasks
        import manufacturing.planning.tasks  # noqa: F401
