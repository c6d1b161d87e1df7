"""Rebases racing each other and confirms for the same stock, on PostgreSQL: all or nothing,
never oversold, no deadlock (every level is locked in one pk-ordered query)."""

from decimal import Decimal

import pytest

from inventory.models import Reservation
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.conftest import client_for
from tests.inventory.factories import receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.orders_fixtures import make_order, make_plant, on_hand, reserved
from tests.robustness.concurrency import assert_all_answered, deadlock_count, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _plant(glue: str):
    """Widget v1 = 1 FRAME + 2 BOARD + 0.5 L PAINT; v2 = 3 BOARD + 1 GLUE (the scarce part),
    so a rebase releases paint and frames, and takes boards and glue: levels on both sides."""
    plant = make_plant()
    plant.glue = ItemFactory(number="GLUE")
    receive(plant.glue, glue)
    plant.v2 = BOMFactory(
        product=plant.product,
        version=2,
        lines=[line(plant.board, 3), line(plant.glue, 1)],
        status="submitted",
    )
    return plant


def test_two_rebases_and_a_confirm_for_the_same_stock_one_wins(make_user, assert_no_drift):
    plant = _plant(glue="10")
    first = order_services.production_order_confirm(order=make_order(plant, "10"))
    second = order_services.production_order_confirm(order=make_order(plant, "10"))
    third = make_order(plant, "10", bom=plant.v2)
    user = make_user(superuser=True)
    body = {"bomId": str(plant.v2.pk)}
    calls = [
        lambda c: c.post(f"/api/manufacturing/orders/{first.pk}/rebase", body, format="json"),
        lambda c: c.post(f"/api/manufacturing/orders/{second.pk}/rebase", body, format="json"),
        lambda c: c.post(f"/api/manufacturing/orders/{third.pk}/confirm"),
    ]
    deadlocks = deadlock_count()

    responses = race(3, lambda i: calls[i](client_for(user)))

    assert_all_answered(responses)
    assert sorted(r.status_code for r in responses) == [200, 400, 400]
    assert all(r.json()["code"] == "insufficient_stock" for r in responses if r.status_code == 400)
    assert (on_hand(plant.glue), reserved(plant.glue)) == (10, 10)
    on_v2 = ProductionOrder.objects.filter(bom=plant.v2, status="confirmed")
    assert on_v2.count() == 1
    # The losers kept everything they had: two orders still on v1 with their reservations, or
    # one (the draft stayed a draft).
    for order in ProductionOrder.objects.exclude(pk__in=on_v2):
        held = dict(
            Reservation.objects.filter(production_order_id=order.pk).values_list(
                "item__number", "quantity"
            )
        )
        if order.status == "confirmed":
            assert order.bom_id == plant.bom.pk
            assert held == {"FRAME": 10, "BOARD": 20, "PAINT": 5000}
        else:
            assert (order.status, held) == ("draft", {})
    assert deadlock_count() == deadlocks
    assert_no_drift()


def test_many_rebases_and_confirms_never_oversell(make_user, assert_no_drift):
    plant = _plant(glue="30")
    confirmed = [
        order_services.production_order_confirm(order=make_order(plant, "10")) for _ in range(6)
    ]
    drafts = [make_order(plant, "10", bom=plant.v2) for _ in range(3)]
    user = make_user(superuser=True)
    body = {"bomId": str(plant.v2.pk)}

    def call(index):
        client = client_for(user)
        if index < len(confirmed):
            path = f"/api/manufacturing/orders/{confirmed[index].pk}/rebase"
            return client.post(path, body, format="json")
        return client.post(f"/api/manufacturing/orders/{drafts[index - 6].pk}/confirm")

    deadlocks = deadlock_count()
    responses = race(9, call)

    assert_all_answered(responses)
    assert sorted(r.status_code for r in responses) == [200] * 3 + [400] * 6
    assert (on_hand(plant.glue), reserved(plant.glue)) == (30, 30)
    assert ProductionOrder.objects.filter(bom=plant.v2, status="confirmed").count() == 3
    # Boards: each order on v2 holds 30, each rebase loser still holds its 20 on v1.
    v1_orders = ProductionOrder.objects.filter(bom=plant.bom, status="confirmed").count()
    assert reserved(plant.board) == Decimal(30) * 3 + Decimal(20) * v1_orders
    assert deadlock_count() == deadlocks
    assert_no_drift()


def test_rebases_in_both_directions_do_not_deadlock(make_user, assert_no_drift):
    """v1 uses only OLD-PART, v2 only NEW-PART: a rebase v1 → v2 releases one level and takes
    the other, a rebase v2 → v1 the other way round. Locking each side in turn would let them
    wait on each other; the replace locks both in one pk-ordered query first."""
    product = ItemFactory(number="DUO")
    old_part, new_part = ItemFactory(number="OLD-PART"), ItemFactory(number="NEW-PART")
    receive(old_part, 1000)
    receive(new_part, 1000)
    v1 = BOMFactory(product=product, lines=[line(old_part, 1)], status="submitted")
    v2 = BOMFactory(product=product, version=2, lines=[line(new_part, 1)], status="submitted")
    forth = [_confirmed(product, v1) for _ in range(5)]
    back = [_confirmed(product, v2) for _ in range(5)]
    user = make_user(superuser=True)

    def call(index):
        order, target = (forth[index], v2) if index < 5 else (back[index - 5], v1)
        return client_for(user).post(
            f"/api/manufacturing/orders/{order.pk}/rebase", {"bomId": str(target.pk)}, format="json"
        )

    deadlocks = deadlock_count()
    responses = race(10, call)

    assert_all_answered(responses)
    assert [r.status_code for r in responses] == [200] * 10
    assert deadlock_count() == deadlocks
    assert (reserved(old_part), reserved(new_part)) == (50, 50)
    assert_no_drift()


def _confirmed(product, bom):
    order = order_services.production_order_create(product=product, bom=bom, quantity=Decimal(10))
    return order_services.production_order_confirm(order=order)
