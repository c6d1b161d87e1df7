"""Mass assignment and limits (API.md, Conventions): read-only keys sent by a client are ignored
on every writable resource; `limit` clamps at 200 on every paginated list; action endpoints are
throttled per user; production settings pass Django's deployment checks."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.models import IdempotencyKey
from inventory.models import StockLevel, StockMove, Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms import services as bom_services
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus, ProductionOrder
from manufacturing.planning import services as planning
from tests.api.test_conventions import assert_problem
from tests.conftest import client_for
from tests.inventory.factories import WarehouseFactory, main_warehouse, receive
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line
from tests.manufacturing.orders_fixtures import make_order, make_plant, reservations_of

pytestmark = pytest.mark.django_db
D = Decimal
FORGED_ID = "018e0000-0000-7000-8000-00000000beef"
FORGED_TIME = "2001-01-01T00:00:00Z"
# Read-only and internal keys of every resource, sent by a client that hopes they stick.
FORGED = {
    "id": FORGED_ID,
    "isActive": False,
    "deletedAt": FORGED_TIME,
    "createdAt": FORGED_TIME,
    "updatedAt": FORGED_TIME,
    "createdBy": "mallory",
    "createdById": 1,
    "historyUser": "mallory",
    "onHand": 5000,
    "reserved": 4000,
    "available": 1000,
    "contentHash": "0" * 64,
    "version": 42,
    "componentCount": 42,
    "producedQty": 99,
    "reference": "MO/1999/9999",
    "confirmedAt": FORGED_TIME,
    "closedAt": FORGED_TIME,
    "priorityRank": 9,
    "workOrders": [{"status": "done"}],
}
LONG_AGO = timezone.now() - timedelta(days=365)


def assert_fresh_and_live(obj):
    """Not the forged id, not archived, not back-dated."""
    assert str(obj.pk) != FORGED_ID
    assert obj.deleted_at is None
    assert obj.created_at > LONG_AGO
    assert obj.updated_at > LONG_AGO


# --- writable resources: POST, PATCH, PUT ----------------------------------------------------


def test_uom_create_and_patch_ignore_read_only_keys(api):
    created = api.post(
        "/api/uoms", {**FORGED, "symbol": "box", "name": "Box", "category": "count", "factor": 12}
    )
    assert created.status_code == 201, created.content
    uom = UnitOfMeasure.all_objects.get(symbol="box")
    assert_fresh_and_live(uom)

    patched = api.patch(f"/api/uoms/{uom.pk}", {**FORGED, "name": "Crate"})

    assert patched.status_code == 200, patched.content
    fresh = UnitOfMeasure.all_objects.get(pk=uom.pk)
    assert (fresh.name, fresh.created_at) == ("Crate", uom.created_at)
    assert_fresh_and_live(fresh)
    assert patched.json()["isActive"] is True


def test_item_create_and_patch_ignore_read_only_keys(api):
    created = api.post("/api/items", {**FORGED, "number": "MA-1", "name": "Bolt", "uom": "EA"})
    assert created.status_code == 201, created.content
    item = Item.all_objects.get(number="MA-1")
    assert_fresh_and_live(item)

    patched = api.patch(f"/api/items/{item.pk}", {**FORGED, "name": "Big bolt"})

    assert patched.status_code == 200, patched.content
    fresh = Item.all_objects.get(pk=item.pk)
    assert (fresh.name, fresh.created_at) == ("Big bolt", item.created_at)
    assert_fresh_and_live(fresh)
    assert not StockLevel.objects.filter(item=item).exists(), "onHand created stock"


def test_warehouse_create_put_and_patch_ignore_read_only_keys(api):
    created = api.post("/api/inventory/warehouses", {**FORGED, "code": "MA", "name": "Annex"})
    assert created.status_code == 201, created.content
    warehouse = Warehouse.all_objects.get(code="MA")
    assert_fresh_and_live(warehouse)

    put = api.put(
        f"/api/inventory/warehouses/{warehouse.pk}", {**FORGED, "code": "MA", "name": "Hall"}
    )
    patched = api.patch(f"/api/inventory/warehouses/{warehouse.pk}", {**FORGED, "name": "Shed"})

    assert (put.status_code, patched.status_code) == (200, 200), (put.content, patched.content)
    fresh = Warehouse.all_objects.get(pk=warehouse.pk)
    assert (fresh.name, fresh.created_at) == ("Shed", warehouse.created_at)
    assert_fresh_and_live(fresh)


def test_workcenter_create_and_patch_ignore_read_only_keys(api):
    created = api.post(
        "/api/manufacturing/workcenters",
        {**FORGED, "code": "MA-WC", "name": "Press", "hourlyCost": 50},
    )
    assert created.status_code == 201, created.content
    workcenter = Workcenter.all_objects.get(code="MA-WC")
    assert_fresh_and_live(workcenter)

    patched = api.patch(
        f"/api/manufacturing/workcenters/{workcenter.pk}", {**FORGED, "name": "Big press"}
    )

    assert patched.status_code == 200, patched.content
    fresh = Workcenter.all_objects.get(pk=workcenter.pk)
    assert (fresh.name, fresh.hourly_cost, fresh.created_at) == (
        "Big press",
        D(50),
        workcenter.created_at,
    )
    assert_fresh_and_live(fresh)


def test_bom_create_put_and_patch_ignore_status_hash_and_version(api):
    product, part = ItemFactory(number="MA-P"), ItemFactory(number="MA-C")
    forged = {**FORGED, "status": "submitted"}
    body = {
        "productId": str(product.pk),
        "components": [{"productId": str(part.pk), "quantity": 2}],
    }

    created = api.post("/api/manufacturing/boms", {**forged, **body, "name": "Frame"})
    assert created.status_code == 201, created.content
    bom = BOM.all_objects.get(product=product)

    def assert_untouched():
        fresh = BOM.all_objects.get(pk=bom.pk)
        assert_fresh_and_live(fresh)
        assert (fresh.status, fresh.version) == ("draft", 1)
        assert fresh.content_hash == bom_services.bom_content_hash(bom=fresh) != "0" * 64
        assert fresh.components.count() == 1
        return fresh

    assert_untouched()
    put = api.put(f"/api/manufacturing/boms/{bom.pk}", {**forged, **body, "name": "Frame 2"})
    patched = api.patch(f"/api/manufacturing/boms/{bom.pk}", {**forged, "name": "Frame 3"})

    assert (put.status_code, patched.status_code) == (200, 200), (put.content, patched.content)
    assert assert_untouched().name == "Frame 3"


def test_a_submitted_bom_cannot_be_unlocked_by_sending_status_draft(api):
    bom = BOMFactory(product=ItemFactory(number="MA-LOCK"))
    bom_services.bom_submit(bom=bom)

    patched = api.patch(f"/api/manufacturing/boms/{bom.pk}", {"status": "draft", "name": "Renamed"})
    quantity = api.patch(f"/api/manufacturing/boms/{bom.pk}", {"status": "draft", "quantity": 5})

    assert patched.status_code == 200
    assert_problem(quantity, 409, "bom_locked")
    bom.refresh_from_db()
    assert (bom.status, bom.name, bom.quantity) == ("submitted", "Renamed", D(1))


def test_order_create_and_patch_ignore_status_produced_and_reference(api, make_user):
    plant = make_plant()
    forged = {
        **FORGED,
        "status": "done",
        "components": [{"productId": str(plant.frame.pk), "required": 1, "reserved": 1}],
    }

    created = api.post(
        "/api/manufacturing/orders", {**forged, "productId": str(plant.product.pk), "quantity": 4}
    )
    assert created.status_code == 201, created.content
    order = ProductionOrder.all_objects.get(pk=created.json()["id"])

    def assert_untouched():
        fresh = ProductionOrder.all_objects.get(pk=order.pk)
        assert_fresh_and_live(fresh)
        assert (fresh.status, fresh.produced_qty) == (OrderStatus.DRAFT, D(0))
        assert re.fullmatch(r"MO/\d{4}/\d{4}", fresh.reference), fresh.reference
        assert (fresh.confirmed_at, fresh.closed_at) == (None, None)
        assert not fresh.components.exists() and not fresh.work_orders.exists()
        assert reservations_of(fresh) == {}
        return fresh

    assert_untouched()
    other = make_user(superuser=True, username="mallory")
    patched = api.patch(
        f"/api/manufacturing/orders/{order.pk}",
        {**forged, "status": "confirmed", "historyUser": other.pk, "customer": "ACME"},
    )

    assert patched.status_code == 200, patched.content
    assert assert_untouched().customer == "ACME"
    # Who changed it cannot be forged either.
    assert order.history.latest().history_user == api.user


def test_a_confirmed_order_refuses_edits_whatever_status_is_sent(api):
    plant = make_plant()
    order = make_order(plant, "2")
    order_services.production_order_confirm(order=order)

    response = api.patch(
        f"/api/manufacturing/orders/{order.pk}", {"status": "draft", "quantity": 1000}
    )

    assert_problem(response, 409, "invalid_state")
    order.refresh_from_db()
    assert (order.status, order.quantity) == (OrderStatus.CONFIRMED, D(2))


def test_stock_moves_record_the_caller_and_no_forged_owner(api, make_user):
    item = ItemFactory(number="MA-MOVE")
    other = make_user(superuser=True, username="mallory")
    order = make_order(make_plant(stock=False), "1")

    response = api.post(
        "/api/inventory/moves",
        {
            **FORGED,
            "createdBy": other.username,
            "createdById": other.pk,
            "productionOrderId": str(order.pk),
            "kind": "receipt",
            "itemId": str(item.pk),
            "quantity": 3,
        },
    )

    assert response.status_code == 201, response.content
    move = StockMove.objects.get(item=item)
    assert str(move.pk) != FORGED_ID
    assert move.created_at > LONG_AGO
    assert (move.created_by, move.production_order_id, move.quantity) == (api.user, None, D(3))
    level = StockLevel.objects.get(item=item, warehouse=main_warehouse())
    assert (level.on_hand, level.reserved) == (D(3), D(0))
    assert response.json()["createdBy"] == api.user.username


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/inventory/stock", "/api/inventory/reservations", "/api/inventory/lots"]
)
def test_projections_cannot_be_written_at_all(api, method, path):
    item = ItemFactory()
    receive(item, 5)

    response = getattr(api, method)(path, {"itemId": str(item.pk), "onHand": 500, "reserved": 1})

    assert_problem(response, 405, "method_not_allowed")
    level = StockLevel.objects.get(item=item)
    assert (level.on_hand, level.reserved) == (D(5), D(0))


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_ledger_rows_cannot_be_edited(api, method):
    item = ItemFactory()
    (move,) = receive(item, 5)

    response = getattr(api, method)(f"/api/inventory/moves/{move.pk}", {"quantity": 500})

    assert_problem(response, 405, "method_not_allowed")
    assert StockMove.objects.get(pk=move.pk).quantity == D(5)


# --- limits ----------------------------------------------------------------------------------


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _paginated_list_paths(schema: dict) -> list[str]:
    """Every GET in the schema whose 200 body is a page (`{data, meta}`)."""
    found = []
    for path, operations in schema["paths"].items():
        body = operations.get("get", {}).get("responses", {}).get("200", {})
        content = body.get("content", {}).get("application/json", {}).get("schema")
        if content and "meta" in _resolve(schema, content).get("properties", {}):
            found.append(path)
    return found


def test_limit_1000_clamps_to_200_on_every_list(api):
    uom = unit("EA")
    Item.objects.bulk_create(
        Item(number=f"BULK-{n:04d}", name=f"Bulk {n}", uom=uom) for n in range(201)
    )
    plant = make_plant()
    order = make_order(plant, "1")
    order_services.production_order_confirm(order=order)
    WarehouseFactory()
    WorkcenterFactory()
    BOMFactory(product=ItemFactory(), lines=[line(plant.frame, 1)])
    # A plan, so the planned orders' pegging list has an order to page through.
    planning.demand_create(item=plant.product, quantity=Decimal(5), due_date=timezone.localdate())
    planning.mrp_run(run=planning.mrp_run_start(actor=None, background=False))
    schema = api.get("/api/schema?format=json").json()
    paths = _paginated_list_paths(schema)

    # The introspection found the lists API.md names (and whatever was added since).
    assert {
        "/api/uoms",
        "/api/items",
        "/api/items/{id}/where-used",
        "/api/inventory/warehouses",
        "/api/inventory/lots",
        "/api/inventory/stock",
        "/api/inventory/moves",
        "/api/inventory/reservations",
        "/api/manufacturing/workcenters",
        "/api/manufacturing/boms",
        "/api/manufacturing/boms/archived",
        "/api/manufacturing/orders",
        "/api/manufacturing/orders/{id}/work-orders",
        "/api/manufacturing/work-orders",
    } <= set(paths)
    for template in paths:
        path = template
        for param in re.findall(r"{(\w+)}", template):
            collection = template.split("{" + param + "}")[0].rstrip("/")
            first = api.get(collection).json()["data"][0]["id"]
            path = path.replace("{" + param + "}", first)
        response = api.get(path, {"limit": 1000})

        assert response.status_code == 200, (path, response.content)
        body = response.json()
        assert body["meta"]["limit"] == 200, path
        assert len(body["data"]) <= 200, path
    items = api.get("/api/items", {"limit": 1000}).json()
    assert (len(items["data"]), items["meta"]["total"], items["meta"]["totalPages"]) == (
        200,
        Item.objects.count(),
        2,
    )


@pytest.fixture
def two_actions_a_minute(settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"actions": "2/min"},
    }
    yield
    cache.clear()


def test_order_actions_answer_429_past_the_rate_and_do_nothing(
    api, make_user, two_actions_a_minute
):
    plant = make_plant()
    first, second = make_order(plant, "1"), make_order(plant, "1")
    orders = "/api/manufacturing/orders"

    assert api.post(f"{orders}/{first.pk}/confirm").status_code == 200
    assert api.post(f"{orders}/{second.pk}/cancel").status_code == 200
    throttled = api.post(f"{orders}/{first.pk}/close", HTTP_IDEMPOTENCY_KEY="after-the-limit")

    assert_problem(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    first.refresh_from_db()
    assert first.status == OrderStatus.CONFIRMED, "a throttled action ran"
    assert not IdempotencyKey.objects.filter(key="after-the-limit").exists()
    # Reads are not throttled, and the limit is the user's, not everyone's.
    assert api.get(f"{orders}/{first.pk}").status_code == 200
    other = client_for(make_user(superuser=True))
    assert other.post(f"{orders}/{first.pk}/close").status_code == 200


# --- production settings ---------------------------------------------------------------------


def _deploy_check(**overrides) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mfg.example.com",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_does_fail_on_a_weakened_setting():
    """The control: the same command exits non-zero without the SSL redirect (W008)."""
    result = _deploy_check(SECURE_SSL_REDIRECT="0")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
