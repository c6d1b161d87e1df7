"""The permission matrix: every API route and method, for each caller (anonymous, viewer, planner,
operator, storekeeper, superuser), exactly as API.md's "Roles" says.

The routes come from the URL resolver and the viewsets (`ENDPOINTS`), the expectations from the
explicit table `EXPECTED` below: an endpoint added without an entry in the table, or an entry whose
endpoint is gone, fails `test_every_route_has_an_entry_in_the_table`, and its matrix cases fail too.

Each case arranges real data (through the services and factories) so that an allowed call really
succeeds: allowed means the documented 2xx, refused means 403 `not_privileged`, anonymous means
401 with `WWW-Authenticate: Bearer`. The role users are members of the groups the roles migration
creates (kept in step with `config.roles.ROLES` by `roles_sync`); they hold no other permission.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import IsAuthenticated
from rest_framework.test import APIClient

from config.api.permissions import ModelPermissions
from config.jobs.models import Job, JobStatus
from config.roles import ROLE_APPS, ROLES, roles_sync
from inventory.models import Lot, StockMove, Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, BOMStatus, Workcenter
from manufacturing.orders import services as order_services
from manufacturing.orders import services as work_order_services
from manufacturing.orders.models import OrderStatus, ProductionOrder
from tests.api.test_conventions import assert_problem
from tests.conftest import client_for
from tests.inventory.factories import WarehouseFactory, receive
from tests.items.factories import ItemFactory, UnitOfMeasureFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line
from tests.manufacturing.orders_fixtures import make_order, make_plant
from tests.manufacturing.test_admin import comp, form_data

pytestmark = pytest.mark.django_db

ROLE_NAMES = ("viewer", "planner", "operator", "storekeeper")
CALLERS = ("anonymous", *ROLE_NAMES, "superuser")
METHODS = ("get", "post", "put", "patch", "delete")

# --- the table: who may call what (API.md, "Roles") -------------------------------------------
EVERYONE = frozenset(ROLE_NAMES)  # "read everything"
PLANNER = frozenset({"planner"})
OPERATOR = frozenset({"operator"})
STOREKEEPER = frozenset({"storekeeper"})
PUBLIC = "public"  # no authentication at all, for anonymous callers too

EXPECTED: dict[tuple[str, str], frozenset[str] | str] = {
    # conventions
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/schema"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/redoc"): PUBLIC,
    # items: planner writes units and items
    ("GET", "/api/uoms"): EVERYONE,
    ("POST", "/api/uoms"): PLANNER,
    ("GET", "/api/uoms/{pk}"): EVERYONE,
    ("PATCH", "/api/uoms/{pk}"): PLANNER,
    ("DELETE", "/api/uoms/{pk}"): PLANNER,
    ("POST", "/api/uoms/{pk}/restore"): PLANNER,
    ("GET", "/api/items"): EVERYONE,
    ("POST", "/api/items"): PLANNER,
    ("GET", "/api/items/{pk}"): EVERYONE,
    ("PATCH", "/api/items/{pk}"): PLANNER,
    ("DELETE", "/api/items/{pk}"): PLANNER,
    ("POST", "/api/items/{pk}/restore"): PLANNER,
    ("GET", "/api/items/{pk}/where-used"): EVERYONE,
    # inventory: storekeeper writes warehouses and records moves
    ("GET", "/api/inventory/warehouses"): EVERYONE,
    ("POST", "/api/inventory/warehouses"): STOREKEEPER,
    ("GET", "/api/inventory/warehouses/{pk}"): EVERYONE,
    ("PUT", "/api/inventory/warehouses/{pk}"): STOREKEEPER,
    ("PATCH", "/api/inventory/warehouses/{pk}"): STOREKEEPER,
    ("DELETE", "/api/inventory/warehouses/{pk}"): STOREKEEPER,
    ("POST", "/api/inventory/warehouses/{pk}/restore"): STOREKEEPER,
    ("GET", "/api/inventory/lots"): EVERYONE,
    ("GET", "/api/inventory/lots/{pk}"): EVERYONE,
    ("GET", "/api/inventory/lots/{pk}/trace"): EVERYONE,
    ("GET", "/api/inventory/stock"): EVERYONE,
    ("GET", "/api/inventory/moves"): EVERYONE,
    ("POST", "/api/inventory/moves"): STOREKEEPER,
    ("GET", "/api/inventory/moves/{pk}"): EVERYONE,
    ("GET", "/api/inventory/reservations"): EVERYONE,
    # manufacturing: planner writes workcenters and BOMs, plans orders
    ("GET", "/api/manufacturing/workcenters"): EVERYONE,
    ("POST", "/api/manufacturing/workcenters"): PLANNER,
    ("GET", "/api/manufacturing/workcenters/{pk}"): EVERYONE,
    ("PATCH", "/api/manufacturing/workcenters/{pk}"): PLANNER,
    ("DELETE", "/api/manufacturing/workcenters/{pk}"): PLANNER,
    ("POST", "/api/manufacturing/workcenters/{pk}/restore"): PLANNER,
    ("GET", "/api/manufacturing/boms"): EVERYONE,
    ("POST", "/api/manufacturing/boms"): PLANNER,
    ("GET", "/api/manufacturing/boms/archived"): EVERYONE,
    ("GET", "/api/manufacturing/boms/{pk}"): EVERYONE,
    ("PUT", "/api/manufacturing/boms/{pk}"): PLANNER,
    ("PATCH", "/api/manufacturing/boms/{pk}"): PLANNER,
    ("DELETE", "/api/manufacturing/boms/{pk}"): PLANNER,
    ("PUT", "/api/manufacturing/boms/{pk}/components"): PLANNER,
    ("POST", "/api/manufacturing/boms/{pk}/submit"): PLANNER,
    ("POST", "/api/manufacturing/boms/{pk}/cancel"): PLANNER,
    ("POST", "/api/manufacturing/boms/{pk}/copy"): PLANNER,
    ("POST", "/api/manufacturing/boms/{pk}/unarchive"): PLANNER,
    ("GET", "/api/manufacturing/boms/{pk}/explosion"): EVERYONE,
    ("GET", "/api/manufacturing/boms/{pk}/history"): EVERYONE,
    ("GET", "/api/manufacturing/boms/{pk}/compare"): EVERYONE,
    ("GET", "/api/manufacturing/boms/{pk}/impact"): EVERYONE,
    ("GET", "/api/manufacturing/orders"): EVERYONE,
    ("POST", "/api/manufacturing/orders"): PLANNER,
    ("GET", "/api/manufacturing/orders/{pk}"): EVERYONE,
    ("GET", "/api/manufacturing/orders/{pk}/history"): EVERYONE,
    ("PATCH", "/api/manufacturing/orders/{pk}"): PLANNER,
    ("DELETE", "/api/manufacturing/orders/{pk}"): PLANNER,
    ("POST", "/api/manufacturing/orders/{pk}/confirm"): PLANNER,
    ("POST", "/api/manufacturing/orders/{pk}/close"): PLANNER,
    ("POST", "/api/manufacturing/orders/{pk}/cancel"): PLANNER,
    ("POST", "/api/manufacturing/orders/{pk}/rebase"): PLANNER,
    # operator records production and runs the work orders
    ("POST", "/api/manufacturing/orders/{pk}/produce"): OPERATOR,
    ("GET", "/api/manufacturing/orders/{pk}/work-orders"): EVERYONE,
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/start"): OPERATOR,
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/pause"): OPERATOR,
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/resume"): OPERATOR,
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/done"): OPERATOR,
    ("GET", "/api/manufacturing/work-orders"): EVERYONE,
    # background jobs: anyone may export BOMs (a read); everyone reads their own jobs
    ("POST", "/api/manufacturing/boms/exports"): EVERYONE,
    ("POST", "/api/manufacturing/boms/imports"): PLANNER,  # creates BOMs: manufacturing.add_bom
    ("GET", "/api/jobs"): EVERYONE,
    ("GET", "/api/jobs/{pk}"): EVERYONE,
    ("GET", "/api/jobs/{pk}/download"): EVERYONE,
    # planning: planners enter demands and parameters, run MRP and firm; everyone reads
    ("GET", "/api/planning/demands"): EVERYONE,
    ("POST", "/api/planning/demands"): PLANNER,
    ("GET", "/api/planning/demands/{pk}"): EVERYONE,
    ("PATCH", "/api/planning/demands/{pk}"): PLANNER,
    ("DELETE", "/api/planning/demands/{pk}"): PLANNER,
    ("GET", "/api/planning/items/{pk}/parameters"): EVERYONE,
    ("PUT", "/api/planning/items/{pk}/parameters"): PLANNER,
    ("GET", "/api/planning/items/{pk}/projection"): EVERYONE,
    ("GET", "/api/planning/runs"): EVERYONE,
    ("POST", "/api/planning/runs"): PLANNER,
    ("GET", "/api/planning/runs/{pk}"): EVERYONE,
    ("GET", "/api/planning/planned-orders"): EVERYONE,
    ("GET", "/api/planning/planned-orders/{pk}"): EVERYONE,
    ("GET", "/api/planning/planned-orders/{pk}/pegging"): EVERYONE,
    ("POST", "/api/planning/planned-orders/{pk}/firm"): PLANNER,
    ("GET", "/api/planning/exceptions"): EVERYONE,
}

# Routes that are not endpoints: the catch-all that answers problem+json 404 for unknown paths.
NOT_ENDPOINTS = {"/api/{path}"}

# In the table ahead of their code (issue 6, audit history): while a planned route does not
# exist its cases are skipped; once it does, it must behave as the table says.
PLANNED: set[tuple[str, str]] = set()


# --- the routes, from the resolver ------------------------------------------------------------


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _template(route: str) -> str:
    """`api/manufacturing/^boms/(?P<pk>[^/.]+)/submit/?$` → `/api/manufacturing/boms/{pk}/submit`."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = route.replace("^", "").replace("$", "").replace("/?", "")
    route = route.replace(".*", "{path}")
    return "/" + route.rstrip("/")


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str
    view: type | None  # the view class (None for a plain function view)
    action: str | None  # the viewset action (None for an APIView)


def api_endpoints() -> dict[tuple[str, str], Endpoint]:
    """Every (method, route) the API answers, from the URL resolver and the views' methods."""
    found = {}
    for raw, pattern in _walk(get_resolver().url_patterns):
        route = _template(raw)
        if not route.startswith("/api/") or route in NOT_ENDPOINTS:
            continue
        callback = pattern.callback
        view = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None)
        if actions is not None:  # a viewset route: the router's method → action map
            allowed = set(view.http_method_names)
            pairs = [(m, a) for m, a in actions.items() if m in allowed]
        elif view is not None:  # an APIView: the handlers it defines
            pairs = [(m, None) for m in METHODS if hasattr(view, m)]
        else:  # a function view: the table must say what it is
            pairs = [("get", None)]
        for method, action in pairs:
            key = (method.upper(), route)
            found[key] = Endpoint(method.upper(), route, view, action)
    return found


ENDPOINTS = api_endpoints()
CASES = sorted(set(ENDPOINTS) | set(EXPECTED))


# --- arranging real data for each endpoint ----------------------------------------------------


@dataclass
class Call:
    path: str
    data: dict | None = None
    ok: int = 200  # the documented success status
    format: str = "json"


@dataclass(frozen=True)
class ForCaller:
    """An arrangement that needs the calling user (a job is read by the user who started it)."""

    arrange: Callable


def _own_job(user, *, export: bool = False) -> Job:
    if not export:
        return Job.objects.create(kind="bom_export", created_by=user)
    job = Job.objects.create(kind="bom_export", created_by=user, status=JobStatus.SUCCEEDED)
    job.output_file.save("boms.csv", ContentFile(b"bom_number\n"))
    return job


def _plant_order(*, confirm: bool):
    plant = make_plant()
    order = make_order(plant, quantity="10")
    if confirm:
        order = order_services.production_order_confirm(order=order)
    return plant, order


def _work_order(*, started: bool = False, paused: bool = False):
    _, order = _plant_order(confirm=True)
    work_order = order.work_orders.get()
    if started or paused:
        work_order_services.work_order_start(order=order, work_order_id=work_order.pk)
    if paused:
        work_order_services.work_order_pause(order=order, work_order_id=work_order.pk)
    return order, work_order


def _archived(obj):
    obj.delete()
    return obj


def _bom_body(product: Item, component: Item) -> dict:
    return {
        "name": "Matrix BOM",
        "productId": str(product.pk),
        "components": [{"productId": str(component.pk), "quantity": 2}],
    }


def _arrange_wo(verb: str, **state) -> Call:
    order, work_order = _work_order(**state)
    return Call(f"/api/manufacturing/orders/{order.pk}/work-orders/{work_order.pk}/{verb}")


def _lot_tracked_receipt() -> Lot:
    item = ItemFactory(tracking="lot")
    receive(item, 5, lot="LOT-1")
    return Lot.objects.get(item=item)


ARRANGE: dict[tuple[str, str], Callable[[], Call]] = {
    ("GET", "/api/health"): lambda: Call("/api/health"),
    ("GET", "/api/schema"): lambda: Call("/api/schema"),
    ("GET", "/api/docs"): lambda: Call("/api/docs"),
    ("GET", "/api/redoc"): lambda: Call("/api/redoc"),
    # items
    ("GET", "/api/uoms"): lambda: Call("/api/uoms"),
    ("POST", "/api/uoms"): lambda: Call(
        "/api/uoms", {"symbol": "box", "name": "Box", "category": "count", "factor": 12}, 201
    ),
    ("GET", "/api/uoms/{pk}"): lambda: Call(f"/api/uoms/{UnitOfMeasureFactory().pk}"),
    ("PATCH", "/api/uoms/{pk}"): lambda: Call(
        f"/api/uoms/{UnitOfMeasureFactory().pk}", {"name": "Renamed"}
    ),
    ("DELETE", "/api/uoms/{pk}"): lambda: Call(f"/api/uoms/{UnitOfMeasureFactory().pk}", ok=204),
    ("POST", "/api/uoms/{pk}/restore"): lambda: Call(
        f"/api/uoms/{_archived(UnitOfMeasureFactory()).pk}/restore"
    ),
    ("GET", "/api/items"): lambda: Call("/api/items"),
    ("POST", "/api/items"): lambda: Call(
        "/api/items", {"number": "NEW-1", "name": "New", "type": "stockable", "uom": "EA"}, 201
    ),
    ("GET", "/api/items/{pk}"): lambda: Call(f"/api/items/{ItemFactory().pk}"),
    ("PATCH", "/api/items/{pk}"): lambda: Call(f"/api/items/{ItemFactory().pk}", {"name": "X"}),
    ("DELETE", "/api/items/{pk}"): lambda: Call(f"/api/items/{ItemFactory().pk}", ok=204),
    ("POST", "/api/items/{pk}/restore"): lambda: Call(
        f"/api/items/{_archived(ItemFactory()).pk}/restore"
    ),
    ("GET", "/api/items/{pk}/where-used"): lambda: Call(
        f"/api/items/{BOMFactory().components.get().item_id}/where-used"
    ),
    # inventory
    ("GET", "/api/inventory/warehouses"): lambda: Call("/api/inventory/warehouses"),
    ("POST", "/api/inventory/warehouses"): lambda: Call(
        "/api/inventory/warehouses", {"code": "W-NEW", "name": "New"}, 201
    ),
    ("GET", "/api/inventory/warehouses/{pk}"): lambda: Call(
        f"/api/inventory/warehouses/{WarehouseFactory().pk}"
    ),
    ("PUT", "/api/inventory/warehouses/{pk}"): lambda: Call(
        f"/api/inventory/warehouses/{WarehouseFactory().pk}", {"code": "W-PUT", "name": "Put"}
    ),
    ("PATCH", "/api/inventory/warehouses/{pk}"): lambda: Call(
        f"/api/inventory/warehouses/{WarehouseFactory().pk}", {"name": "Renamed"}
    ),
    ("DELETE", "/api/inventory/warehouses/{pk}"): lambda: Call(
        f"/api/inventory/warehouses/{WarehouseFactory().pk}", ok=204
    ),
    ("POST", "/api/inventory/warehouses/{pk}/restore"): lambda: Call(
        f"/api/inventory/warehouses/{_archived(WarehouseFactory()).pk}/restore"
    ),
    ("GET", "/api/inventory/lots"): lambda: Call("/api/inventory/lots"),
    ("GET", "/api/inventory/lots/{pk}/trace"): lambda: Call(
        f"/api/inventory/lots/{_lot_tracked_receipt().pk}/trace?direction=forward"
    ),
    ("GET", "/api/inventory/lots/{pk}"): lambda: Call(
        f"/api/inventory/lots/{_lot_tracked_receipt().pk}"
    ),
    ("GET", "/api/inventory/stock"): lambda: Call("/api/inventory/stock"),
    ("GET", "/api/inventory/moves"): lambda: Call("/api/inventory/moves"),
    ("POST", "/api/inventory/moves"): lambda: Call(
        "/api/inventory/moves",
        {"kind": "receipt", "itemId": str(ItemFactory().pk), "quantity": 5},
        201,
    ),
    ("GET", "/api/inventory/moves/{pk}"): lambda: Call(
        f"/api/inventory/moves/{receive(ItemFactory(), 3)[0].pk}"
    ),
    ("GET", "/api/inventory/reservations"): lambda: Call("/api/inventory/reservations"),
    # workcenters
    ("GET", "/api/manufacturing/workcenters"): lambda: Call("/api/manufacturing/workcenters"),
    ("POST", "/api/manufacturing/workcenters"): lambda: Call(
        "/api/manufacturing/workcenters", {"code": "WC-NEW", "name": "New line"}, 201
    ),
    ("GET", "/api/manufacturing/workcenters/{pk}"): lambda: Call(
        f"/api/manufacturing/workcenters/{WorkcenterFactory().pk}"
    ),
    ("PATCH", "/api/manufacturing/workcenters/{pk}"): lambda: Call(
        f"/api/manufacturing/workcenters/{WorkcenterFactory().pk}", {"name": "Renamed"}
    ),
    ("DELETE", "/api/manufacturing/workcenters/{pk}"): lambda: Call(
        f"/api/manufacturing/workcenters/{WorkcenterFactory().pk}", ok=204
    ),
    ("POST", "/api/manufacturing/workcenters/{pk}/restore"): lambda: Call(
        f"/api/manufacturing/workcenters/{_archived(WorkcenterFactory()).pk}/restore"
    ),
    # BOMs
    ("GET", "/api/manufacturing/boms"): lambda: Call("/api/manufacturing/boms"),
    ("POST", "/api/manufacturing/boms"): lambda: Call(
        "/api/manufacturing/boms", _bom_body(ItemFactory(), ItemFactory()), 201
    ),
    ("GET", "/api/manufacturing/boms/archived"): lambda: Call("/api/manufacturing/boms/archived"),
    ("GET", "/api/manufacturing/boms/{pk}"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}"
    ),
    ("PUT", "/api/manufacturing/boms/{pk}"): lambda: _arrange_bom_put(),
    ("PATCH", "/api/manufacturing/boms/{pk}"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}", {"name": "Renamed"}
    ),
    ("DELETE", "/api/manufacturing/boms/{pk}"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}", ok=204
    ),
    ("PUT", "/api/manufacturing/boms/{pk}/components"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/components",
        {"components": [{"productId": str(ItemFactory().pk), "quantity": 3}]},
    ),
    ("POST", "/api/manufacturing/boms/{pk}/submit"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/submit"
    ),
    ("POST", "/api/manufacturing/boms/{pk}/cancel"): lambda: Call(
        f"/api/manufacturing/boms/{_submitted_bom().pk}/cancel"
    ),
    ("POST", "/api/manufacturing/boms/{pk}/copy"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/copy", ok=201
    ),
    ("POST", "/api/manufacturing/boms/{pk}/unarchive"): lambda: Call(
        f"/api/manufacturing/boms/{_archived(BOMFactory()).pk}/unarchive"
    ),
    ("GET", "/api/manufacturing/boms/{pk}/explosion"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/explosion"
    ),
    ("GET", "/api/manufacturing/boms/{pk}/history"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/history"
    ),
    ("GET", "/api/manufacturing/boms/{pk}/compare"): lambda: _arrange_compare(),
    ("GET", "/api/manufacturing/boms/{pk}/impact"): lambda: Call(
        f"/api/manufacturing/boms/{BOMFactory().pk}/impact"
    ),
    # production orders
    ("GET", "/api/manufacturing/orders"): lambda: Call("/api/manufacturing/orders"),
    ("POST", "/api/manufacturing/orders"): lambda: Call(
        "/api/manufacturing/orders", {"productId": str(make_plant().product.pk), "quantity": 5}, 201
    ),
    ("GET", "/api/manufacturing/orders/{pk}"): lambda: _arrange_order("", confirm=True),
    ("GET", "/api/manufacturing/orders/{pk}/history"): lambda: _arrange_order(
        "/history", confirm=True
    ),
    ("PATCH", "/api/manufacturing/orders/{pk}"): lambda: _arrange_order(
        "", confirm=False, data={"notes": "Rush"}
    ),
    ("DELETE", "/api/manufacturing/orders/{pk}"): lambda: _arrange_order("", confirm=False, ok=204),
    ("POST", "/api/manufacturing/orders/{pk}/confirm"): lambda: _arrange_order(
        "/confirm", confirm=False
    ),
    ("POST", "/api/manufacturing/orders/{pk}/close"): lambda: _arrange_order(
        "/close", confirm=True
    ),
    ("POST", "/api/manufacturing/orders/{pk}/cancel"): lambda: _arrange_order(
        "/cancel", confirm=True
    ),
    ("POST", "/api/manufacturing/orders/{pk}/rebase"): lambda: _arrange_rebase(),
    ("POST", "/api/manufacturing/orders/{pk}/produce"): lambda: _arrange_order(
        "/produce", confirm=True, data={"qty": 4}
    ),
    ("GET", "/api/manufacturing/orders/{pk}/work-orders"): lambda: _arrange_order(
        "/work-orders", confirm=True
    ),
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/start"): lambda: _arrange_wo(
        "start"
    ),
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/pause"): lambda: _arrange_wo(
        "pause", started=True
    ),
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/resume"): lambda: _arrange_wo(
        "resume", paused=True
    ),
    ("POST", "/api/manufacturing/orders/{pk}/work-orders/{wo_id}/done"): lambda: _arrange_wo(
        "done", started=True
    ),
    ("GET", "/api/manufacturing/work-orders"): lambda: _arrange_queue(),
    # background jobs
    ("POST", "/api/manufacturing/boms/exports"): lambda: Call(
        "/api/manufacturing/boms/exports", ok=202
    ),
    ("POST", "/api/manufacturing/boms/imports"): lambda: Call(
        "/api/manufacturing/boms/imports",
        {
            "file": SimpleUploadedFile(
                "boms.csv",
                b"bom_number,product_number,component_number,quantity\nBOM-M1,TOP,PART,1\n",
            )
        },
        202,
        format="multipart",
    ),
    ("GET", "/api/jobs"): lambda: Call("/api/jobs"),
    ("GET", "/api/jobs/{pk}"): ForCaller(lambda user: Call(f"/api/jobs/{_own_job(user).pk}")),
    ("GET", "/api/jobs/{pk}/download"): ForCaller(
        lambda user: Call(f"/api/jobs/{_own_job(user, export=True).pk}/download")
    ),
    # planning
    ("GET", "/api/planning/demands"): lambda: Call("/api/planning/demands"),
    ("POST", "/api/planning/demands"): lambda: Call(
        "/api/planning/demands",
        {"itemId": str(ItemFactory().pk), "quantity": 3, "dueDate": "2026-05-01"},
        201,
    ),
    ("GET", "/api/planning/demands/{pk}"): lambda: Call(f"/api/planning/demands/{_demand().pk}"),
    ("PATCH", "/api/planning/demands/{pk}"): lambda: Call(
        f"/api/planning/demands/{_demand().pk}", {"quantity": 4}
    ),
    ("DELETE", "/api/planning/demands/{pk}"): lambda: Call(
        f"/api/planning/demands/{_demand().pk}", ok=204
    ),
    ("GET", "/api/planning/items/{pk}/parameters"): lambda: Call(
        f"/api/planning/items/{ItemFactory().pk}/parameters"
    ),
    ("PUT", "/api/planning/items/{pk}/parameters"): lambda: Call(
        f"/api/planning/items/{ItemFactory().pk}/parameters", {"leadTimeDays": 3}
    ),
    ("GET", "/api/planning/items/{pk}/projection"): lambda: Call(
        f"/api/planning/items/{_planned_order().item_id}/projection"
    ),
    ("GET", "/api/planning/runs"): lambda: Call("/api/planning/runs"),
    ("POST", "/api/planning/runs"): lambda: Call("/api/planning/runs", {}, 202),
    ("GET", "/api/planning/runs/{pk}"): lambda: Call(
        f"/api/planning/runs/{_planned_order().run_id}"
    ),
    ("GET", "/api/planning/planned-orders"): lambda: Call("/api/planning/planned-orders"),
    ("GET", "/api/planning/planned-orders/{pk}"): lambda: Call(
        f"/api/planning/planned-orders/{_planned_order().pk}"
    ),
    ("GET", "/api/planning/planned-orders/{pk}/pegging"): lambda: Call(
        f"/api/planning/planned-orders/{_planned_order().pk}/pegging"
    ),
    ("POST", "/api/planning/planned-orders/{pk}/firm"): lambda: Call(
        f"/api/planning/planned-orders/{_planned_order().pk}/firm"
    ),
    ("GET", "/api/planning/exceptions"): lambda: Call("/api/planning/exceptions"),
}


def _demand():
    from datetime import date

    from manufacturing.planning.services import demand_create

    return demand_create(item=ItemFactory(), quantity=Decimal(2), due_date=date(2026, 5, 1))


def _planned_order():
    """A current plan with one make order of a product with a submitted BOM."""
    from datetime import date

    from manufacturing.planning import services
    from manufacturing.planning.models import PlannedOrder

    product = ItemFactory()
    BOMFactory(product=product, status="submitted")
    services.demand_create(item=product, quantity=Decimal(2), due_date=date(2026, 5, 1))
    run = services.mrp_run_start(actor=None, today=date(2026, 4, 1), background=False)
    services.mrp_run(run=run)
    return PlannedOrder.objects.get(run=run, item=product)


def _arrange_bom_put() -> Call:
    bom = BOMFactory()
    return Call(f"/api/manufacturing/boms/{bom.pk}", _bom_body(bom.product, ItemFactory()))


def _arrange_compare() -> Call:
    bom = BOMFactory()
    other = BOMFactory(product=bom.product, version=2)
    return Call(f"/api/manufacturing/boms/{bom.pk}/compare?with={other.pk}")


def _submitted_bom() -> BOM:
    from manufacturing.boms.services import bom_submit

    return bom_submit(bom=BOMFactory())


def _arrange_order(suffix: str, *, confirm: bool, data=None, ok: int = 200) -> Call:
    _, order = _plant_order(confirm=confirm)
    return Call(f"/api/manufacturing/orders/{order.pk}{suffix}", data, ok)


def _arrange_rebase() -> Call:
    plant, order = _plant_order(confirm=True)
    v2 = BOMFactory(
        product=plant.product, version=2, lines=[line(plant.frame, 1)], status="submitted"
    )
    return Call(f"/api/manufacturing/orders/{order.pk}/rebase", {"bomId": str(v2.pk)})


def _arrange_queue() -> Call:
    _plant_order(confirm=True)
    return Call("/api/manufacturing/work-orders")


# --- callers ----------------------------------------------------------------------------------


@pytest.fixture
def roles_present():
    """The groups as the roles migration made them. A transactional test elsewhere may have
    flushed the database (and with it the migration's rows): sync them back, idempotently."""
    roles_sync()


def caller(name: str) -> APIClient:
    if name == "anonymous":
        return APIClient()
    User = get_user_model()
    if name == "superuser":
        return client_for(User.objects.create_superuser("root-matrix", "root@example.com", "pw"))
    user = User.objects.create_user(f"{name}-matrix", f"{name}@example.com", "pw")
    user.groups.add(Group.objects.get(name=name))
    return client_for(user)


def _send(client: APIClient, method: str, call: Call):
    return getattr(client, method.lower())(call.path, call.data, format=call.format)


def _arrange(key, client: APIClient) -> Call:
    arrangement = ARRANGE[key]
    if isinstance(arrangement, ForCaller):
        return arrangement.arrange(getattr(client, "user", None))
    return arrangement()


# --- the table matches the routes -------------------------------------------------------------


def test_every_route_has_an_entry_in_the_table():
    unlisted = sorted(set(ENDPOINTS) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(ENDPOINTS) - PLANNED)

    assert not unlisted, f"routes without an entry in EXPECTED (say who may call them): {unlisted}"
    assert not stale, f"entries in EXPECTED for routes that no longer exist: {stale}"
    assert set(ARRANGE) == set(EXPECTED), "every entry needs an arrangement that can succeed"


def _required_permissions(endpoint: Endpoint) -> list[str]:
    """What `ModelPermissions` asks of the caller for this endpoint (nothing but to be signed
    in, for a view that asks only that: a user's own jobs)."""
    if ModelPermissions not in endpoint.view.permission_classes:
        assert endpoint.view.permission_classes == [IsAuthenticated], endpoint
        return []
    view = endpoint.view()
    view.action = endpoint.action
    declared = view.action_permissions.get(endpoint.action)
    if declared is not None:
        return list(declared)
    model = view.get_queryset().model
    return ModelPermissions().get_required_permissions(endpoint.method, model)


def _action_endpoints() -> list[Endpoint]:
    """API.md's action endpoints: every `POST …/{id}/<verb>`, stock moves POST, BOM archive."""
    found = []
    for (method, route), endpoint in ENDPOINTS.items():
        verb_on_a_record = method == "POST" and re.search(r"\{pk\}.*/[a-z-]+$", route)
        if (
            verb_on_a_record
            or (method, route) == ("POST", "/api/inventory/moves")
            or (method, route) == ("DELETE", "/api/manufacturing/boms/{pk}")
        ):
            found.append(endpoint)
    return found


def test_every_action_endpoint_has_a_custom_permission_of_its_own():
    actions = _action_endpoints()
    # API.md's action endpoints: 4 restores, BOM submit/cancel/copy/unarchive and archive
    # (DELETE), order confirm/produce/close/cancel/rebase, work-order start/pause/resume/done,
    # moves, and planning's planned-order firm.
    assert len(actions) == 20
    custom = {
        f"{model._meta.app_label}.{code}"
        for model in apps.get_models()
        for code, _ in model._meta.permissions
    }
    seen: dict[str, str] = {}
    for endpoint in actions:
        perms = endpoint.view.action_permissions.get(endpoint.action)
        assert perms, f"{endpoint.method} {endpoint.route}: no entry in action_permissions"
        for perm in perms:
            codename = perm.split(".")[1]
            assert not codename.startswith(("add_", "change_", "delete_", "view_")), perm
            assert perm in custom, f"{perm} is not declared in a model's Meta.permissions"
            assert seen.setdefault(perm, endpoint.route) == endpoint.route, (
                f"{perm} is shared by {seen[perm]} and {endpoint.route}"
            )


@pytest.mark.parametrize("key", sorted(k for k, v in EXPECTED.items() if v != PUBLIC), ids=str)
def test_the_roles_table_grants_exactly_the_expected_callers(key):
    """Static cross-check of config.roles against the table (the matrix below proves it live)."""
    if key not in ENDPOINTS and key in PLANNED:
        pytest.skip("planned route, not built yet")
    if key not in ENDPOINTS:
        pytest.fail(f"{key} is in EXPECTED but not a route")
    required = set(_required_permissions(ENDPOINTS[key]))
    holders = {role for role in ROLE_NAMES if required <= set(ROLES[role])}
    assert holders == EXPECTED[key], f"{key} needs {sorted(required)}"


def test_every_view_permission_of_the_business_apps_is_held_by_every_role(settings):
    # History pages follow the tracked model's permissions, so `Historical*` models are left out.
    assert not getattr(settings, "SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS", False)
    views = {
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for label in ROLE_APPS
        for model in apps.get_app_config(label).get_models()
        if "view" in model._meta.default_permissions
        and getattr(model, "instance_type", None) is None  # not a simple_history model
    }
    for role in ROLE_NAMES:
        assert views <= set(ROLES[role]), (role, sorted(views - set(ROLES[role])))
    assert set(ROLES["viewer"]) == views, "a viewer only reads"


# --- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("caller_name", CALLERS)
@pytest.mark.parametrize("key", CASES, ids=lambda k: f"{k[0]} {k[1]}")
def test_permission_matrix(key, caller_name, roles_present):
    assert key in EXPECTED, f"{key}: no entry in EXPECTED"
    if key not in ENDPOINTS and key in PLANNED:
        pytest.skip("planned route, not built yet")
    assert key in ENDPOINTS, f"{key}: in EXPECTED but not a route"
    method, _ = key
    allowed = EXPECTED[key]
    client = caller(caller_name)
    call = _arrange(key, client)

    response = _send(client, method, call)

    if allowed == PUBLIC:
        assert response.status_code == call.ok, response.content
    elif caller_name == "anonymous":
        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Bearer"
    elif caller_name == "superuser" or caller_name in allowed:
        assert response.status_code == call.ok, response.content
    else:
        assert_problem(response, 403, "not_privileged")


@pytest.mark.parametrize("key", sorted(k for k, v in EXPECTED.items() if v == PUBLIC), ids=str)
def test_public_routes_ignore_a_bad_token(key):
    """A stale or wrong token on a public route (a monitor, a browser) is not a 401."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert _send(client, key[0], ARRANGE[key]()).status_code == 200


def test_refused_actions_change_nothing(roles_present):
    """A 403 happens before any work: the order stays draft, nothing is reserved or moved."""
    _, order = _plant_order(confirm=False)
    moves = StockMove.objects.count()
    operator = caller("operator")

    assert_problem(
        operator.post(f"/api/manufacturing/orders/{order.pk}/confirm"), 403, "not_privileged"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert StockMove.objects.count() == moves
    assert not order.components.exists()


def test_a_second_confirm_is_a_business_refusal_not_a_permission_one(roles_present):
    _, order = _plant_order(confirm=True)
    planner = caller("planner")

    assert_problem(
        planner.post(f"/api/manufacturing/orders/{order.pk}/confirm"), 409, "invalid_state"
    )


# --- the admin honours the same permissions ---------------------------------------------------


def staff(name: str):
    User = get_user_model()
    if name == "superuser":
        return User.objects.create_superuser("root-admin", "root@example.com", "pw")
    user = User.objects.create_user(f"{name}-admin", f"{name}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


def admin_client(client, name: str):
    client.force_login(staff(name))
    return client


BOM_CHANGE = "/admin/manufacturing/bom/{}/change/"
BOM_LIST = "/admin/manufacturing/bom/"
ORDER_LIST = "/admin/manufacturing/productionorder/"


def _bom_form(bom: BOM) -> dict:
    component = bom.components.get()
    return form_data(
        bom=bom,
        product=bom.product,
        components=[comp(component.item, id=component.pk)],
        name="Renamed in the admin",
        is_default=True,
    )


@pytest.mark.parametrize("name", ["viewer", "operator", "storekeeper"])
def test_admin_bom_page_is_read_only_without_the_planner_role(client, roles_present, name):
    bom = BOMFactory()
    client = admin_client(client, name)

    page = client.get(BOM_CHANGE.format(bom.pk))
    assert page.status_code == 200  # everyone reads ...
    assert not page.context["has_change_permission"]  # ... but gets no form to save
    assert b'name="_save"' not in page.content

    refused = client.post(BOM_CHANGE.format(bom.pk), _bom_form(bom))
    assert refused.status_code == 403
    bom.refresh_from_db()
    assert bom.name != "Renamed in the admin"


def test_admin_bom_page_saves_for_a_planner(client, roles_present):
    bom = BOMFactory()
    client = admin_client(client, "planner")

    page = client.get(BOM_CHANGE.format(bom.pk))
    assert page.context["has_change_permission"]
    assert b'name="_save"' in page.content

    saved = client.post(BOM_CHANGE.format(bom.pk), _bom_form(bom))
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    bom.refresh_from_db()
    assert bom.name == "Renamed in the admin"


def test_admin_every_page_reads_for_a_viewer_and_none_offers_a_write(client, roles_present):
    """A viewer (staff) opens every model's list and a record's page read-only: never a 500,
    never an add link or a save button."""
    from django.contrib import admin

    _, order = _plant_order(confirm=True)
    order_services.production_order_produce(order=order, qty=Decimal(1))
    _lot_tracked_receipt()
    client = admin_client(client, "viewer")

    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in ROLE_APPS:
            continue
        changelist = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert changelist.status_code == 200, opts.label
        assert not changelist.context["has_add_permission"], opts.label
        obj = model_admin.get_queryset(changelist.wsgi_request).first()
        if obj is None:
            continue
        page = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
        assert page.status_code == 200, opts.label
        assert b'name="_save"' not in page.content, opts.label


def _actions(client, url: str) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["action_form"]  # None when the user may run no action at all
    return {value for value, _ in form.fields["action"].choices if value} if form else set()


@pytest.mark.parametrize(
    ("name", "order_actions", "bom_actions"),
    [
        ("viewer", set(), set()),
        ("operator", set(), set()),
        ("storekeeper", set(), set()),
        (
            "planner",
            {
                "confirm_selected",
                "close_selected",
                "cancel_selected",
                "rebase_selected",
                "archive_selected",
                "restore_selected",
            },
            {
                "submit_selected",
                "cancel_selected",
                "copy_selected",
                "archive_selected",
                "restore_selected",
            },
        ),
    ],
)
def test_admin_offers_each_role_only_its_actions(
    client, roles_present, name, order_actions, bom_actions
):
    client = admin_client(client, name)

    assert _actions(client, ORDER_LIST) == order_actions
    assert _actions(client, BOM_LIST) == bom_actions


def test_admin_confirm_action_is_refused_to_an_operator_and_runs_for_a_planner(
    client, roles_present
):
    _, order = _plant_order(confirm=False)
    run = {"action": "confirm_selected", "_selected_action": [str(order.pk)]}

    operator = admin_client(client, "operator")
    operator.post(ORDER_LIST, run)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT

    client.logout()
    planner = admin_client(client, "planner")
    response = planner.post(ORDER_LIST, run)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_admin_bom_submit_action_needs_submit_bom(client, roles_present):
    bom = BOMFactory()
    run = {"action": "submit_selected", "_selected_action": [str(bom.pk)]}

    admin_client(client, "operator").post(BOM_LIST, run)
    bom.refresh_from_db()
    assert bom.status == BOMStatus.DRAFT

    client.logout()
    admin_client(client, "planner").post(BOM_LIST, run)
    bom.refresh_from_db()
    assert bom.status == BOMStatus.SUBMITTED


@pytest.mark.parametrize(
    ("model", "url", "make", "role"),
    [
        (Item, "/admin/items/item/", ItemFactory, "planner"),
        (UnitOfMeasure, "/admin/items/unitofmeasure/", UnitOfMeasureFactory, "planner"),
        (Warehouse, "/admin/inventory/warehouse/", WarehouseFactory, "storekeeper"),
        (Workcenter, "/admin/manufacturing/workcenter/", WorkcenterFactory, "planner"),
        (BOM, "/admin/manufacturing/bom/", BOMFactory, "planner"),
    ],
)
def test_admin_restore_follows_the_restore_permission(
    client, roles_present, model, url, make, role
):
    obj = _archived(make())
    run = {"action": "restore_selected", "_selected_action": [str(obj.pk)]}
    other = "viewer"

    admin_client(client, other).post(f"{url}?archived=yes", run)
    assert model.all_objects.get(pk=obj.pk).deleted_at is not None

    client.logout()
    admin_client(client, role).post(f"{url}?archived=yes", run)
    assert model.all_objects.get(pk=obj.pk).deleted_at is None


def test_admin_record_move_page_is_the_storekeepers(client, roles_present):
    item = ItemFactory()
    form = {"kind": "receipt", "item": str(item.pk), "quantity": "4", "to_warehouse": ""}
    url = "/admin/inventory/stockmove/record/"

    assert admin_client(client, "planner").get(url).status_code == 403
    client.logout()
    keeper = admin_client(client, "storekeeper")
    assert keeper.get(url).status_code == 200
    keeper.post(url, form)
    assert StockMove.objects.filter(item=item).count() == 1


def test_quantities_in_the_matrix_are_exact(roles_present):
    """The produce case really produced: 4 of 10, receipt in, components consumed."""
    call = ARRANGE[("POST", "/api/manufacturing/orders/{pk}/produce")]()
    response = _send(caller("operator"), "POST", call)

    assert response.status_code == 200
    order = ProductionOrder.objects.get(pk=response.json()["id"])
    assert order.produced_qty == Decimal(4)
    assert order.status == OrderStatus.IN_PROGRESS
