from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import StockMove
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder, WorkOrder, WorkOrderTimeLog
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line, op
from tests.manufacturing.orders_fixtures import (
    make_order,
    make_plant,
    on_hand,
    reservations_of,
    reserved,
)

pytestmark = pytest.mark.django_db
ORDERS = "/api/manufacturing/orders"


@pytest.fixture
def plant():
    return make_plant()


def confirm(api, order):
    response = api.post(f"{ORDERS}/{order.pk}/confirm")
    assert response.status_code == 200, response.content
    return response.json()


# --- create, read, edit, delete -------------------------------------------------------------


def test_create_uses_the_default_bom_and_wh(api, plant):
    response = api.post(
        ORDERS,
        {
            "productId": str(plant.product.pk),
            "quantity": 100,
            "scheduledDate": "2026-04-01T06:00:00Z",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    year = timezone.now().year
    assert body["reference"] == f"MO/{year}/0001"
    assert body["bomId"] == str(plant.bom.pk)
    assert body["status"] == "draft"
    assert body["quantity"] == 100
    assert body["producedQty"] == 0
    assert body["priority"] == "normal"
    assert body["scheduledDate"] == "2026-04-01T06:00:00Z"
    assert body["product"] == {
        "id": str(plant.product.pk),
        "number": "WIDGET",
        "name": plant.product.name,
    }
    assert body["components"] == [] and body["workOrders"] == []
    assert body["sourceWarehouseId"] == body["targetWarehouseId"]


def test_references_are_sequential_per_year(api, plant):
    refs = [make_order(plant).reference for _ in range(3)]

    year = timezone.now().year
    assert refs == [f"MO/{year}/0001", f"MO/{year}/0002", f"MO/{year}/0003"]


def test_seed_000_create_body_as_written(api, plant):
    response = api.post(
        ORDERS,
        {
            "productId": str(plant.product.pk),
            "bomId": str(plant.bom.pk),
            "quantity": 100,
            "scheduledDate": "2026-04-01T06:00:00Z",
        },
    )

    assert response.status_code == 201


def test_create_without_a_default_bom_is_bom_unusable(api):
    product = ItemFactory()

    assert_problem(
        api.post(ORDERS, {"productId": str(product.pk), "quantity": 1}), 422, "bom_unusable"
    )
    assert not ProductionOrder.all_objects.exists()


def test_create_with_another_products_bom_is_bom_unusable(api, plant):
    other = BOMFactory()

    response = api.post(
        ORDERS, {"productId": str(plant.product.pk), "bomId": str(other.pk), "quantity": 1}
    )

    assert_problem(response, 422, "bom_unusable")


def test_create_with_an_archived_or_cancelled_bom_is_bom_unusable(api, plant):
    from manufacturing.boms.services import bom_archive, bom_cancel, bom_submit

    archived = BOMFactory(product=plant.product, lines=[line(plant.frame)])
    bom_archive(bom=archived)
    cancelled = BOMFactory(product=plant.product, lines=[line(plant.board)])
    bom_submit(bom=cancelled)
    bom_cancel(bom=cancelled)

    for bom in (archived, cancelled):
        response = api.post(
            ORDERS, {"productId": str(plant.product.pk), "bomId": str(bom.pk), "quantity": 1}
        )
        assert_problem(response, 422, "bom_unusable")


@pytest.mark.parametrize("quantity", [0, -5, "abc", None])
def test_create_with_a_bad_quantity_is_400(api, plant, quantity):
    response = api.post(ORDERS, {"productId": str(plant.product.pk), "quantity": quantity})

    assert_problem(response, 400, "validation_error")


def test_create_with_an_unknown_product_is_400(api):
    response = api.post(
        ORDERS, {"productId": "018e5678-abcd-7000-8000-000000000001", "quantity": 1}
    )

    assert_problem(response, 400, "validation_error")


def test_patch_a_draft_and_mass_assignment_is_ignored(api, plant):
    order = make_order(plant)

    response = api.patch(
        f"{ORDERS}/{order.pk}",
        {
            "priority": "critical",
            "customer": "ACME",
            "dueDate": "2026-05-01",
            "status": "done",
            "producedQty": 99,
            "reference": "X",
        },
    )

    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert (order.priority, order.customer, order.status) == ("critical", "ACME", "draft")
    assert order.produced_qty == 0
    assert order.reference.startswith("MO/")
    assert order.due_date.date().isoformat() == "2026-05-01"


def test_patch_after_confirm_is_409(api, plant):
    order = make_order(plant)
    confirm(api, order)

    assert_problem(api.patch(f"{ORDERS}/{order.pk}", {"notes": "x"}), 409, "invalid_state")


def test_delete_a_draft_then_a_confirmed_order(api, plant):
    draft = make_order(plant)
    confirmed = make_order(plant)
    confirm(api, confirmed)

    assert api.delete(f"{ORDERS}/{draft.pk}").status_code == 204
    assert ProductionOrder.all_objects.get(pk=draft.pk).deleted_at is not None
    assert_problem(api.delete(f"{ORDERS}/{confirmed.pk}"), 409, "invalid_state")


def test_unknown_or_malformed_order_is_404(api):
    assert_problem(api.get(f"{ORDERS}/018effff-abcd-7000-8000-000000000001"), 404, "not_found")
    assert_problem(api.post(f"{ORDERS}/nope/confirm"), 404, "not_found")


# --- confirm --------------------------------------------------------------------------------


def test_confirm_reserves_all_components_and_creates_work_orders(api, plant):
    order = make_order(plant, "100")

    body = confirm(api, order)

    assert body["status"] == "confirmed"
    assert {
        c["number"]: (c["required"], c["reserved"], c["consumed"], c["uom"])
        for c in body["components"]
    } == {
        "FRAME": (100, 100, 0, "EA"),
        "BOARD": (200, 200, 0, "EA"),
        "PAINT": (50000, 50000, 0, "mL"),
    }
    assert reservations_of(order) == {
        "FRAME": Decimal(100),
        "BOARD": Decimal(200),
        "PAINT": Decimal(50000),
    }
    assert reserved(plant.board) == 200
    [work_order] = body["workOrders"]
    assert (work_order["name"], work_order["workcenter"], work_order["status"]) == (
        "Assembly",
        "Line A",
        "pending",
    )
    assert work_order["plannedMinutes"] == 3000


def test_confirm_with_insufficient_stock_lists_every_shortage_and_reserves_nothing(api):
    plant = make_plant(frames="10", boards="20")
    order = make_order(plant, "100")
    moves_before = StockMove.objects.count()

    body = assert_problem(api.post(f"{ORDERS}/{order.pk}/confirm"), 400, "insufficient_stock")

    assert {(s["number"], s["required"], s["available"]) for s in body["shortages"]} == {
        ("FRAME", 100, 10),
        ("BOARD", 200, 20),
    }
    assert all(s["productId"] for s in body["shortages"])
    order.refresh_from_db()
    assert order.status == "draft"
    assert reservations_of(order) == {}
    assert reserved(plant.paint) == 0
    assert not order.components.exists() and not order.work_orders.exists()
    assert StockMove.objects.count() == moves_before


def test_confirm_whose_work_orders_would_overflow_the_minutes_is_a_400_and_changes_nothing(api):
    plant = make_plant()
    order = make_order(plant, "999999999")  # 30 min each: 3 x 10^10 planned minutes

    body = assert_problem(api.post(f"{ORDERS}/{order.pk}/confirm"), 400, "validation_error")

    assert "quantity" in body["errors"]
    order.refresh_from_db()
    assert order.status == "draft"
    assert reservations_of(order) == {}
    assert not order.components.exists() and not order.work_orders.exists()


def test_confirm_twice_is_409(api, plant):
    order = make_order(plant)
    confirm(api, order)

    assert_problem(api.post(f"{ORDERS}/{order.pk}/confirm"), 409, "invalid_state")
    assert reserved(plant.frame) == 100


def test_confirm_explodes_phantom_kits_and_takes_sub_assemblies_from_stock(api, plant):
    bolt, sub_part = ItemFactory(number="BOLT"), ItemFactory(number="SUB-PART")
    kit = ItemFactory(number="KIT", type="consumable")
    BOMFactory(
        product=kit,
        type="phantom",
        lines=[line(bolt, 4)],
        operations=[op(plant.line_a, 5, "Kitting")],
    )
    sub = ItemFactory(number="SUB")
    BOMFactory(
        product=sub, lines=[line(sub_part, 3)], operations=[op(plant.line_a, 10, "Sub assembly")]
    )
    product = ItemFactory(number="TOP")
    BOMFactory(
        product=product,
        lines=[line(kit, 1), line(sub, 2)],
        operations=[op(plant.line_a, 20, "Final")],
        status="submitted",
    )
    from tests.inventory.factories import receive

    receive(bolt, 100)
    receive(sub, 100)
    receive(sub_part, 100)
    order = order_services.production_order_create(product=product, quantity=Decimal(5))

    body = confirm(api, order)

    assert {c["number"]: c["required"] for c in body["components"]} == {"BOLT": 20, "SUB": 10}
    assert [(w["name"], w["plannedMinutes"]) for w in body["workOrders"]] == [
        ("Kitting", 25),
        ("Final", 100),
    ] or [(w["name"], w["plannedMinutes"]) for w in body["workOrders"]] == [
        ("Final", 100),
        ("Kitting", 25),
    ]


def test_multi_level_confirm_reserves_leaves_and_plans_sub_assembly_work_first(api, plant):
    sub_part = ItemFactory(number="SUB-PART")
    sub = ItemFactory(number="SUB")
    BOMFactory(
        product=sub, lines=[line(sub_part, 3)], operations=[op(plant.line_a, 10, "Sub assembly")]
    )
    product = ItemFactory(number="TOP")
    BOMFactory(
        product=product,
        lines=[line(sub, 2)],
        operations=[op(plant.line_a, 20, "Final")],
        status="submitted",
    )
    from tests.inventory.factories import receive

    receive(sub_part, 60)
    order = order_services.production_order_create(
        product=product, quantity=Decimal(5), multi_level=True
    )

    body = confirm(api, order)

    assert {c["number"]: c["required"] for c in body["components"]} == {"SUB-PART": 30}
    assert [(w["sequence"], w["name"], w["plannedMinutes"]) for w in body["workOrders"]] == [
        (10, "Sub assembly", 100),
        (20, "Final", 100),
    ]


# --- produce --------------------------------------------------------------------------------


def test_produce_consumes_pro_rata_and_receives_the_product(api, plant):
    order = make_order(plant, "100")
    confirm(api, order)

    response = api.post(f"{ORDERS}/{order.pk}/produce", {"qty": 25, "lotNumber": "LOT-2026-0042"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["producedQty"]) == ("in_progress", 25)
    assert {c["number"]: (c["reserved"], c["consumed"]) for c in body["components"]} == {
        "FRAME": (75, 25),
        "BOARD": (150, 50),
        "PAINT": (37500, 12500),
    }
    assert (on_hand(plant.frame), reserved(plant.frame)) == (975, 75)
    assert on_hand(plant.product) == 25
    receipt = StockMove.objects.get(kind="production", production_order_id=order.pk)
    assert receipt.lot.number == "LOT-2026-0042"


def test_produce_on_a_draft_or_terminal_order_is_409(api, plant):
    draft = make_order(plant)
    assert_problem(api.post(f"{ORDERS}/{draft.pk}/produce", {"qty": 1}), 409, "invalid_state")

    done = make_order(plant, "10")
    confirm(api, done)
    api.post(f"{ORDERS}/{done.pk}/close")
    assert_problem(api.post(f"{ORDERS}/{done.pk}/produce", {"qty": 1}), 409, "invalid_state")


def test_over_production_is_422_and_moves_nothing(api, plant):
    order = make_order(plant, "10")
    confirm(api, order)
    api.post(f"{ORDERS}/{order.pk}/produce", {"qty": 8})
    moves = StockMove.objects.count()

    response = api.post(f"{ORDERS}/{order.pk}/produce", {"qty": 3})

    assert_problem(response, 422, "over_production")
    assert StockMove.objects.count() == moves
    order.refresh_from_db()
    assert order.produced_qty == 8


@pytest.mark.parametrize("lot", [None, "", "MISSING"])
def test_lot_tracked_product_needs_its_lot(api, lot):
    plant = make_plant(lot_tracked_product=True)
    order = make_order(plant, "10")
    confirm(api, order)
    body = {"qty": 5} if lot == "MISSING" else {"qty": 5, "lotNumber": lot}

    response = api.post(f"{ORDERS}/{order.pk}/produce", body)

    assert_problem(response, 400, "validation_error")
    assert not StockMove.objects.filter(production_order_id=order.pk).exists()
    assert reserved(plant.frame) == 10


def test_produce_with_a_bad_qty_is_400(api, plant):
    order = make_order(plant, "10")
    confirm(api, order)

    for qty in (0, -1, "x"):
        assert_problem(
            api.post(f"{ORDERS}/{order.pk}/produce", {"qty": qty}), 400, "validation_error"
        )


# --- close, cancel --------------------------------------------------------------------------


def test_close_releases_what_is_left_and_cancels_open_work_orders(api, plant):
    order = make_order(plant, "100")
    confirm(api, order)
    api.post(f"{ORDERS}/{order.pk}/produce", {"qty": 40})

    body = api.post(f"{ORDERS}/{order.pk}/close").json()

    assert body["status"] == "done"
    assert reservations_of(order) == {}
    assert (on_hand(plant.frame), reserved(plant.frame)) == (960, 0)
    assert [w["status"] for w in body["workOrders"]] == ["cancelled"]
    assert all(c["reserved"] == 0 for c in body["components"])
    assert_problem(api.post(f"{ORDERS}/{order.pk}/close"), 409, "invalid_state")
    assert_problem(api.post(f"{ORDERS}/{order.pk}/cancel"), 409, "invalid_state")


def test_cancel_releases_but_consumed_stays_consumed(api, plant):
    order = make_order(plant, "100")
    confirm(api, order)
    api.post(f"{ORDERS}/{order.pk}/produce", {"qty": 10})

    body = api.post(f"{ORDERS}/{order.pk}/cancel").json()

    assert body["status"] == "cancelled"
    assert (on_hand(plant.frame), reserved(plant.frame)) == (990, 0)
    assert on_hand(plant.product) == 10


def test_cancel_a_draft(api, plant):
    order = make_order(plant)

    assert api.post(f"{ORDERS}/{order.pk}/cancel").json()["status"] == "cancelled"


def test_close_a_draft_is_409(api, plant):
    order = make_order(plant)

    assert_problem(api.post(f"{ORDERS}/{order.pk}/close"), 409, "invalid_state")


# --- work orders ----------------------------------------------------------------------------


def work_order_of(order) -> WorkOrder:
    return WorkOrder.objects.get(order=order)


def test_work_order_start_pause_resume_done_measures_running_time_only(api, plant, monkeypatch):
    order = make_order(plant)
    confirm(api, order)
    wo = work_order_of(order)
    base = timezone.now()
    clock = {"now": base}
    monkeypatch.setattr("manufacturing.orders.services.timezone.now", lambda: clock["now"])
    url = f"{ORDERS}/{order.pk}/work-orders/{wo.pk}"

    started = api.post(f"{url}/start").json()
    clock["now"] = base + timedelta(minutes=10)
    assert api.post(f"{url}/pause").json()["status"] == "paused"
    clock["now"] = base + timedelta(minutes=40)
    assert api.post(f"{url}/resume").json()["status"] == "in_progress"
    clock["now"] = base + timedelta(minutes=45)
    done = api.post(f"{url}/done", {}).json()

    assert started["status"] == "in_progress" and started["startedAt"]
    assert done["status"] == "done"
    assert done["actualMinutes"] == 15
    assert done["finishedAt"]
    order.refresh_from_db()
    assert order.status == "in_progress"
    assert WorkOrderTimeLog.objects.filter(work_order=wo).count() == 2


def test_seed_000_done_body_sets_duration_and_notes(api, plant):
    order = make_order(plant)
    confirm(api, order)
    wo = work_order_of(order)
    url = f"{ORDERS}/{order.pk}/work-orders/{wo.pk}"
    api.post(f"{url}/start")

    body = api.post(
        f"{url}/done", {"durationMinutes": 32, "notes": "Slight delay on alignment step."}
    ).json()

    assert (body["actualMinutes"], body["notes"]) == (32, "Slight delay on alignment step.")
    assert_problem(api.post(f"{url}/done", {}), 409, "invalid_state")
    assert_problem(api.post(f"{url}/start"), 409, "invalid_state")


def test_work_order_refusals(api, plant):
    draft = make_order(plant)
    order = make_order(plant)
    confirm(api, order)
    wo = work_order_of(order)
    other = make_order(plant)
    confirm(api, other)
    url = f"{ORDERS}/{order.pk}/work-orders"

    assert_problem(api.post(f"{url}/{wo.pk}/pause"), 409, "invalid_state")
    assert_problem(api.post(f"{url}/{wo.pk}/resume"), 409, "invalid_state")
    assert_problem(api.post(f"{url}/not-a-uuid/start"), 404, "not_found")
    assert_problem(api.post(f"{url}/{work_order_of(other).pk}/start"), 404, "not_found")
    assert_problem(api.post(f"{ORDERS}/{draft.pk}/work-orders/{wo.pk}/start"), 404, "not_found")
    assert_problem(
        api.post(f"{url}/{wo.pk}/done", {"durationMinutes": -1}), 400, "validation_error"
    )


def test_order_work_orders_list_by_sequence(api, plant):
    order = make_order(plant)
    confirm(api, order)

    body = api.get(f"{ORDERS}/{order.pk}/work-orders").json()

    assert [w["sequence"] for w in body["data"]] == [10]
    assert body["data"][0]["productionOrderId"] == str(order.pk)


# --- the seed 000 walk ----------------------------------------------------------------------


def test_seed_000_production_walk_end_to_end(api, assert_no_drift):
    plant = make_plant(lot_tracked_product=True)
    bom = api.post(
        "/api/manufacturing/boms",
        {
            "name": "Widget Pro v3 — Standard BOM",
            "productId": str(plant.product.pk),
            "quantity": 1,
            "uom": "units",
            "type": "manufacture",
            "components": [
                {"productId": str(plant.frame.pk), "quantity": 1, "uom": "units"},
                {"productId": str(plant.board.pk), "quantity": 2, "uom": "units"},
            ],
            "operations": [{"name": "Assembly", "workcenter": "Line A", "durationMinutes": 35}],
        },
    )
    assert bom.status_code == 201, bom.content
    bom_id = bom.json()["id"]
    assert api.post(f"/api/manufacturing/boms/{bom_id}/submit").status_code == 200
    created = api.post(
        ORDERS,
        {
            "productId": str(plant.product.pk),
            "bomId": bom_id,
            "quantity": 100,
            "scheduledDate": "2026-04-01T06:00:00Z",
        },
    )
    assert created.status_code == 201
    order_id = created.json()["id"]

    confirmed = api.post(f"{ORDERS}/{order_id}/confirm").json()
    assert confirmed["status"] == "confirmed"
    assert (on_hand(plant.frame), reserved(plant.frame)) == (1000, 100)
    assert (on_hand(plant.board), reserved(plant.board)) == (1000, 200)

    [wo] = api.get(f"{ORDERS}/{order_id}/work-orders").json()["data"]
    assert api.post(f"{ORDERS}/{order_id}/work-orders/{wo['id']}/start").status_code == 200
    finished = api.post(
        f"{ORDERS}/{order_id}/work-orders/{wo['id']}/done",
        {"durationMinutes": 32, "notes": "Slight delay on alignment step."},
    )
    assert finished.json()["status"] == "done"

    for qty, total, frames_left in ((25, 25, 975), (25, 50, 950), (50, 100, 900)):
        response = api.post(
            f"{ORDERS}/{order_id}/produce", {"qty": qty, "lotNumber": "LOT-2026-0042"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["producedQty"] == total
        assert on_hand(plant.frame) == frames_left
        assert on_hand(plant.product) == total
    assert reserved(plant.frame) == reserved(plant.board) == 0
    assert_problem(
        api.post(f"{ORDERS}/{order_id}/produce", {"qty": 1, "lotNumber": "L"}),
        422,
        "over_production",
    )

    closed = api.post(f"{ORDERS}/{order_id}/close").json()
    assert closed["status"] == "done"
    assert on_hand(plant.board) == 800
    assert_no_drift()


# --- lists ----------------------------------------------------------------------------------


def test_list_filters_and_sorts(api, plant):
    low = make_order(
        plant, priority="low", scheduled_date=datetime(2026, 3, 1, 8, tzinfo=UTC), customer="ACME"
    )
    crit = make_order(
        plant, priority="critical", scheduled_date=datetime(2026, 3, 20, 6, tzinfo=UTC)
    )
    high = make_order(plant, priority="high", scheduled_date=datetime(2026, 3, 20, 23, tzinfo=UTC))
    confirm(api, high)

    def refs(query):
        response = api.get(f"{ORDERS}?{query}")
        assert response.status_code == 200, response.content
        return [r["reference"] for r in response.json()["data"]]

    assert refs("sort=-priority") == [crit.reference, high.reference, low.reference]
    assert refs("sort=priority") == [low.reference, high.reference, crit.reference]
    assert refs("status=confirmed") == [high.reference]
    assert set(refs("status=draft,confirmed")) == {low.reference, crit.reference, high.reference}
    assert refs("priority=low") == [low.reference]
    assert set(refs("from=2026-03-20&to=2026-03-20")) == {crit.reference, high.reference}
    assert refs("from=2026-03-20T07:00:00Z") == [high.reference]
    assert refs("search=acme") == [low.reference]
    assert refs(f"productId={plant.product.pk}&sort=scheduledDate") == [
        low.reference,
        crit.reference,
        high.reference,
    ]


@pytest.mark.parametrize(
    "query", ["status=running", "priority=urgent", "from=junk", "sort=quantity", "productId=x"]
)
def test_list_rejects_bad_parameters(api, plant, query):
    body = assert_problem(api.get(f"{ORDERS}?{query}"), 400, "validation_error")

    assert query.split("=")[0] in body["errors"]


def test_shop_floor_queue_sorted_by_priority_and_due_date(api, plant):
    now = timezone.now()
    normal = make_order(plant, "10", due_date=now + timedelta(days=1))
    urgent = make_order(plant, "10", priority="critical", due_date=now + timedelta(days=5))
    soon = make_order(plant, "10", priority="critical", due_date=now + timedelta(days=2))
    for order in (normal, urgent, soon):
        confirm(api, order)

    body = api.get("/api/manufacturing/work-orders?sort=-priority,dueDate").json()

    assert [r["orderReference"] for r in body["data"]] == [
        soon.reference,
        urgent.reference,
        normal.reference,
    ]
    assert body["data"][0]["priority"] == "critical"
    filtered = api.get(
        f"/api/manufacturing/work-orders?workcenterId={plant.line_a.pk}&status=pending"
    )
    assert filtered.json()["meta"]["total"] == 3
    assert_problem(api.get("/api/manufacturing/work-orders?status=open"), 400, "validation_error")


# --- what an open order protects ------------------------------------------------------------


def test_bom_in_use_while_an_order_is_open(api, plant):
    order = make_order(plant)

    assert_problem(api.delete(f"/api/manufacturing/boms/{plant.bom.pk}"), 409, "bom_in_use")

    api.post(f"{ORDERS}/{order.pk}/cancel")
    assert api.delete(f"/api/manufacturing/boms/{plant.bom.pk}").status_code == 204
    order.refresh_from_db()
    assert order.bom_id == plant.bom.pk


def test_item_in_use_while_an_order_produces_or_consumes_it(api, plant):
    from manufacturing.orders.selectors import item_order_usage_reason

    order = make_order(plant)
    confirm(api, order)

    assert order.reference in item_order_usage_reason(plant.product)
    assert order.reference in item_order_usage_reason(plant.frame)
    assert_problem(api.delete(f"/api/items/{plant.product.pk}"), 409, "item_in_use")
    api.post(f"{ORDERS}/{order.pk}/close")
    assert item_order_usage_reason(plant.frame) is None
