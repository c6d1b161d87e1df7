"""The stock services, as production orders and the API use them."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.exceptions import InvalidState, ValidationFailed
from inventory.exceptions import InsufficientStock
from inventory.models import (
    Lot,
    LotBalance,
    MoveKind,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
from inventory.services.ledger import ReservationLine
from inventory.services.moves import stock_move_post
from inventory.services.reservations import (
    stock_consume,
    stock_receive_production,
    stock_release,
    stock_reserve,
)
from inventory.services.warehouses import warehouse_archive, warehouse_restore
from items.exceptions import ItemInUse, ItemNotFound, UomMismatch
from items.models import Item
from items.services import item_archive
from tests.inventory.factories import WarehouseFactory, level_of, main_warehouse, receive
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db
D = Decimal


def ledger_state():
    """Everything a refused call must leave as it was."""
    return (
        StockMove.objects.count(),
        sorted(StockLevel.objects.values_list("item_id", "warehouse_id", "on_hand", "reserved")),
        sorted(LotBalance.objects.values_list("lot_id", "warehouse_id", "quantity")),
        sorted(Reservation.objects.values_list("item_id", "warehouse_id", "quantity", "reference")),
        Lot.objects.count(),
    )


def post(kind, item, quantity, **kwargs):
    return stock_move_post(
        kind=kind, item=item, quantity=D(str(quantity)), actor=kwargs.pop("actor", None), **kwargs
    )


# --- receipts ----------------------------------------------------------------------------------


def test_receipt_goes_into_wh_by_default(make_user, assert_no_drift):
    item = ItemFactory()
    user = make_user()

    [move] = post(MoveKind.RECEIPT, item, 5, reference="PO-1", note="first", actor=user)

    assert (move.kind, move.quantity, move.to_warehouse, move.from_warehouse) == (
        "receipt",
        D(5),
        main_warehouse(),
        None,
    )
    assert (move.reference, move.note, move.created_by) == ("PO-1", "first", user)
    assert level_of(item) == (D(5), D(0))
    assert_no_drift()


def test_receipt_in_kg_of_an_item_stocked_in_grams_gives_2000():
    item = ItemFactory(uom=unit("g"))

    [move] = post(MoveKind.RECEIPT, item, 2, uom=unit("kg"))

    assert move.quantity == D(2000)
    assert level_of(item) == (D(2000), D(0))


def test_receipt_in_grams_of_an_item_stocked_in_kg_is_converted_to_6_places():
    item = ItemFactory(uom=unit("kg"))

    post(MoveKind.RECEIPT, item, "2500.5", uom=unit("g"))

    assert level_of(item) == (D("2.5005"), D(0))


def test_receipt_in_a_unit_of_another_category_is_uom_mismatch_and_changes_nothing():
    item = ItemFactory(uom=unit("kg"))
    before = ledger_state()

    with pytest.raises(UomMismatch):
        post(MoveKind.RECEIPT, item, 2, uom=unit("L"))

    assert ledger_state() == before


@pytest.mark.parametrize("quantity", [0, -1, "0.0000001"])
def test_receipt_quantity_must_be_positive(quantity):
    item = ItemFactory()

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, item, quantity)

    assert "quantity" in error.value.errors
    assert not StockMove.objects.exists()


def test_huge_quantity_is_a_validation_error_not_an_overflow():
    item = ItemFactory(uom=unit("g"))

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, item, "999999999999", uom=unit("kg"))

    assert "quantity" in error.value.errors


def test_lot_tracked_receipt_needs_a_lot_number():
    item = ItemFactory(tracking="lot")

    for lot in (None, "", "  "):
        with pytest.raises(ValidationFailed) as error:
            post(MoveKind.RECEIPT, item, 1, lot_number=lot)
        assert "lot_number" in error.value.errors
    assert not StockMove.objects.exists() and not Lot.objects.exists()


def test_receipt_creates_the_lot_once_and_adds_to_its_balance(assert_no_drift):
    item = ItemFactory(tracking="lot")

    receive(item, 3, lot="L1")
    receive(item, 4, lot="L1")

    lot = Lot.objects.get(item=item)
    assert lot.number == "L1"
    assert LotBalance.objects.get(lot=lot).quantity == D(7)
    assert level_of(item) == (D(7), D(0))
    assert_no_drift()


def test_the_same_lot_number_on_two_items_is_two_lots():
    first, second = ItemFactory(tracking="lot"), ItemFactory(tracking="lot")

    receive(first, 1, lot="L1")
    receive(second, 1, lot="L1")

    assert Lot.objects.filter(number="L1").count() == 2


def test_service_items_are_not_stocked():
    item = ItemFactory(type="service", uom=unit("h"))

    with pytest.raises(ValidationFailed):
        post(MoveKind.RECEIPT, item, 1)


def test_archived_items_are_refused_by_every_stock_service_not_only_the_api():
    item = Item.all_objects.get(pk=item_archive(item=ItemFactory(), actor=None).pk)

    with pytest.raises(ItemNotFound):
        post(MoveKind.RECEIPT, item, 1)
    with pytest.raises(ItemNotFound):
        stock_reserve(lines=[ReservationLine(item, main_warehouse(), Decimal(1))], actor=None)
    with pytest.raises(ItemNotFound):
        stock_receive_production(
            item=item,
            warehouse=main_warehouse(),
            quantity=Decimal(1),
            production_order_id=None,
            actor=None,
        )
    assert not StockMove.objects.filter(item=item).exists()


def test_archived_warehouse_is_refused():
    warehouse = WarehouseFactory()
    warehouse.delete()

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, ItemFactory(), 1, to_warehouse=warehouse)

    assert "to_warehouse_id" in error.value.errors


def test_missing_default_warehouse_is_a_validation_error():
    main_warehouse().delete()

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, ItemFactory(), 1)

    assert "to_warehouse_id" in error.value.errors


def test_receipt_refuses_a_source_warehouse():
    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, ItemFactory(), 1, from_warehouse=main_warehouse())

    assert "from_warehouse_id" in error.value.errors


def test_consumption_and_production_are_not_posted_by_hand():
    with pytest.raises(ValidationFailed):
        post(MoveKind.CONSUMPTION, ItemFactory(), 1)


# --- issues ------------------------------------------------------------------------------------


def test_issue_takes_from_wh_by_default(assert_no_drift):
    item = ItemFactory()
    receive(item, 10)

    [move] = post(MoveKind.ISSUE, item, 4)

    assert (move.kind, move.quantity, move.from_warehouse, move.to_warehouse) == (
        "issue",
        D(4),
        main_warehouse(),
        None,
    )
    assert level_of(item) == (D(6), D(0))
    assert_no_drift()


def test_issue_beyond_available_is_insufficient_stock_and_changes_nothing():
    item = ItemFactory(number="BOLT")
    receive(item, 10)
    stock_reserve(lines=[(item, main_warehouse(), D(7))], reference="hold", actor=None)
    before = ledger_state()

    with pytest.raises(InsufficientStock) as error:
        post(MoveKind.ISSUE, item, 4)

    assert error.value.shortages == [
        {"product_id": str(item.pk), "number": "BOLT", "required": D(4), "available": D(3)}
    ]
    assert error.value.code == "insufficient_stock" and error.value.status == 400
    assert ledger_state() == before


def test_issue_of_an_item_never_stocked_is_insufficient_stock():
    item = ItemFactory()

    with pytest.raises(InsufficientStock) as error:
        post(MoveKind.ISSUE, item, 1)

    assert error.value.shortages[0]["available"] == 0
    assert not StockLevel.objects.exists()


def test_issue_picks_lots_fifo_one_move_per_lot(assert_no_drift):
    item = ItemFactory(tracking="lot")
    receive(item, 5, lot="OLD")
    receive(item, 10, lot="NEW")

    moves = post(MoveKind.ISSUE, item, 8)

    assert [(m.lot.number, m.quantity) for m in moves] == [("OLD", D(5)), ("NEW", D(3))]
    balances = dict(LotBalance.objects.values_list("lot__number", "quantity"))
    assert balances == {"OLD": D(0), "NEW": D(7)}
    assert_no_drift()


def test_fifo_follows_lot_age_not_lot_number():
    item = ItemFactory(tracking="lot")
    receive(item, 2, lot="B-first")
    receive(item, 2, lot="A-second")

    moves = post(MoveKind.ISSUE, item, 3)

    assert [m.lot.number for m in moves] == ["B-first", "A-second"]


def test_issue_of_a_named_lot_is_limited_to_its_balance():
    item = ItemFactory(number="PCB", tracking="lot")
    receive(item, 5, lot="OLD")
    receive(item, 10, lot="NEW")

    [move] = post(MoveKind.ISSUE, item, 6, lot_number="NEW")
    assert (move.lot.number, move.quantity) == ("NEW", D(6))

    with pytest.raises(InsufficientStock) as error:
        post(MoveKind.ISSUE, item, 5, lot_number="NEW")
    assert error.value.shortages[0]["available"] == D(4)


def test_issue_of_an_unknown_lot_is_a_validation_error():
    item = ItemFactory(tracking="lot")
    receive(item, 5, lot="L1")

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.ISSUE, item, 1, lot_number="NOPE")

    assert "lot_number" in error.value.errors


def test_untracked_item_keeps_recorded_lots_and_issues_unlotted_stock_first(assert_no_drift):
    item = ItemFactory(tracking="none")
    receive(item, 4, lot="RECORDED")
    receive(item, 6)

    moves = post(MoveKind.ISSUE, item, 8)

    assert [(m.lot.number if m.lot else None, m.quantity) for m in moves] == [
        (None, D(6)),
        ("RECORDED", D(2)),
    ]
    assert_no_drift()


# --- transfers ---------------------------------------------------------------------------------


def test_transfer_moves_stock_and_lots_between_warehouses(assert_no_drift):
    item = ItemFactory(tracking="lot")
    source, target = main_warehouse(), WarehouseFactory(code="WH2")
    receive(item, 5, lot="L1")
    receive(item, 5, lot="L2")

    moves = post(MoveKind.TRANSFER, item, 7, from_warehouse=source, to_warehouse=target)

    assert [(m.lot.number, m.quantity, m.from_warehouse, m.to_warehouse) for m in moves] == [
        ("L1", D(5), source, target),
        ("L2", D(2), source, target),
    ]
    assert level_of(item, source) == (D(3), D(0))
    assert level_of(item, target) == (D(7), D(0))
    target_lots = dict(
        LotBalance.objects.filter(warehouse=target).values_list("lot__number", "quantity")
    )
    assert target_lots == {"L1": D(5), "L2": D(2)}
    assert_no_drift()


def test_transfer_needs_two_different_warehouses():
    item = ItemFactory()
    receive(item, 5)

    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.TRANSFER, item, 1, from_warehouse=main_warehouse())
    assert "to_warehouse_id" in error.value.errors

    with pytest.raises(ValidationFailed) as error:
        post(
            MoveKind.TRANSFER,
            item,
            1,
            from_warehouse=main_warehouse(),
            to_warehouse=main_warehouse(),
        )
    assert "to_warehouse_id" in error.value.errors


def test_transfer_beyond_available_changes_nothing():
    item = ItemFactory()
    receive(item, 2)
    target = WarehouseFactory()
    before = ledger_state()

    with pytest.raises(InsufficientStock):
        post(MoveKind.TRANSFER, item, 3, from_warehouse=main_warehouse(), to_warehouse=target)

    assert ledger_state() == before


# --- adjustments -------------------------------------------------------------------------------


def test_adjustments_are_signed(assert_no_drift):
    item = ItemFactory()

    [up] = post(MoveKind.ADJUSTMENT, item, 10)
    [down] = post(MoveKind.ADJUSTMENT, item, -4)

    assert (up.quantity, up.to_warehouse) == (D(10), main_warehouse())
    assert (down.quantity, down.to_warehouse, down.from_warehouse) == (
        D(-4),
        main_warehouse(),
        None,
    )
    assert level_of(item) == (D(6), D(0))
    assert_no_drift()


def test_zero_adjustment_is_refused():
    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.ADJUSTMENT, ItemFactory(), 0)

    assert "quantity" in error.value.errors


def test_negative_adjustment_is_limited_to_available_and_picks_lots_fifo():
    item = ItemFactory(tracking="lot")
    receive(item, 2, lot="L1")
    receive(item, 2, lot="L2")

    with pytest.raises(InsufficientStock):
        post(MoveKind.ADJUSTMENT, item, -5)
    moves = post(MoveKind.ADJUSTMENT, item, -3)

    assert [(m.lot.number, m.quantity) for m in moves] == [("L1", D(-2)), ("L2", D(-1))]


def test_positive_adjustment_of_a_lot_tracked_item_needs_a_lot():
    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.ADJUSTMENT, ItemFactory(tracking="lot"), 1)

    assert "lot_number" in error.value.errors


# --- reservations ------------------------------------------------------------------------------


def test_reserve_is_all_or_nothing_and_reports_every_shortage():
    wh = main_warehouse()
    enough, short, absent = (
        ItemFactory(number="ENOUGH"),
        ItemFactory(number="SHORT"),
        ItemFactory(number="ABSENT"),
    )
    receive(enough, 10)
    receive(short, 3)
    before = ledger_state()

    with pytest.raises(InsufficientStock) as error:
        stock_reserve(
            lines=[
                ReservationLine(enough, wh, D(5)),
                ReservationLine(short, wh, D(4)),
                ReservationLine(absent, wh, D(1)),
            ],
            production_order_id=uuid.uuid4(),
            actor=None,
        )

    assert error.value.shortages == [
        {"product_id": str(short.pk), "number": "SHORT", "required": D(4), "available": D(3)},
        {"product_id": str(absent.pk), "number": "ABSENT", "required": D(1), "available": D(0)},
    ]
    assert ledger_state() == before


def test_reserve_holds_stock_and_merges_repeated_lines_and_calls(assert_no_drift):
    wh = main_warehouse()
    item = ItemFactory()
    receive(item, 10)
    order = uuid.uuid4()

    stock_reserve(lines=[(item, wh, D(2)), (item, wh, D(1))], production_order_id=order, actor=None)
    [reservation] = stock_reserve(
        lines=[(item, wh, D(4))], production_order_id=order, reference="MO/1", actor=None
    )

    assert reservation.quantity == D(7)
    assert Reservation.objects.get().quantity == D(7)
    assert level_of(item) == (D(10), D(7))
    assert_no_drift()


def test_reservations_of_different_owners_are_separate_rows():
    wh = main_warehouse()
    item = ItemFactory()
    receive(item, 10)

    stock_reserve(lines=[(item, wh, D(2))], production_order_id=uuid.uuid4(), actor=None)
    stock_reserve(lines=[(item, wh, D(3))], production_order_id=uuid.uuid4(), actor=None)
    stock_reserve(lines=[(item, wh, D(1))], reference="manual", actor=None)

    assert Reservation.objects.count() == 3
    assert level_of(item) == (D(10), D(6))


def test_reserved_stock_is_not_available_to_another_order():
    wh = main_warehouse()
    item = ItemFactory()
    receive(item, 10)
    stock_reserve(lines=[(item, wh, D(8))], production_order_id=uuid.uuid4(), actor=None)

    with pytest.raises(InsufficientStock) as error:
        stock_reserve(lines=[(item, wh, D(3))], production_order_id=uuid.uuid4(), actor=None)

    assert error.value.shortages[0]["available"] == D(2)


def test_reserve_refuses_a_non_positive_quantity():
    item = ItemFactory()
    receive(item, 10)

    with pytest.raises(ValidationFailed) as error:
        stock_reserve(lines=[(item, main_warehouse(), D(0))], actor=None)

    assert "lines[0].quantity" in error.value.errors


def test_release_returns_all_reserved_stock_of_the_order(assert_no_drift):
    wh = main_warehouse()
    a, b = ItemFactory(), ItemFactory()
    receive(a, 10)
    receive(b, 10)
    order, other = uuid.uuid4(), uuid.uuid4()
    stock_reserve(lines=[(a, wh, D(4)), (b, wh, D(5))], production_order_id=order, actor=None)
    stock_reserve(lines=[(a, wh, D(1))], production_order_id=other, actor=None)

    released = stock_release(production_order_id=order, actor=None)

    assert sorted(r.quantity for r in released) == [D(4), D(5)]
    assert level_of(a) == (D(10), D(1))
    assert level_of(b) == (D(10), D(0))
    assert list(Reservation.objects.values_list("production_order_id", flat=True)) == [other]
    assert_no_drift()


def test_release_of_some_items_only():
    wh = main_warehouse()
    a, b = ItemFactory(), ItemFactory()
    receive(a, 10)
    receive(b, 10)
    order = uuid.uuid4()
    stock_reserve(lines=[(a, wh, D(4)), (b, wh, D(5))], production_order_id=order, actor=None)

    stock_release(production_order_id=order, items=[a], actor=None)

    assert level_of(a) == (D(10), D(0))
    assert level_of(b) == (D(10), D(5))


def test_release_of_nothing_is_not_an_error():
    assert stock_release(production_order_id=uuid.uuid4(), actor=None) == []


# --- consumption and production ----------------------------------------------------------------


def test_consume_uses_the_reservation_and_picks_lots_fifo(assert_no_drift):
    wh = main_warehouse()
    board = ItemFactory(number="PCB", tracking="lot")
    bolt = ItemFactory(number="BOLT")
    receive(board, 3, lot="B1")
    receive(board, 5, lot="B2")
    receive(bolt, 100)
    order = uuid.uuid4()
    stock_reserve(
        lines=[(board, wh, D(6)), (bolt, wh, D(40))], production_order_id=order, actor=None
    )

    moves = stock_consume(
        production_order_id=order,
        lines=[(board, wh, D(4)), (bolt, wh, D(40))],
        reference="MO/2026/0001",
        actor=None,
    )

    assert [(m.item.number, m.lot.number if m.lot else None, m.quantity) for m in moves] == [
        ("PCB", "B1", D(3)),
        ("PCB", "B2", D(1)),
        ("BOLT", None, D(40)),
    ]
    assert {m.kind for m in moves} == {"consumption"}
    assert {m.production_order_id for m in moves} == {order}
    assert {m.reference for m in moves} == {"MO/2026/0001"}
    assert level_of(board) == (D(4), D(2))
    assert level_of(bolt) == (D(60), D(0))
    assert list(Reservation.objects.values_list("item__number", "quantity")) == [("PCB", D(2))]
    assert_no_drift()


def test_consuming_more_than_reserved_takes_the_rest_from_available_stock(assert_no_drift):
    wh = main_warehouse()
    item = ItemFactory()
    receive(item, 10)
    order = uuid.uuid4()
    stock_reserve(lines=[(item, wh, D(3))], production_order_id=order, actor=None)

    stock_consume(production_order_id=order, lines=[(item, wh, D(5))], actor=None)

    assert level_of(item) == (D(5), D(0))
    assert not Reservation.objects.exists()
    assert_no_drift()


def test_consume_beyond_reserved_and_available_changes_nothing():
    wh = main_warehouse()
    item, other = ItemFactory(number="A"), ItemFactory(number="B")
    receive(item, 10)
    receive(other, 10)
    order, rival = uuid.uuid4(), uuid.uuid4()
    stock_reserve(lines=[(item, wh, D(3))], production_order_id=order, actor=None)
    stock_reserve(lines=[(item, wh, D(6))], production_order_id=rival, actor=None)
    before = ledger_state()

    with pytest.raises(InsufficientStock) as error:
        stock_consume(
            production_order_id=order, lines=[(other, wh, D(1)), (item, wh, D(5))], actor=None
        )

    assert error.value.shortages == [
        {"product_id": str(item.pk), "number": "A", "required": D(5), "available": D(4)}
    ]
    assert ledger_state() == before


def test_receive_production_records_a_production_move_under_a_lot(assert_no_drift):
    product = ItemFactory(tracking="lot")
    order = uuid.uuid4()

    move = stock_receive_production(
        item=product,
        warehouse=main_warehouse(),
        quantity=D(5),
        lot_number="FG-1",
        production_order_id=order,
        reference="MO/2026/0001",
        actor=None,
    )

    assert (move.kind, move.quantity, move.lot.number, move.production_order_id) == (
        "production",
        D(5),
        "FG-1",
        order,
    )
    assert level_of(product) == (D(5), D(0))
    assert_no_drift()


def test_receive_production_of_a_lot_tracked_item_needs_a_lot():
    with pytest.raises(ValidationFailed) as error:
        stock_receive_production(
            item=ItemFactory(tracking="lot"),
            warehouse=main_warehouse(),
            quantity=D(1),
            production_order_id=uuid.uuid4(),
            actor=None,
        )

    assert "lot_number" in error.value.errors
    assert not StockMove.objects.exists()


def test_receive_production_records_a_lot_given_for_an_untracked_item():
    item = ItemFactory(tracking="none")

    move = stock_receive_production(
        item=item,
        warehouse=main_warehouse(),
        quantity=D(2),
        lot_number="BATCH-7",
        production_order_id=uuid.uuid4(),
        actor=None,
    )

    assert move.lot.number == "BATCH-7"


# --- query counts ------------------------------------------------------------------------------


def _stocked_items(count):
    items = ItemFactory.create_batch(count)
    for item in items:
        receive(item, 100)
    return items


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_reserve_release_and_consume_cost_the_same_queries_for_2_and_30_lines():
    wh = main_warehouse()
    counts = {}
    for size in (2, 30):
        items = _stocked_items(size)
        order = uuid.uuid4()
        reserve = [(item, wh, D(10)) for item in items]
        consume = [(item, wh, D(4)) for item in items]
        counts[size] = (
            _queries(
                lambda r=reserve, o=order: stock_reserve(lines=r, production_order_id=o, actor=None)
            ),
            _queries(
                lambda c=consume, o=order: stock_consume(production_order_id=o, lines=c, actor=None)
            ),
            _queries(lambda o=order: stock_release(production_order_id=o, actor=None)),
        )

    assert counts[2] == counts[30]


def test_consume_over_lots_costs_the_same_queries_for_2_and_30_lines():
    wh = main_warehouse()
    counts = {}
    for size in (2, 30):
        items = ItemFactory.create_batch(size, tracking="lot")
        for item in items:
            receive(item, 3, lot="A")
            receive(item, 3, lot="B")
        order = uuid.uuid4()
        stock_reserve(
            lines=[(item, wh, D(5)) for item in items], production_order_id=order, actor=None
        )
        counts[size] = _queries(
            lambda i=items, o=order: stock_consume(
                production_order_id=o, lines=[(item, wh, D(4)) for item in i], actor=None
            )
        )

    assert counts[2] == counts[30]


# --- warehouses and items ----------------------------------------------------------------------


def test_warehouse_with_stock_cannot_be_archived():
    warehouse = WarehouseFactory()
    receive(ItemFactory(), 1, warehouse=warehouse)

    with pytest.raises(InvalidState):
        warehouse_archive(warehouse=warehouse, actor=None)

    warehouse.refresh_from_db()
    assert warehouse.deleted_at is None


def test_empty_warehouse_can_be_archived_and_restored():
    warehouse = WarehouseFactory()
    item = ItemFactory()
    receive(item, 1, warehouse=warehouse)
    post(MoveKind.ISSUE, item, 1, from_warehouse=warehouse)

    archived = warehouse_archive(warehouse=warehouse, actor=None)
    assert archived.deleted_at is not None
    assert not Warehouse.objects.filter(pk=warehouse.pk).exists()  # archived in the database
    restored = warehouse_restore(warehouse=archived, actor=None)
    assert restored.deleted_at is None
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_item_with_stock_on_hand_cannot_be_archived():
    item = ItemFactory()
    receive(item, 3)

    with pytest.raises(ItemInUse, match="stock on hand"):
        item_archive(item=item)


def test_stock_availability_is_one_query_for_any_number_of_items(django_assert_num_queries):
    wh = main_warehouse()
    items = _stocked_items(5)
    never = ItemFactory()
    stock_reserve(lines=[(items[0], wh, D(30))], reference="x", actor=None)

    from inventory.selectors import stock_availability

    with django_assert_num_queries(1):
        availability = stock_availability(items=[*items, never], warehouse=wh)

    assert availability[items[0].pk] == D(70)
    assert availability[items[1].pk] == D(100)
    assert availability[never.pk] == D(0)


def test_over_long_lot_numbers_and_references_are_validation_errors():
    item = ItemFactory(tracking="lot")

    with pytest.raises(ValidationFailed) as error:
        stock_receive_production(
            item=item,
            warehouse=main_warehouse(),
            quantity=D(1),
            lot_number="L" * 65,
            production_order_id=uuid.uuid4(),
            actor=None,
        )
    assert "lot_number" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        post(MoveKind.RECEIPT, item, 1, lot_number="L1", reference="R" * 101)
    assert "reference" in error.value.errors
    assert not StockMove.objects.exists()
