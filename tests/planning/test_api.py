"""Planning over the API: demands, parameters, runs (a real worker), the plan, pegging, firming,
the projection; bad input never a 500; query counts that do not grow."""

from decimal import Decimal as D

import pytest

from manufacturing.orders.models import OrderStatus, ProductionOrder
from manufacturing.planning import services
from manufacturing.planning.models import Demand, PlannedOrder, PlanningRun
from tests.api.test_conventions import assert_problem
from tests.config.jobs_helpers import run_worker
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.planning.fixtures import TODAY, day, make_bike, run_now

pytestmark = pytest.mark.django_db
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _planned(bike_demands=True):
    bike = make_bike()
    if bike_demands:
        services.demand_create(item=bike.bike, quantity=D(10), due_date=day(20), reference="SO-1")
        services.demand_create(item=bike.bike, quantity=D(5), due_date=day(30), reference="SO-2")
    return bike, run_now()


def test_demand_crud(api):
    item = ItemFactory(number="X1")
    created = api.post(
        "/api/planning/demands",
        {
            "itemId": str(item.pk),
            "quantity": 12.5,
            "dueDate": "2026-04-01",
            "kind": "sales",
            "reference": "SO-9",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["item"]["number"] == "X1"
    assert (body["quantity"], body["kind"], body["uom"]) == (12.5, "sales", "EA")
    demand_id = body["id"]

    patched = api.patch(f"/api/planning/demands/{demand_id}", {"quantity": 3}, format="json")
    assert patched.json()["quantity"] == 3
    listed = api.get("/api/planning/demands", {"itemId": str(item.pk)}).json()
    assert [d["id"] for d in listed["data"]] == [demand_id]
    assert api.delete(f"/api/planning/demands/{demand_id}").status_code == 204
    assert Demand.all_objects.get(pk=demand_id).deleted_at is not None
    assert api.get("/api/planning/demands").json()["data"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": -1}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"quantity": 1e20}, "quantity"),
        ({"quantity": 1.0000001}, "quantity"),
        ({"dueDate": "tomorrow"}, "dueDate"),
        ({"kind": "wish"}, "kind"),
        ({"itemId": "not-a-uuid"}, "itemId"),
        ({"itemId": "0190c0de-0000-7000-8000-000000000000"}, "itemId"),
        ({"itemId": None}, "itemId"),
    ],
)
def test_demand_bad_input_is_a_400_and_nothing_is_saved(api, payload, field):
    item = ItemFactory()
    body = {"itemId": str(item.pk), "quantity": 1, "dueDate": "2026-04-01", **payload}
    response = api.post("/api/planning/demands", body, format="json")
    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"]
    assert not Demand.all_objects.exists()


def test_a_demand_on_a_service_or_archived_item_is_refused(api):
    service = ItemFactory(type="service")
    archived = ItemFactory()
    archived.delete()
    for item in (service, archived):
        response = api.post(
            "/api/planning/demands",
            {"itemId": str(item.pk), "quantity": 1, "dueDate": "2026-04-01"},
            format="json",
        )
        assert "itemId" in assert_problem(response, 400, "validation_error")["errors"]


def test_parameters_default_then_put(api):
    bike = make_bike()
    plain = ItemFactory(number="PLAIN")
    with_bom = api.get(f"/api/planning/items/{bike.kit.pk}/parameters").json()
    assert (with_bom["procurement"], with_bom["isDefault"]) == ("make", True)
    assert api.get(f"/api/planning/items/{plain.pk}/parameters").json()["procurement"] == "buy"

    put = api.put(
        f"/api/planning/items/{plain.pk}/parameters",
        {"leadTimeDays": 4, "safetyStock": 7, "lotMultiple": 5},
        format="json",
    )
    assert put.status_code == 200, put.content
    assert put.json() == {
        "itemId": str(plain.pk),
        "procurement": "buy",
        "planned": True,
        "leadTimeDays": 4,
        "safetyStock": 7,
        "lotMinimum": 0,
        "lotMultiple": 5,
        "isDefault": False,
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"procurement": "steal"},
        {"leadTimeDays": -1},
        {"leadTimeDays": 2.5},
        {"leadTimeDays": "3"},
        {"safetyStock": -1},
        {"lotMinimum": "x"},
        {"planned": "yes"},
    ],
)
def test_parameters_bad_input_is_a_400(api, payload):
    item = ItemFactory()
    response = api.put(f"/api/planning/items/{item.pk}/parameters", payload, format="json")
    assert_problem(response, 400, "validation_error")
    assert api.get(f"/api/planning/items/{item.pk}/parameters").json()["isDefault"] is True


def test_unknown_and_malformed_ids_are_404(api):
    for path in (
        "/api/planning/items/nope/parameters",
        "/api/planning/items/0190c0de-0000-7000-8000-000000000000/projection",
        "/api/planning/planned-orders/nope",
        "/api/planning/planned-orders/0190c0de-0000-7000-8000-000000000000/pegging",
        "/api/planning/runs/nope",
        "/api/planning/demands/nope",
    ):
        assert api.get(path).status_code == 404, path


def test_planned_orders_filters_and_sort(api):
    bike, _ = _planned()
    rows = api.get("/api/planning/planned-orders", {"kind": "buy"}).json()["data"]
    assert {r["item"]["number"] for r in rows} == {"WHEEL", "BOLT", "TUBE"}
    rows = api.get(
        "/api/planning/planned-orders", {"itemId": str(bike.frame.pk), "sort": "-dueDate"}
    ).json()["data"]
    assert [(r["quantity"], r["dueDate"]) for r in rows] == [
        (5, day(26).isoformat()),
        (8, day(14).isoformat()),
    ]
    rows = api.get(
        "/api/planning/planned-orders",
        {"dueFrom": day(20).isoformat(), "dueTo": day(26).isoformat()},
    ).json()["data"]
    assert {(r["item"]["number"], r["dueDate"]) for r in rows} == {
        ("BIKE", day(20).isoformat()),
        ("FRAME", day(26).isoformat()),
        ("WHEEL", day(26).isoformat()),
        ("BOLT", day(26).isoformat()),
    }
    assert_problem(api.get("/api/planning/planned-orders", {"kind": "x"}), 400, "validation_error")
    assert_problem(
        api.get("/api/planning/planned-orders", {"dueFrom": "soon"}), 400, "validation_error"
    )


def test_pegging_goes_up_to_the_demand(api):
    bike, run = _planned()
    tube = PlannedOrder.objects.get(run=run, item=bike.tube)
    tree = api.get(f"/api/planning/planned-orders/{tube.pk}/pegging").json()["data"]
    first = tree[0]
    assert (first["source"], first["quantity"]) == ("planned_order", 26.4)
    assert first["plannedOrder"]["item"]["number"] == "FRAME"
    bike_level = first["pegging"][0]
    assert bike_level["plannedOrder"]["item"]["number"] == "BIKE"
    assert bike_level["pegging"][0]["demand"]["reference"] == "SO-1"
    assert tree[-1]["source"] == "surplus"


def test_firm_creates_one_draft_order_and_refuses_a_second(api):
    bike, run = _planned()
    planned = PlannedOrder.objects.get(run=run, item=bike.bike, due_date=day(20))

    response = api.post(f"/api/planning/planned-orders/{planned.pk}/firm")
    assert response.status_code == 200, response.content
    order = ProductionOrder.objects.get(pk=response.json()["productionOrder"])
    assert (order.status, order.quantity, order.product) == (OrderStatus.DRAFT, D(10), bike.bike)
    assert response.json()["productionOrderReference"] == order.reference

    again = api.post(f"/api/planning/planned-orders/{planned.pk}/firm")
    assert_problem(again, 409, "already_firmed")
    assert ProductionOrder.objects.count() == 1


def test_firm_refuses_buy_orders_and_stale_plans(api):
    bike, run = _planned()
    buy = PlannedOrder.objects.filter(run=run, kind="buy").first()
    assert_problem(api.post(f"/api/planning/planned-orders/{buy.pk}/firm"), 422, "not_makeable")

    services.demand_create(item=bike.bike, quantity=D(1), due_date=day(40))
    make = PlannedOrder.objects.filter(run=run, kind="make").first()
    assert_problem(api.post(f"/api/planning/planned-orders/{make.pk}/firm"), 409, "plan_stale")
    assert not ProductionOrder.objects.exists()


def test_a_firmed_draft_counts_as_supply_in_the_next_run(api):
    bike, run = _planned()
    planned = PlannedOrder.objects.get(run=run, item=bike.bike, due_date=day(20))
    services.planned_order_firm(planned_order=planned)

    rerun = run_now()

    bikes = PlannedOrder.objects.filter(run=rerun, item=bike.bike)
    assert [(o.quantity, o.due_date) for o in bikes] == [(D(5), day(30))]
    # The firm draft's components are still required: frames are planned as before.
    frames = PlannedOrder.objects.filter(run=rerun, item=bike.frame).order_by("position")
    assert [o.quantity for o in frames] == [D(8), D(5)]


def test_projection(api):
    bike, run = _planned()
    body = api.get(f"/api/planning/items/{bike.bolt.pk}/projection").json()
    assert body["runId"] == str(run.pk)
    assert (body["available"], body["safetyStock"], body["level"]) == (30, 20, 1)
    assert body["rows"][1] == {
        "date": day(14).isoformat(),
        "gross": 40,
        "scheduledReceipts": 0,
        "projectedOnHand": 20,
        "net": 30,
        "planned": 30,
    }
    empty = api.get(f"/api/planning/items/{ItemFactory().pk}/projection").json()
    assert empty["rows"] == []


def test_exceptions_list(api):
    bike = make_bike()
    services.demand_create(item=bike.bike, quantity=D(2), due_date=day(1))
    run_now()
    rows = api.get("/api/planning/exceptions", {"kind": "late"}).json()["data"]
    assert {r["item"]["number"] for r in rows} >= {"BIKE"}
    late = api.get("/api/planning/planned-orders", {"exception": "late"}).json()["data"]
    assert late and all("late" in r["exceptions"] for r in late)


def test_run_parameters_bad_input(api):
    for payload in (
        {"horizonDays": 0},
        {"horizonDays": "9"},
        {"hoursPerDay": -1},
        {"hoursPerDay": 25},
    ):
        response = api.post("/api/planning/runs", payload, format="json")
        assert_problem(response, 400, "validation_error")
    assert not PlanningRun.objects.exists()


@WORKER
def test_run_over_the_api_in_the_background_one_at_a_time(api):
    # No stock here: a transactional test cannot flush the (immutable) ledger.
    part, top = ItemFactory(number="PART"), ItemFactory(number="TOP")
    BOMFactory(product=top, lines=[line(part, 2)], status="submitted")
    services.demand_create(item=top, quantity=D(4), due_date=day(10))

    started = api.post("/api/planning/runs", {"horizonDays": 90}, format="json")
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    second = api.post("/api/planning/runs", {}, format="json")
    assert_problem(second, 409, "run_in_progress")

    run_worker()
    body = api.get(f"/api/planning/runs/{started.json()['id']}").json()
    assert body["status"] == "succeeded", body
    assert body["isCurrent"] is True
    assert body["counts"]["make"] >= 1 and body["counts"]["buy"] >= 1
    assert body["progress"]["done"] == body["progress"]["total"] > 0
    assert api.post("/api/planning/runs", {}, format="json").status_code == 202


def test_list_query_counts_do_not_grow(api, django_assert_max_num_queries):
    _planned()
    for n in range(30):
        services.demand_create(item=ItemFactory(), quantity=D(1), due_date=day(n))
    run_now()
    for path in (
        "/api/planning/planned-orders",
        "/api/planning/demands",
        "/api/planning/exceptions",
        "/api/planning/runs",
    ):
        with django_assert_max_num_queries(8):
            assert api.get(path, {"limit": 1}).status_code == 200
        with django_assert_max_num_queries(8):
            assert api.get(path, {"limit": 50}).status_code == 200


def test_the_plan_is_for_today_by_default():
    bike = make_bike()
    services.demand_create(item=bike.bike, quantity=D(1), due_date=TODAY)
    run = services.mrp_run(run=services.mrp_run_start(actor=None, background=False))
    assert run.parameters["today"] != ""
