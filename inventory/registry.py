"""Extension points for the apps above `inventory` (dependencies point one way: items ← inventory
← manufacturing), as `items.registry` is for the item master. They register here in their
AppConfig.ready(); nothing here is a signal."""

from collections.abc import Callable
from typing import Any

# Each check returns a human reason why the warehouse may not be archived, or None.
warehouse_usage_checks: list[Callable[[Any], str | None]] = []


def register_warehouse_usage_check(check: Callable[[Any], str | None]) -> None:
    if check not in warehouse_usage_checks:
        warehouse_usage_checks.append(check)
