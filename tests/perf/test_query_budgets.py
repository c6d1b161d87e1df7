"""Issue 7's query-count targets as tests: on the benchmark's own dataset shapes (bench.dataset),
through the API with a bearer token (authentication counted, as the benchmark counts it), and
against the thresholds the benchmark checks (bench.targets), so the two cannot drift apart.

Other tests pin the same budgets in their own settings (tests/items/test_items_api.py,
tests/manufacturing/test_boms_api.py, test_explosion.py, test_orders_queries.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.dataset import build_boms, build_deep_structure, build_items, build_stock
from bench.targets import EXPLOSION_DEPTH, TARGETS
from manufacturing.boms.models import BOM

pytestmark = pytest.mark.django_db
LIMIT = {target.key: target.threshold for target in TARGETS}
ORDERS = "/api/manufacturing/orders"


def counted(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return len(ctx), response


@pytest.fixture
def dataset():
    items = build_items(components=120, assemblies=48)
    boms = build_boms(
        items=items,
        count=48,
        lines=(20, 50),
        detail_lines=36,
        order_components=(5, 50),
        depth=4,
    )
    return items, boms


def test_items_list_page_of_20(api, dataset):
    queries, response = counted(lambda: api.get("/api/items?page=1&limit=20"))

    assert response.status_code == 200 and len(response.json()["data"]) == 20
    assert queries <= LIMIT["items_list.queries"]


def test_bom_list_page_of_20_with_components_and_operations(api, dataset):
    queries, response = counted(lambda: api.get("/api/manufacturing/boms?page=1&limit=20"))

    rows = response.json()["data"]
    assert len(rows) == 20 and all(row["components"] and row["operations"] for row in rows)
    assert queries <= LIMIT["bom_list.queries"]


def test_bom_detail_of_36_lines_costs_what_5_lines_cost(api, dataset):
    _, boms = dataset

    big, response = counted(lambda: api.get(f"/api/manufacturing/boms/{boms.detail_bom_id}"))
    small, small_response = counted(lambda: api.get(f"/api/manufacturing/boms/{boms.small_bom_id}"))

    assert response.json()["componentCount"] == 36
    assert small_response.json()["componentCount"] == 5
    assert big <= LIMIT["bom_detail.queries"]
    assert big - small == LIMIT["bom_detail.query_growth"] == 0


@pytest.mark.parametrize("nodes", [100, 1000, 10_000])
def test_explosion_and_where_used_within_depth_plus_3_at_every_size(api, nodes):
    deep = build_deep_structure(nodes=nodes, depth=EXPLOSION_DEPTH)

    explosion_queries, explosion = counted(
        lambda: api.get(f"/api/manufacturing/boms/{deep.root_bom_id}/explosion?levels=all")
    )
    where_used_queries, where_used = counted(
        lambda: api.get(f"/api/items/{deep.shared_leaf_item_id}/where-used?levels=all&limit=200")
    )

    rows = explosion.json()["requirements"]
    assert {row["level"] for row in rows} == set(range(1, EXPLOSION_DEPTH + 1))
    assert len({row["productId"] for row in rows}) == nodes - 1  # every node but the root
    assert explosion_queries <= LIMIT["explosion.queries_max"] == EXPLOSION_DEPTH + 3
    boms = BOM.objects.filter(number__startswith=f"BN-D{nodes}-").count()
    assert where_used.json()["meta"]["total"] == boms  # every BOM of the structure
    assert where_used_queries <= LIMIT["where_used.queries_max"] == EXPLOSION_DEPTH + 3


def _lifecycle_queries(api, product_id, bom_id) -> dict[str, int]:
    """create → confirm → produce → close through the API, each step's query count."""
    counts = {}

    def step(name, path, body, status):
        counts[name], response = counted(lambda: api.post(path, body, format="json"))
        assert response.status_code == status, response.content[:300]
        return response.json()

    order = step(
        "create", ORDERS, {"productId": str(product_id), "bomId": str(bom_id), "quantity": 1}, 201
    )
    step("confirm", f"{ORDERS}/{order['id']}/confirm", {}, 200)
    step("produce", f"{ORDERS}/{order['id']}/produce", {"qty": 1}, 200)
    step("close", f"{ORDERS}/{order['id']}/close", {}, 200)
    return counts


def test_order_confirm_and_produce_cost_the_same_at_5_and_50_components(api, dataset):
    items, boms = dataset
    build_stock(items=items)
    _lifecycle_queries(api, *boms.order_boms[5])  # the first order creates its year's counter

    few = _lifecycle_queries(api, *boms.order_boms[5])
    many = _lifecycle_queries(api, *boms.order_boms[50])

    assert many["confirm"] - few["confirm"] == LIMIT["order.confirm.query_growth"] == 0
    assert many["produce"] - few["produce"] == LIMIT["order.produce.query_growth"] == 0
    assert many == few  # create and close too
