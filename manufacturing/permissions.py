"""The permission each BOM and production-order action needs: one table, read by the API's
viewsets (`action_permissions`) and the admin's `has_<action>_permission` alike."""

BOM_ACTIONS = {
    "archive": "manufacturing.archive_bom",  # DELETE /boms/{id} and the admin's delete
    "submit": "manufacturing.submit_bom",
    "cancel": "manufacturing.cancel_bom",
    "copy": "manufacturing.copy_bom",
    "unarchive": "manufacturing.unarchive_bom",
}

ORDER_ACTIONS = {
    "confirm": "manufacturing.confirm_productionorder",
    "produce": "manufacturing.produce_productionorder",
    "close": "manufacturing.close_productionorder",
    "cancel": "manufacturing.cancel_productionorder",
    "rebase": "manufacturing.rebase_productionorder",
    "work_order_start": "manufacturing.start_workorder",
    "work_order_pause": "manufacturing.pause_workorder",
    "work_order_resume": "manufacturing.resume_workorder",
    "work_order_done": "manufacturing.finish_workorder",
}
