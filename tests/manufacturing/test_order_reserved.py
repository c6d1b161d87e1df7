"""A requirement's `reserved` has one record, the order's open `Reservation`: every read of the
order derives it from there (no stored copy to drift), and the migration that dropped the copy
loses nothing either way."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from inventory import triggers
from inventory.models import Reservation
from inventory.services.reservations import stock_release
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder, ProductionOrderComponent
from manufacturing.orders.selectors import production_order_detail, production_order_list
from tests.manufacturing.orders_fixtures import make_order, make_plant, reservations_of

ORDERS = "/api/manufacturing/orders"
BEFORE = ("manufacturing", "0004_bom_content_hash_covers_units")
AFTER = ("manufacturing", "0005_component_reserved_from_reservations")


def orders_in_every_open_state():
    """A confirmed order, one in progress (partly consumed), one closed and one cancelled
    after production (both with nothing reserved left), and a draft (no requirements)."""
    plant = make_plant(frames="10000", boards="10000")
    confirmed = order_services.production_order_confirm(order=make_order(plant, "100"))
    in_progress = order_services.production_order_confirm(order=make_order(plant, "40"))
    order_services.production_order_produce(order=in_progress, qty=Decimal("15"))
    closed = order_services.production_order_confirm(order=make_order(plant, "10"))
    order_services.production_order_produce(order=closed, qty=Decimal("4"))
    order_services.production_order_close(order=closed)
    cancelled = order_services.production_order_confirm(order=make_order(plant, "10"))
    order_services.production_order_produce(order=cancelled, qty=Decimal("3"))
    order_services.production_order_cancel(order=cancelled)
    make_order(plant, "5")
    return confirmed, in_progress, closed, cancelled


def reserved_by_component() -> dict[tuple, Decimal]:
    return {
        (order_id, item_id): reserved
        for order_id, item_id, reserved in ProductionOrderComponent.objects.values_list(
            "order_id", "item_id", "reserved"
        )
    }


@pytest.mark.django_db
def test_every_read_of_a_requirement_shows_the_open_reservation():
    confirmed, in_progress, closed, cancelled = orders_in_every_open_state()

    for order in (confirmed, in_progress, closed, cancelled):
        held = reservations_of(order)
        for read in (production_order_list(), production_order_detail()):
            components = read.get(pk=order.pk).components.all()
            assert {c.item.number: c.reserved for c in components} == {
                c.item.number: held.get(c.item.number, Decimal(0)) for c in components
            }
    in_progress_reads = {
        c.item.number: (c.reserved, c.consumed) for c in in_progress.components.all()
    }
    assert in_progress_reads == {
        "FRAME": (25, 15),
        "BOARD": (50, 30),
        "PAINT": (12500, 7500),
    }
    assert all(c.reserved == 0 for o in (closed, cancelled) for c in o.components.all())


@pytest.mark.django_db
def test_a_reservation_released_by_inventory_alone_shows_at_once_in_the_order(api):
    """What `check_stock` verifies (the reservations) is what the order shows: inventory
    releasing an order's stock behind manufacturing's back leaves no stale copy."""
    plant = make_plant()
    order = order_services.production_order_confirm(order=make_order(plant, "100"))
    stock_release(production_order_id=order.pk, actor=None)

    body = api.get(f"{ORDERS}/{order.pk}").json()

    assert [c["reserved"] for c in body["components"]] == [0, 0, 0]
    assert not Reservation.objects.filter(production_order_id=order.pk).exists()


@pytest.mark.django_db
def test_admin_inline_shows_the_reserved_figure(admin_user):
    plant = make_plant()
    order = order_services.production_order_confirm(order=make_order(plant, "100"))
    order_services.production_order_produce(order=order, qty=Decimal("25"))
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/admin/manufacturing/productionorder/{order.pk}/change/").content.decode()

    assert "Reserved" in page
    assert "37500" in page  # PAINT: 50000 mL required, 12500 consumed


@pytest.fixture
def ledger_emptied_after():
    """The flush after a transactional test deletes row by row on SQLite, which the ledger
    triggers refuse (inventory/triggers.py): empty the ledger with them lifted, then restore."""
    yield
    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which row triggers ignore
    with connection.cursor() as cursor:
        for statement in triggers.SQLITE_UNINSTALL:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {triggers.TABLE}")
        for statement in triggers.SQLITE_INSTALL:
            cursor.execute(statement)


# serialized_rollback: the flush after a transactional test would drop the data migrations' rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_drops_the_copy_and_backwards_refills_it_from_the_reservations(
    ledger_emptied_after,
):
    confirmed, *_ = orders_in_every_open_state()
    expected = reserved_by_component()
    assert expected[(confirmed.pk, confirmed.components.first().item_id)] > 0
    assert any(v == 0 for v in expected.values()) and len(expected) == 12

    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        stored = {
            (order_id, item_id): reserved
            for order_id, item_id, reserved in old.get_model(
                "manufacturing", "ProductionOrderComponent"
            )._base_manager.values_list("order_id", "item_id", "reserved")
        }
        assert stored == expected
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert reserved_by_component() == expected
    assert ProductionOrder.objects.filter(status="in_progress").count() == 1
