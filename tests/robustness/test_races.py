"""Races on PostgreSQL through the API (real threads, real bearer tokens, one connection each).

Each test asserts the exact outcome, a clean `check_stock`, no 5xx and no exception escaping a
request (a deadlock or a serialization failure would), and that PostgreSQL's own deadlock counter
for the test database did not move.
"""

import itertools
import random
import time
from decimal import Decimal

import pytest

from config.models import IdempotencyKey
from inventory.models import (
    Lot,
    LotBalance,
    MoveKind,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus, ProductionOrder, WorkOrder
from tests.conftest import client_for
from tests.inventory.factories import WarehouseFactory, receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.orders_fixtures import (
    make_order,
    make_plant,
    on_hand,
    reservations_of,
    reserved,
)
from tests.robustness.concurrency import assert_all_answered, deadlock_count, race

pytestmark = [
    pytest.mark.postgres,
    # serialized_rollback: the flush after a transactional test would drop the data migrations rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
ORDERS = "/api/manufacturing/orders"


@pytest.fixture(autouse=True)
def no_deadlocks():
    before = deadlock_count()
    yield
    time.sleep(0.5)  # closed connections report their statistics as their backends exit
    assert deadlock_count() == before, "PostgreSQL detected a deadlock during the race"


@pytest.fixture
def boss(make_user):
    return make_user(superuser=True)


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def codes(responses, status: int) -> set[str]:
    return {r.json()["code"] for r in responses if r.status_code == status}


def test_50_confirms_competing_for_20_units_confirm_exactly_20(boss, assert_no_drift):
    part = ItemFactory(number="PART")
    product = ItemFactory(number="GADGET")
    BOMFactory(product=product, lines=[line(part, 1)], status="submitted")
    receive(part, 20)
    orders = [
        order_services.production_order_create(product=product, quantity=D(1)) for _ in range(50)
    ]

    responses = race(50, lambda i: client_for(boss).post(f"{ORDERS}/{orders[i].pk}/confirm"))

    assert_all_answered(responses)
    assert statuses(responses) == [200] * 20 + [400] * 30
    assert codes(responses, 400) == {"insufficient_stock"}
    confirmed = {o.pk for o, r in zip(orders, responses, strict=True) if r.status_code == 200}
    assert (
        set(
            ProductionOrder.objects.filter(status=OrderStatus.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
        == confirmed
    )
    assert ProductionOrder.objects.filter(status=OrderStatus.DRAFT).count() == 30
    assert set(Reservation.objects.values_list("production_order_id", flat=True)) == confirmed
    assert set(Reservation.objects.values_list("quantity", flat=True)) == {D(1)}
    assert (on_hand(part), reserved(part)) == (D(20), D(20))
    assert_no_drift()


def test_40_orders_with_shuffled_bom_lines_reserve_all_or_nothing(boss, assert_no_drift):
    """Every order needs 1 X, 2 Y and 3 Z, but through six BOMs listing the lines in every order,
    so a service locking stock rows in line order would deadlock. Z runs out after 20 orders
    while X and Y still have stock: a failed order must not keep its X and Y."""
    x, y, z = ItemFactory(number="X"), ItemFactory(number="Y"), ItemFactory(number="Z")
    product = ItemFactory(number="TRIPLE")
    needs = {"X": D(1), "Y": D(2), "Z": D(3)}
    boms = [
        BOMFactory(
            product=product,
            lines=[line(item, needs[item.number]) for item in lines],
            status="submitted",
        )
        for lines in itertools.permutations([x, y, z])
    ]
    receive(x, 40)
    receive(y, 50)
    receive(z, 60)
    rng = random.Random(40)
    orders = [
        order_services.production_order_create(product=product, quantity=D(1), bom=rng.choice(boms))
        for _ in range(40)
    ]

    responses = race(
        40, lambda i: client_for(boss).post(f"{ORDERS}/{orders[i].pk}/confirm"), threads=20
    )

    assert_all_answered(responses)
    assert statuses(responses) == [200] * 20 + [400] * 20
    assert codes(responses, 400) == {"insufficient_stock"}
    for order, response in zip(orders, responses, strict=True):
        order.refresh_from_db()
        held = reservations_of(order)
        if response.status_code == 200:
            assert (order.status, held) == (OrderStatus.CONFIRMED, needs), order.reference
        else:
            assert (order.status, held) == (OrderStatus.DRAFT, {}), order.reference
    assert (on_hand(x), reserved(x)) == (D(40), D(20))
    assert (on_hand(y), reserved(y)) == (D(50), D(40))
    assert (on_hand(z), reserved(z)) == (D(60), D(60))
    assert_no_drift()


def test_10_concurrent_confirms_of_one_order_reserve_once(boss, assert_no_drift):
    plant = make_plant()
    order = make_order(plant, "5")

    responses = race(10, lambda i: client_for(boss).post(f"{ORDERS}/{order.pk}/confirm"))

    assert_all_answered(responses)
    assert statuses(responses) == [200] + [409] * 9
    assert codes(responses, 409) == {"invalid_state"}
    assert reservations_of(order) == {"FRAME": D(5), "BOARD": D(10), "PAINT": D(2500)}
    assert (reserved(plant.frame), reserved(plant.board), reserved(plant.paint)) == (
        D(5),
        D(10),
        D(2500),
    )
    assert order.components.count() == 3
    assert WorkOrder.objects.filter(order=order).count() == 1
    assert_no_drift()


def test_10_concurrent_produce_calls_of_the_full_quantity_produce_once(boss, assert_no_drift):
    plant = make_plant()
    order = make_order(plant, "5")
    order_services.production_order_confirm(order=order)

    responses = race(
        10, lambda i: client_for(boss).post(f"{ORDERS}/{order.pk}/produce", {"qty": 5})
    )

    assert_all_answered(responses)
    assert statuses(responses) == [200] + [422] * 9
    assert codes(responses, 422) == {"over_production"}
    order.refresh_from_db()
    assert (order.status, order.produced_qty) == (OrderStatus.IN_PROGRESS, D(5))
    moves = StockMove.objects.filter(production_order_id=order.pk)
    assert list(moves.filter(kind=MoveKind.PRODUCTION).values_list("quantity", flat=True)) == [D(5)]
    consumed = moves.filter(kind=MoveKind.CONSUMPTION)
    assert sorted(consumed.values_list("item__number", "quantity")) == [
        ("BOARD", D(10)),
        ("FRAME", D(5)),
        ("PAINT", D(2500)),
    ]
    assert on_hand(plant.product) == D(5)
    assert (on_hand(plant.frame), reserved(plant.frame)) == (D(995), D(0))
    assert reservations_of(order) == {}
    assert_no_drift()


@pytest.mark.parametrize("endpoint", ["receipt", "produce"])
def test_20_identical_posts_with_one_idempotency_key_execute_once(endpoint, boss, assert_no_drift):
    """An action, not a plain create: without the key, 20 receipts would post 20 moves and
    20 produce calls of 2 (of 5) would produce twice."""
    if endpoint == "receipt":
        item = ItemFactory(number="IDEM-PART")
        path, body, status = (
            "/api/inventory/moves",
            {"kind": "receipt", "itemId": str(item.pk), "quantity": 7, "reference": "PO-77"},
            201,
        )
    else:
        plant = make_plant()
        order = make_order(plant, "5")
        order_services.production_order_confirm(order=order)
        path, body, status = f"{ORDERS}/{order.pk}/produce", {"qty": 2}, 200

    responses = race(
        20, lambda i: client_for(boss).post(path, body, HTTP_IDEMPOTENCY_KEY="race-key-1")
    )

    assert_all_answered(responses)
    assert statuses(responses) == [status] * 20
    assert len({r.content for r in responses}) == 1, "every response carries the same body"
    replayed = sorted(r.get("Idempotent-Replayed", "") for r in responses)
    assert replayed == [""] + ["true"] * 19
    assert IdempotencyKey.objects.filter(key="race-key-1").count() == 1
    if endpoint == "receipt":
        assert list(StockMove.objects.filter(item=item).values_list("quantity", flat=True)) == [
            D(7)
        ]
        assert on_hand(item) == D(7)
    else:
        order.refresh_from_db()
        assert order.produced_qty == D(2)
        assert (
            StockMove.objects.filter(production_order_id=order.pk, kind=MoveKind.PRODUCTION).count()
            == 1
        )
        assert on_hand(plant.product) == D(2)
        assert on_hand(plant.frame) == D(998)
    assert_no_drift()


def test_20_receipts_into_a_new_item_warehouse_and_lot_create_one_row_each(boss, assert_no_drift):
    item = ItemFactory(number="FRESH", tracking="lot")
    warehouse = WarehouseFactory(code="NEW")

    def post(index):
        return client_for(boss).post(
            "/api/inventory/moves",
            {
                "kind": "receipt",
                "itemId": str(item.pk),
                "toWarehouseId": str(warehouse.pk),
                "quantity": index + 1,
                "lotNumber": "LOT-1",
            },
        )

    responses = race(20, post)

    assert_all_answered(responses)
    assert statuses(responses) == [201] * 20
    levels = StockLevel.objects.filter(item=item)
    assert list(levels.values_list("warehouse__code", "on_hand", "reserved")) == [
        ("NEW", D(210), D(0))
    ]
    assert list(Lot.objects.filter(item=item).values_list("number", flat=True)) == ["LOT-1"]
    assert list(LotBalance.objects.filter(lot__item=item).values_list("quantity", flat=True)) == [
        D(210)
    ]
    assert StockMove.objects.filter(item=item, to_warehouse=warehouse).count() == 20
    assert_no_drift()


def test_archiving_a_warehouse_while_orders_are_created_into_it_never_strands_an_order(boss):
    """Ten rounds of a warehouse archive racing four order creations that deliver into it. The
    archive waits for the creators' lock on the warehouse row, or they wait for it and then see
    it archived: never an archived warehouse that an open order delivers to."""
    plant = make_plant(stock=False)
    for round_ in range(10):
        target = WarehouseFactory(code=f"FG{round_}")

        def work(index, target=target):
            client = client_for(boss)
            if index == 0:
                return client.delete(f"/api/inventory/warehouses/{target.pk}")
            body = {
                "productId": str(plant.product.pk),
                "quantity": 1,
                "targetWarehouseId": str(target.pk),
            }
            return client.post(ORDERS, body)

        responses = race(5, work)

        assert_all_answered(responses)
        archive, creates = responses[0], responses[1:]
        archived = not Warehouse.objects.filter(pk=target.pk).exists()
        made = ProductionOrder.objects.filter(target_warehouse=target).count()
        assert made == sum(r.status_code == 201 for r in creates)
        if archived:
            assert (archive.status_code, made) == (204, 0)
            assert {r.json()["code"] for r in creates} == {"validation_error"}
        else:
            assert archive.status_code == 409 and archive.json()["code"] == "warehouse_in_use"
            assert made >= 1
