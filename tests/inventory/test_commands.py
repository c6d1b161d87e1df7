import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inventory import demo as inventory_demo
from inventory.models import LotBalance, Reservation, StockLevel, StockMove, Warehouse
from inventory.services.moves import stock_move_post
from inventory.services.reservations import stock_consume, stock_receive_production, stock_reserve
from items import demo as items_demo
from items.models import Item
from tests.inventory.factories import WarehouseFactory, level_of, main_warehouse, receive
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def busy_stock():
    """A bit of everything the services do."""
    wh, wh2 = main_warehouse(), WarehouseFactory(code="WH2")
    board = ItemFactory(number="PCB", tracking="lot")
    bolt = ItemFactory(number="BOLT")
    receive(board, 5, lot="B1")
    receive(board, 5, lot="B2")
    receive(bolt, 100)
    stock_move_post(
        kind="transfer", item=board, quantity=D(6), from_warehouse=wh, to_warehouse=wh2, actor=None
    )
    stock_move_post(kind="adjustment", item=bolt, quantity=D(-3), actor=None)
    order = uuid.uuid4()
    stock_reserve(
        lines=[(board, wh2, D(4)), (bolt, wh, D(50))], production_order_id=order, actor=None
    )
    stock_consume(
        production_order_id=order, lines=[(board, wh2, D(2)), (bolt, wh, D(20))], actor=None
    )
    stock_receive_production(
        item=ItemFactory(number="FG", tracking="lot"),
        warehouse=wh2,
        quantity=D(1),
        lot_number="FG-1",
        production_order_id=order,
        actor=None,
    )
    return {"board": board, "bolt": bolt, "wh": wh, "wh2": wh2}


def raw_update(model, pk, **values):
    """Drift injected behind the services' back."""
    table = model._meta.db_table
    assignments = ", ".join(f"{field} = %s" for field in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE id = %s",
            [*[str(v) for v in values.values()], pk.hex if connection.vendor == "sqlite" else pk],
        )


def test_check_stock_is_clean_after_every_kind_of_operation(busy_stock):
    output = run("check_stock")

    assert "No drift" in output
    assert "move(s)" in output


def test_check_stock_reports_an_injected_level_drift_and_fails(busy_stock):
    level = StockLevel.objects.get(item=busy_stock["bolt"], warehouse=busy_stock["wh"])
    raw_update(StockLevel, level.pk, on_hand=level.on_hand + 7)
    out = StringIO()

    with pytest.raises(CommandError, match="1 difference"):
        call_command("check_stock", stdout=out)

    assert "BOLT @ WH: on_hand is 84, expected 77" in out.getvalue()


def test_check_stock_finds_reserved_and_lot_drift(busy_stock):
    level = StockLevel.objects.get(item=busy_stock["board"], warehouse=busy_stock["wh2"])
    raw_update(StockLevel, level.pk, reserved=0)
    balance = LotBalance.objects.get(lot__number="B2", warehouse=busy_stock["wh2"])
    raw_update(LotBalance, balance.pk, quantity=balance.quantity + 1)
    out = StringIO()

    with pytest.raises(CommandError, match="2 difference"):
        call_command("check_stock", stdout=out)

    assert "PCB @ WH2: reserved is 0, expected 2" in out.getvalue()
    assert "PCB @ WH2 lot B2: quantity" in out.getvalue()


def test_check_stock_finds_a_missing_level_row(busy_stock):
    level = StockLevel.objects.get(item=busy_stock["bolt"], warehouse=busy_stock["wh"])
    Reservation.objects.filter(item=busy_stock["bolt"]).delete()
    raw_update(StockLevel, level.pk, reserved=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {StockLevel._meta.db_table} WHERE id = %s",
            [level.pk.hex if connection.vendor == "sqlite" else level.pk],
        )
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("check_stock", stdout=out)

    assert "BOLT @ WH: on_hand is missing, expected 77" in out.getvalue()


def test_rebuild_dry_run_changes_nothing_and_rebuild_fixes_drift(busy_stock):
    bolt = StockLevel.objects.get(item=busy_stock["bolt"], warehouse=busy_stock["wh"])
    raw_update(StockLevel, bolt.pk, on_hand=500, reserved=1)
    balance = LotBalance.objects.get(lot__number="B1", warehouse=busy_stock["wh"])
    raw_update(LotBalance, balance.pk, quantity=9)

    dry = run("rebuild_stock", "--dry-run")

    assert "Would change 3 value(s)" in dry and "Dry run: nothing written." in dry
    assert level_of(busy_stock["bolt"]) == (D(500), D(1))
    with pytest.raises(CommandError):
        run("check_stock")

    fixed = run("rebuild_stock")

    assert "Changed 3 value(s)" in fixed
    assert level_of(busy_stock["bolt"]) == (D(77), D(30))
    assert LotBalance.objects.get(pk=balance.pk).quantity == D(0)
    assert "No drift" in run("check_stock")
    assert "Nothing to rebuild" in run("rebuild_stock")


def test_rebuild_recreates_missing_rows(busy_stock):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LotBalance._meta.db_table}")

    run("rebuild_stock")

    assert "No drift" in run("check_stock")
    assert dict(
        LotBalance.objects.filter(warehouse=busy_stock["wh2"]).values_list(
            "lot__number", "quantity"
        )
    ) == {"B1": D(3), "B2": D(1), "FG-1": D(1)}


def test_rebuild_refuses_when_reservations_exceed_the_ledger(busy_stock):
    Reservation.objects.filter(item=busy_stock["bolt"]).update(quantity=D(1000))
    before = level_of(busy_stock["bolt"])

    with pytest.raises(CommandError, match="impossible stock"):
        run("rebuild_stock")

    assert level_of(busy_stock["bolt"]) == before


def test_inventory_demo_receives_the_demo_components_once():
    items_demo.seed()

    counts = inventory_demo.seed()
    again = inventory_demo.seed()

    assert counts == {"warehouses": 1, "stock moves": 18}
    assert again == {"warehouses": 0, "stock moves": 0}
    wire = Item.objects.get(number="EL-WIRE-CU")
    assert level_of(wire) == (D("52.5"), D(0))  # 50 kg + 2500 g
    pcb_lots = LotBalance.objects.filter(lot__item__number="PCB-001").values_list(
        "lot__number", "quantity"
    )
    assert sorted(pcb_lots) == [("PCB-2601", D(150)), ("PCB-2602", D(100))]
    wh2 = Warehouse.objects.get(code="WH2")
    assert level_of(Item.objects.get(number="HW-BOLT-M10"), wh2) == (D(500), D(0))
    assert level_of(Item.objects.get(number="HW-BOLT-M10")) == (D(4500), D(0))
    assert StockMove.objects.filter(kind="transfer").count() == 3
    assert "No drift" in run("check_stock")


def test_seed_demo_is_idempotent_for_stock_and_leaves_no_drift(settings):
    settings.DEBUG = True
    run("seed_demo")
    demo_moves = StockMove.objects.filter(reference__startswith="DEMO/").count()

    run("seed_demo")

    assert StockMove.objects.filter(reference__startswith="DEMO/").count() == demo_moves == 18
    assert "No drift" in run("check_stock")
