"""Scenarios on what exists today: the health floor and the item master."""

from bench.context import Context
from bench.registry import endpoint


@endpoint("health")
def health(ctx: Context) -> str:
    """GET /api/health: no auth, one query. The HTTP floor the other endpoints are compared to."""
    return "/api/health"


@endpoint("items_list", needs=("items",))
def items_list(ctx: Context) -> str:
    """The first page of 20 items, default order, with the bearer token."""
    return "/api/items?page=1&limit=20"
