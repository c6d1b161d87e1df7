"""Query budgets: lists and details do not grow with the page or the BOM, and confirm / produce
cost the same number of queries at 5 and at 50 components."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manufacturing.orders import services as order_services
from tests.inventory.factories import receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
ORDERS = "/api/manufacturing/orders"


def product_with(components: int, operations: int = 2):
    workcenter = WorkcenterFactory()
    parts = [ItemFactory() for _ in range(components)]
    for part in parts:
        receive(part, 1000)
    product = ItemFactory()
    BOMFactory(
        product=product,
        lines=[line(part, 2) for part in parts],
        operations=[op(workcenter, 10, f"Op {n}") for n in range(operations)],
        status="submitted",
    )
    return product


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def lifecycle_counts(components: int) -> dict[str, int]:
    order = order_services.production_order_create(
        product=product_with(components), quantity=Decimal(10)
    )
    return {
        "confirm": queries_of(lambda: order_services.production_order_confirm(order=order)),
        "produce": queries_of(
            lambda: order_services.production_order_produce(order=order, qty=Decimal(4))
        ),
        "produce_rest": queries_of(
            lambda: order_services.production_order_produce(order=order, qty=Decimal(6))
        ),
        "close": queries_of(lambda: order_services.production_order_close(order=order)),
    }


def test_confirm_produce_close_query_counts_do_not_grow_with_components():
    small = lifecycle_counts(5)
    large = lifecycle_counts(50)

    assert small == large
    assert small["confirm"] <= 20 and small["produce"] <= 25


def test_order_list_query_count_is_flat(api, django_assert_max_num_queries):
    plant = make_plant()
    for _ in range(2):
        make_order(plant, "1")
    with django_assert_max_num_queries(5):
        assert len(api.get(ORDERS).json()["data"]) == 2

    for _ in range(30):
        order = make_order(plant, "1")
        order_services.production_order_confirm(order=order)
    with django_assert_max_num_queries(5):
        assert len(api.get(f"{ORDERS}?limit=50").json()["data"]) == 32


@pytest.mark.parametrize("components", [5, 50])
def test_order_detail_query_count_is_flat(api, components, django_assert_max_num_queries):
    order = order_services.production_order_create(
        product=product_with(components, operations=components // 5), quantity=Decimal(1)
    )
    order_services.production_order_confirm(order=order)

    with django_assert_max_num_queries(5):
        body = api.get(f"{ORDERS}/{order.pk}").json()

    assert len(body["components"]) == components


def test_shop_floor_queue_query_count_is_flat(api, django_assert_max_num_queries):
    for components in (3, 3, 3):
        order = order_services.production_order_create(
            product=product_with(components, operations=5), quantity=Decimal(1)
        )
        order_services.production_order_confirm(order=order)

    with django_assert_max_num_queries(4):
        assert len(api.get("/api/manufacturing/work-orders").json()["data"]) == 15


def test_an_orders_work_order_list_costs_the_same_for_2_and_20_operations(api):
    def cost(operations: int) -> tuple[int, int]:
        order = order_services.production_order_create(
            product=product_with(3, operations=operations), quantity=Decimal(1)
        )
        order_services.production_order_confirm(order=order)
        url = f"{ORDERS}/{order.pk}/work-orders?limit=50"
        body = {}
        count = queries_of(lambda: body.update(api.get(url).json()))
        return count, len(body["data"])

    few, many = cost(2), cost(20)

    assert (few[1], many[1]) == (2, 20)
    assert few[0] == many[0] <= 4  # token, order, count, page


def test_bom_history_costs_the_same_for_a_few_and_many_changes(api):
    workcenter = WorkcenterFactory(name="Line A")
    parts = [ItemFactory() for _ in range(12)]

    def history_cost(changes: int) -> tuple[int, int]:
        created = api.post(
            "/api/manufacturing/boms",
            {
                "productId": str(ItemFactory().pk),
                "components": [{"productId": str(parts[0].pk), "quantity": 1}],
                "operations": [{"name": "Op", "workcenter": workcenter.name, "durationMinutes": 5}],
            },
        ).json()
        for n in range(1, changes):  # each sync adds a line: header and line history both grow
            lines = [{"productId": str(part.pk), "quantity": 1} for part in parts[: n + 1]]
            api.put(f"/api/manufacturing/boms/{created['id']}/components", {"components": lines})
        url = f"/api/manufacturing/boms/{created['id']}/history?limit=200"
        body = {}
        count = queries_of(lambda: body.update(api.get(url).json()))
        return count, body["meta"]["total"]

    few, many = history_cost(2), history_cost(12)

    assert many[1] > few[1] + 10
    assert few[0] == many[0] <= 8
