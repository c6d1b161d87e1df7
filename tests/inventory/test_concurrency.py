"""Real threads against PostgreSQL: row locks, not luck, keep stock exact."""

import uuid
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from inventory.exceptions import InsufficientStock
from inventory.models import LotBalance, MoveKind, Reservation, StockLevel, StockMove
from inventory.services.moves import stock_move_post
from inventory.services.reservations import stock_consume, stock_reserve
from tests.inventory.factories import main_warehouse, receive
from tests.items.factories import ItemFactory
from tests.robustness.concurrency import race

# serialized_rollback: the flush after a transactional test drops the data migrations' rows (units,
# WH); Django reloads them before each of these tests (as manufacturing's race tests do).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
THREADS = 20


def race_outcomes(work, count: int = THREADS) -> Counter:
    """Run `work(index)` in `count` threads released together; count the outcomes, a refusal
    for lack of stock as "short". Any other exception fails the test."""
    results = race(count, work)
    errors = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, InsufficientStock)
    ]
    assert not errors, errors
    return Counter("short" if isinstance(r, InsufficientStock) else r for r in results)


def assert_no_drift():
    out = StringIO()
    call_command("check_stock", stdout=out)
    assert "No drift" in out.getvalue()


def test_twenty_threads_issuing_and_reserving_never_oversell():
    item = ItemFactory()
    wh = main_warehouse()
    receive(item, 100)

    def work(index):
        if index % 2:
            stock_reserve(lines=[(item, wh, D(7))], production_order_id=uuid.uuid4(), actor=None)
            return "reserved"
        stock_move_post(kind=MoveKind.ISSUE, item=item, quantity=D(7), actor=None)
        return "issued"

    outcomes = race_outcomes(work)

    # Every call takes 7 of the available 100: exactly 14 can succeed, whatever the order.
    assert outcomes["issued"] + outcomes["reserved"] == 14
    assert outcomes["short"] == 6
    level = StockLevel.objects.get(item=item, warehouse=wh)
    assert level.on_hand == D(100) - 7 * outcomes["issued"]
    assert level.reserved == 7 * outcomes["reserved"]
    assert level.on_hand >= level.reserved >= 0
    assert level.on_hand - level.reserved == D(2)
    assert StockMove.objects.filter(kind="issue").count() == outcomes["issued"]
    assert Reservation.objects.count() == outcomes["reserved"]
    assert_no_drift()


def test_receipts_racing_to_create_the_same_level_add_up():
    item = ItemFactory()

    outcomes = race_outcomes(lambda index: receive(item, index + 1) and "received")

    assert outcomes == {"received": THREADS}
    level = StockLevel.objects.get(item=item)
    assert level.on_hand == D(sum(range(1, THREADS + 1)))
    assert_no_drift()


def test_concurrent_consumption_and_issues_keep_lots_exact():
    wh = main_warehouse()
    board = ItemFactory(tracking="lot")
    receive(board, 30, lot="L1")
    receive(board, 30, lot="L2")
    orders = [uuid.uuid4() for _ in range(THREADS // 2)]
    for order in orders:
        stock_reserve(lines=[(board, wh, D(4))], production_order_id=order, actor=None)

    def work(index):
        if index % 2:
            stock_consume(
                production_order_id=orders[index // 2], lines=[(board, wh, D(4))], actor=None
            )
            return "consumed"
        stock_move_post(kind=MoveKind.ISSUE, item=board, quantity=D(5), actor=None)
        return "issued"

    outcomes = race_outcomes(work)

    # 40 reserved for the orders, 20 free: four issues of 5 fit, six do not.
    assert outcomes == {"consumed": 10, "issued": 4, "short": 6}
    level = StockLevel.objects.get(item=board, warehouse=wh)
    assert (level.on_hand, level.reserved) == (D(0), D(0))
    assert set(LotBalance.objects.values_list("quantity", flat=True)) == {D(0)}
    assert not Reservation.objects.exists()
    assert_no_drift()
