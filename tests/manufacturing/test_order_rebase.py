"""Rebasing an open order onto another BOM version (issue 14, item 3): all or nothing, refused
paths change nothing."""

import uuid
from decimal import Decimal

import pytest

from config.exceptions import InvalidState
from inventory.exceptions import InsufficientStock
from inventory.models import Reservation, StockLevel
from inventory.services.reservations import stock_reserve
from manufacturing.boms.services import bom_archive, bom_cancel
from manufacturing.exceptions import BomOtherProduct, BomUnusable, OrderStarted
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from manufacturing.orders.selectors import production_order_history
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import main_warehouse, receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op
from tests.manufacturing.orders_fixtures import (
    make_order,
    make_plant,
    reservations_of,
    reserved,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plant():
    """Widget v1 = 1 FRAME + 2 BOARD + 0.5 L PAINT, Assembly 30 min (1000 frames and boards,
    100 L paint); v2 = 1 FRAME + 3 BOARD + 1 GLUE, Assembly 20 min + Pack 5 min (40 glue)."""
    plant = make_plant()
    plant.glue = ItemFactory(number="GLUE")
    receive(plant.glue, 40)
    pack = WorkcenterFactory(name="Pack line", code="PACK")
    plant.v2 = BOMFactory(
        product=plant.product,
        version=2,
        lines=[line(plant.frame, 1), line(plant.board, 3), line(plant.glue, 1)],
        operations=[op(plant.line_a, 20, "Assembly"), op(pack, 5, "Pack")],
        status="submitted",
    )
    return plant


def state(order: ProductionOrder) -> dict:
    """Everything a rebase may change, to assert that a refused one changed nothing."""
    order = ProductionOrder.all_objects.get(pk=order.pk)
    return {
        "order": (order.bom_id, order.status, order.updated_at),
        "components": sorted(order.components.values_list("id", "item_id", "required")),
        "work_orders": sorted(order.work_orders.values_list("id", "name", "planned_minutes")),
        "reservations": sorted(Reservation.objects.values_list("id", "item_id", "quantity")),
        "levels": sorted(StockLevel.objects.values_list("id", "on_hand", "reserved")),
        "history": order.history.count(),
    }


def test_rebase_of_a_draft_moves_it_onto_the_new_version(plant):
    order = make_order(plant, "10")

    rebased = order_services.production_order_rebase(order=order, bom=plant.v2)

    assert rebased.bom_id == plant.v2.pk
    assert rebased.status == "draft"
    assert not Reservation.objects.exists()
    latest = production_order_history(order=order)[0]
    assert latest.fields["bom_id"] == [plant.bom.pk, plant.v2.pk]
    assert latest.record.history_change_reason == (
        f"Rebased from BOM {plant.bom.number} v1 to {plant.v2.number} v2"
    )


def test_rebase_of_a_confirmed_order_replans_reservations_requirements_and_work_orders(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    assert reservations_of(order) == {"FRAME": 10, "BOARD": 20, "PAINT": 5000}

    order_services.production_order_rebase(order=order, bom=plant.v2)

    assert reservations_of(order) == {"FRAME": 10, "BOARD": 30, "GLUE": 10}
    assert (reserved(plant.paint), reserved(plant.board), reserved(plant.glue)) == (0, 30, 10)
    order.refresh_from_db()
    assert (order.status, order.bom_id) == ("confirmed", plant.v2.pk)
    requirements = {c.item.number: (c.required, c.reserved) for c in order.components.all()}
    assert requirements == {"FRAME": (10, 10), "BOARD": (30, 30), "GLUE": (10, 10)}
    work_orders = list(order.work_orders.order_by("sequence"))
    assert [(w.name, w.planned_minutes, w.status) for w in work_orders] == [
        ("Assembly", 200, "pending"),
        ("Pack", 50, "pending"),
    ]


def test_what_the_order_already_holds_counts_towards_the_new_version(plant):
    """30 boards in stock, 20 held by the order on v1: v2 needs 30 — the 20 plus the 10 free."""
    board = ItemFactory(number="BOARD-2")
    receive(board, 30)
    v1 = BOMFactory(product=ItemFactory(), lines=[line(board, 2)], status="submitted")
    v2 = BOMFactory(product=v1.product, version=2, lines=[line(board, 3)], status="submitted")
    order = order_services.production_order_create(product=v1.product, quantity=D(10))
    order_services.production_order_confirm(order=order)

    order_services.production_order_rebase(order=order, bom=v2)

    assert reservations_of(order) == {"BOARD-2": 30}
    assert reserved(board) == 30


def test_short_stock_refuses_and_changes_nothing(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    other = order_services.production_order_confirm(order=make_order(plant, "150"))
    before = state(other)

    with pytest.raises(InsufficientStock) as refused:
        order_services.production_order_rebase(order=other, bom=plant.v2)

    # v2 for 150: 450 boards (300 held + 680 free: enough), 150 glue of 40.
    assert [(s["number"], s["required"], s["available"]) for s in refused.value.shortages] == [
        ("GLUE", 150, 40)
    ]
    assert state(other) == before
    assert reservations_of(order) == {"FRAME": 10, "BOARD": 20, "PAINT": 5000}


def test_every_shortage_is_listed(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "180"))
    stock_reserve(lines=[(plant.board, main_warehouse(), D(500))], reference="HOLD", actor=None)
    before = state(order)

    with pytest.raises(InsufficientStock) as refused:
        order_services.production_order_rebase(order=order, bom=plant.v2)

    # v2 for 180: 540 boards, of 1000 less the 500 held: 360 held by the order + 140 free.
    assert {(s["number"], s["required"], s["available"]) for s in refused.value.shortages} == {
        ("BOARD", 540, 500),
        ("GLUE", 180, 40),
    }
    assert state(order) == before


def _in_progress(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    return order_services.production_order_produce(order=order, qty=D(2))


def _work_order_started(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    work_order = order.work_orders.get()
    order_services.work_order_start(order=order, work_order_id=work_order.pk)
    return order


def _closed(plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    return order_services.production_order_close(order=order)


def _cancelled(plant):
    return order_services.production_order_cancel(order=make_order(plant, "10"))


def _deleted(plant):
    return order_services.production_order_delete(order=make_order(plant, "10"))


REFUSALS = {
    "in progress": (_in_progress, lambda p: p.v2, OrderStarted),
    "work order started": (_work_order_started, lambda p: p.v2, OrderStarted),
    "done": (_closed, lambda p: p.v2, InvalidState),
    "cancelled": (_cancelled, lambda p: p.v2, InvalidState),
    "deleted draft": (_deleted, lambda p: p.v2, InvalidState),
    "same BOM": (lambda p: make_order(p, "10"), lambda p: p.bom, InvalidState),
    "other product": (
        lambda p: make_order(p, "10"),
        lambda p: BOMFactory(status="submitted"),
        BomOtherProduct,
    ),
    "draft BOM": (
        lambda p: make_order(p, "10"),
        lambda p: BOMFactory(product=p.product, version=3),
        BomUnusable,
    ),
    "cancelled BOM": (
        lambda p: make_order(p, "10"),
        lambda p: bom_cancel(bom=BOMFactory(product=p.product, version=3, status="submitted")),
        BomUnusable,
    ),
    "archived BOM": (
        lambda p: make_order(p, "10"),
        lambda p: bom_archive(bom=BOMFactory(product=p.product, version=3, status="submitted")),
        BomUnusable,
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_refused_rebases_change_nothing(plant, case):
    arrange, target, error = REFUSALS[case]
    order = arrange(plant)
    bom = target(plant)
    before = state(order)

    with pytest.raises(error):
        order_services.production_order_rebase(order=order, bom=bom)

    assert state(order) == before


def test_rebase_of_a_multi_level_order_plans_every_level(plant):
    sub = ItemFactory(number="SUB")
    receive(plant.glue, 100)
    BOMFactory(
        product=sub,
        lines=[line(plant.glue, 2)],
        operations=[op(plant.line_a, 6, "Sub assembly")],
        status="submitted",
    )
    v3 = BOMFactory(
        product=plant.product,
        version=3,
        lines=[line(plant.frame, 1), line(sub, 1)],
        operations=[op(plant.line_a, 10, "Assembly")],
        status="submitted",
    )
    order = make_order(plant, "10", multi_level=True)
    order_services.production_order_confirm(order=order)

    order_services.production_order_rebase(order=order, bom=v3)

    assert reservations_of(order) == {"FRAME": 10, "GLUE": 20}
    assert list(order.work_orders.order_by("sequence").values_list("name", flat=True)) == [
        "Sub assembly",
        "Assembly",
    ]


# --- the API --------------------------------------------------------------------------------


def rebase_url(order) -> str:
    return f"/api/manufacturing/orders/{order.pk}/rebase"


def test_api_rebase(api, plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))

    response = api.post(rebase_url(order), {"bomId": str(plant.v2.pk)}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bomId"] == str(plant.v2.pk)
    assert {c["number"]: c["reserved"] for c in body["components"]} == {
        "FRAME": 10,
        "BOARD": 30,
        "GLUE": 10,
    }
    assert [w["name"] for w in body["workOrders"]] == ["Assembly", "Pack"]


def test_api_rebase_with_an_idempotency_key_replays_the_first_answer(api, plant):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    headers = {"HTTP_IDEMPOTENCY_KEY": "rebase-1"}

    first = api.post(rebase_url(order), {"bomId": str(plant.v2.pk)}, format="json", **headers)
    second = api.post(rebase_url(order), {"bomId": str(plant.v2.pk)}, format="json", **headers)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert order.history.count() == 3  # created, confirmed, rebased once
    again = api.post(rebase_url(order), {"bomId": str(plant.v2.pk)}, format="json")
    assert_problem(again, 409, "invalid_state")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"bomId": None},
        {"bomId": "not-a-uuid"},
        {"bomId": str(uuid.uuid4())},
        {"bomId": 12},
        {"bomId": ["x"]},
        {"bomId": {"id": "x"}},
    ],
)
def test_api_rebase_bad_bodies_are_validation_errors(api, plant, body):
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    before = state(order)

    assert_problem(api.post(rebase_url(order), body, format="json"), 400, "validation_error")
    assert state(order) == before


@pytest.mark.parametrize("order_id", ["nope", "01a24200-0000-7000-8000-000000000000", "9" * 300])
def test_api_rebase_of_an_unknown_order_is_404(api, plant, order_id):
    response = api.post(
        f"/api/manufacturing/orders/{order_id}/rebase", {"bomId": str(plant.v2.pk)}, format="json"
    )

    assert_problem(response, 404, "not_found")


def test_api_rebase_refusals_are_problems(api, plant):
    started = _in_progress(plant)
    assert_problem(
        api.post(rebase_url(started), {"bomId": str(plant.v2.pk)}, format="json"),
        409,
        "order_started",
    )
    draft = make_order(plant, "10")
    foreign = BOMFactory(status="submitted")
    assert_problem(
        api.post(rebase_url(draft), {"bomId": str(foreign.pk)}, format="json"),
        422,
        "bom_other_product",
    )
    short = order_services.production_order_confirm(order=make_order(plant, "150"))
    body = assert_problem(
        api.post(rebase_url(short), {"bomId": str(plant.v2.pk)}, format="json"),
        400,
        "insufficient_stock",
    )
    assert [s["number"] for s in body["shortages"]] == ["GLUE"]


def test_api_rebase_needs_its_own_permission(api_as, plant):
    order = make_order(plant, "10")
    confirmer = api_as(
        "manufacturing.view_productionorder",
        "manufacturing.change_productionorder",
        "manufacturing.confirm_productionorder",
    )

    response = confirmer.post(rebase_url(order), {"bomId": str(plant.v2.pk)}, format="json")

    assert_problem(response, 403, "not_privileged")
    order.refresh_from_db()
    assert order.bom_id == plant.bom.pk
