"""The ledger cannot be edited: not by the model, not by a QuerySet, not by raw SQL; and the
projections' CHECK constraints hold in the database."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from inventory import triggers
from inventory.exceptions import LedgerImmutable
from inventory.models import LotBalance, MoveKind, StockLevel, StockMove, Warehouse
from tests.inventory.factories import main_warehouse, receive
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def move():
    [move] = receive(ItemFactory(), 5)
    return move


def test_saving_an_existing_move_is_refused(move):
    move.quantity = Decimal(50)

    with pytest.raises(LedgerImmutable):
        move.save()

    assert StockMove.objects.get().quantity == Decimal(5)


def test_deleting_a_move_is_refused(move):
    with pytest.raises(LedgerImmutable):
        move.delete()

    assert StockMove.objects.count() == 1


def test_queryset_update_delete_and_bulk_update_are_refused(move):
    with pytest.raises(LedgerImmutable):
        StockMove.objects.filter(pk=move.pk).update(quantity=1)
    with pytest.raises(LedgerImmutable):
        StockMove.objects.all().delete()
    move.note = "edited"
    with pytest.raises(LedgerImmutable):
        StockMove.objects.bulk_update([move], ["note"])

    assert StockMove.objects.values_list("quantity", "note").get() == (Decimal(5), "")


def test_the_database_triggers_are_installed():
    names = triggers.installed(connection)

    if connection.vendor == "postgresql":
        assert names == {"inventory_stockmove_immutable"}
    else:
        assert names == {"inventory_stockmove_no_update", "inventory_stockmove_no_delete"}


def test_raw_sql_update_of_the_ledger_is_refused_by_the_database(move):
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {StockMove._meta.db_table} SET quantity = 50")

    assert StockMove.objects.get().quantity == Decimal(5)


def test_raw_sql_delete_of_the_ledger_is_refused_by_the_database(move):
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {StockMove._meta.db_table}")

    assert StockMove.objects.count() == 1


def test_appending_is_allowed_through_the_model_too():
    item = ItemFactory()

    StockMove(
        kind=MoveKind.ADJUSTMENT, item=item, quantity=Decimal(-1), to_warehouse=main_warehouse()
    ).save()

    assert StockMove.objects.count() == 1


def test_ledger_rows_must_match_their_kind():
    item, wh = ItemFactory(), main_warehouse()
    bad_rows = [
        StockMove(kind=MoveKind.RECEIPT, item=item, quantity=Decimal(1)),
        StockMove(kind=MoveKind.ISSUE, item=item, quantity=Decimal(1), to_warehouse=wh),
        StockMove(kind=MoveKind.RECEIPT, item=item, quantity=Decimal(-1), to_warehouse=wh),
        StockMove(kind=MoveKind.ADJUSTMENT, item=item, quantity=Decimal(0), to_warehouse=wh),
        StockMove(
            kind=MoveKind.TRANSFER,
            item=item,
            quantity=Decimal(1),
            from_warehouse=wh,
            to_warehouse=wh,
        ),
        StockMove(kind="gift", item=item, quantity=Decimal(1), to_warehouse=wh),
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()

    assert not StockMove.objects.exists()


@pytest.mark.parametrize(
    ("on_hand", "reserved"), [("-1", "0"), ("5", "-1"), ("5", "6")], ids=["neg", "negres", "over"]
)
def test_stock_level_check_constraints(on_hand, reserved):
    item = ItemFactory()
    receive(item, 5)
    level = StockLevel.objects.get(item=item)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(
            on_hand=Decimal(on_hand), reserved=Decimal(reserved)
        )


def test_lot_balance_cannot_go_negative():
    item = ItemFactory(tracking="lot")
    receive(item, 5, lot="L1")

    with pytest.raises(IntegrityError), transaction.atomic():
        LotBalance.objects.update(quantity=Decimal(-1))


def test_a_fresh_install_has_the_main_warehouse():
    assert Warehouse.objects.filter(code="WH").values_list("name", flat=True).get() == (
        "Main warehouse"
    )
