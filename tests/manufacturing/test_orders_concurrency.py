"""Races on PostgreSQL: real threads, each with its own connection, against the services and the
API. Nothing is oversold, references stay unique and gap-free, production never exceeds the order."""

from decimal import Decimal

import pytest
from django.utils import timezone

from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.conftest import client_for
from tests.manufacturing.orders_fixtures import make_order, make_plant, on_hand, reserved
from tests.robustness.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    # serialized_rollback: the flush after a transactional test would drop the data migrations rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_30_confirms_competing_for_stock_for_10_confirm_exactly_10(make_user, assert_no_drift):
    plant = make_plant(frames="10", boards="1000")
    orders = [make_order(plant, "1") for _ in range(30)]
    client = client_for(make_user(superuser=True))
    user = client.user

    def confirm(index):
        return client_for(user).post(f"/api/manufacturing/orders/{orders[index].pk}/confirm")

    responses = race(30, confirm)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 10 + [400] * 20
    assert all(r.json()["code"] == "insufficient_stock" for r in responses if r.status_code == 400)
    assert ProductionOrder.objects.filter(status="confirmed").count() == 10
    assert (on_hand(plant.frame), reserved(plant.frame)) == (10, 10)
    assert_no_drift()


def test_20_concurrent_creates_get_distinct_gap_free_references(make_user):
    plant = make_plant(stock=False)

    results = race(20, lambda i: make_order(plant, "1").reference)

    year = timezone.now().year
    assert sorted(results) == [f"MO/{year}/{n:04d}" for n in range(1, 21)]


def test_10_concurrent_produce_calls_never_exceed_the_order(make_user, assert_no_drift):
    plant = make_plant()
    order = make_order(plant, "10")
    order_services.production_order_confirm(order=order)
    user = make_user(superuser=True)

    def produce(index):
        return client_for(user).post(f"/api/manufacturing/orders/{order.pk}/produce", {"qty": 3})

    responses = race(10, produce)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [422] * 7
    order.refresh_from_db()
    assert order.produced_qty == Decimal(9)
    assert on_hand(plant.product) == 9
    assert on_hand(plant.frame) == 1000 - 9
    assert_no_drift()
