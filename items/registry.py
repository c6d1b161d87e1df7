"""Extension points for the apps above `items` (dependencies point one way: items ← inventory ←
manufacturing). They register here in their AppConfig.ready(); nothing here is a signal."""

from collections.abc import Callable
from typing import Any

# Each check returns a human reason why the item may not be archived, or None.
item_usage_checks: list[Callable[[Any], str | None]] = []

# Each check returns where a unit is used, as `(count, "BOM line", ["BOM-000002", …])` (count 0:
# not used there), in a fixed number of queries whatever the count: a unit in use cannot change
# its category or factor (`uom_in_use`).
uom_usage_checks: list[Callable[[Any], tuple[int, str, list[str]]]] = []

# (item, levels) -> list of where-used rows; manufacturing provides it once BOMs exist.
where_used_provider: dict[str, Callable[..., list[dict]]] = {}


def register_item_usage_check(check: Callable[[Any], str | None]) -> None:
    if check not in item_usage_checks:
        item_usage_checks.append(check)


def register_uom_usage_check(check: Callable[[Any], tuple[int, str, list[str]]]) -> None:
    if check not in uom_usage_checks:
        uom_usage_checks.append(check)


def register_where_used_provider(provider: Callable[..., list[dict]]) -> None:
    where_used_provider["default"] = provider
