"""Every state change of the manufacturing app (API, admin and commands call these)."""

from manufacturing.services.boms import (
    bom_archive,
    bom_cancel,
    bom_content_hash,
    bom_copy,
    bom_create,
    bom_replace_operations,
    bom_set_default,
    bom_submit,
    bom_sync_components,
    bom_unarchive,
    bom_update,
    lock_bom_graph,
)
from manufacturing.services.sequences import sequence_next
from manufacturing.services.workcenters import (
    workcenter_archive,
    workcenter_create,
    workcenter_restore,
    workcenter_update,
)

__all__ = [
    "bom_archive",
    "bom_cancel",
    "bom_content_hash",
    "bom_copy",
    "bom_create",
    "bom_replace_operations",
    "bom_set_default",
    "bom_submit",
    "bom_sync_components",
    "bom_unarchive",
    "bom_update",
    "lock_bom_graph",
    "sequence_next",
    "workcenter_archive",
    "workcenter_create",
    "workcenter_restore",
    "workcenter_update",
]
