"""`GET /api/inventory/lots/{id}/trace?direction=back|forward`: the body, its schema, refusals
and a query count that does not grow with the number of lots."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.lot_pyramid import lot_pyramid_build
from config.api.renderers import JSONRenderer
from inventory.genealogy import lot_trace_back, lot_trace_forward
from inventory.models import Lot
from inventory.representations import trace_body
from inventory.serializers import LotTraceSerializer
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import main_warehouse
from tests.inventory.genealogy_fixtures import make_genealogy
from tests.perf.test_fast_paths import drf_fields

pytestmark = pytest.mark.django_db


def url(lot, direction: str | None = None) -> str:
    pk = lot.pk if isinstance(lot, Lot) else lot
    return f"/api/inventory/lots/{pk}/trace" + (f"?direction={direction}" if direction else "")


def test_trace_back_answers_the_component_lots_with_their_orders(api):
    g = make_genealogy()
    fin2 = g.lot("FIN-2")

    response = api.get(url(fin2, "back"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["direction"] == "back" and body["depth"] == 3
    assert body["lot"] == {
        "id": str(fin2.pk),
        "number": "FIN-2",
        "item": {"id": str(g.fin.pk), "number": "FIN", "name": g.fin.name},
        "uom": "EA",
        "level": 0,
        "onHand": [{"warehouse": {"id": str(main_warehouse().pk), "code": "WH"}, "quantity": 8.0}],
        "issued": [],
    }
    assert [(lot["number"], lot["level"]) for lot in body["lots"]] == [
        ("SUB-A", 1),
        ("SUB-B", 1),
        ("R1", 2),
        ("R2", 2),
        ("P1", 3),
    ]
    numbers = {lot["id"]: lot["number"] for lot in [body["lot"], *body["lots"]]}
    first = body["links"][0]
    assert first == {
        "level": 1,
        "productionOrderId": str(g.orders["fin-2"].pk),
        "orderReference": g.orders["fin-2"].reference,
        "consumedLotId": str(g.lot("SUB-A").pk),
        "consumedQuantity": 3.0,
        "producedLotId": str(fin2.pk),
        "producedQuantity": 8.0,
    }
    assert len(body["links"]) == 7
    assert {
        (numbers[link["consumedLotId"]], numbers[link["producedLotId"]]) for link in body["links"]
    } >= {("P1", "R1"), ("R2", "SUB-B")}


def test_trace_forward_answers_where_the_lots_are_now(api):
    g = make_genealogy()

    body = api.get(url(g.lot("SUB-A"), "forward")).json()

    assert body["direction"] == "forward"
    fin1 = next(lot for lot in body["lots"] if lot["number"] == "FIN-1")
    assert [s["quantity"] for s in fin1["onHand"]] == [8.0]
    assert [(i["reference"], i["quantity"], i["warehouse"]["code"]) for i in fin1["issued"]] == [
        ("SO-1001", 4.0, "WH")
    ]
    assert fin1["issued"][0]["createdAt"].endswith("Z")


def test_direction_defaults_to_back(api):
    g = make_genealogy()
    assert api.get(url(g.lot("SUB-A"))).json()["direction"] == "back"


def test_the_body_is_what_the_serializers_fields_make_of_the_trace(api):
    g = make_genealogy()
    for trace in (lot_trace_back(lot=g.lot("FIN-2")), lot_trace_forward(lot=g.lot("P1"))):
        expected = JSONRenderer().render(drf_fields(LotTraceSerializer, trace))
        assert JSONRenderer().render(trace_body(trace)) == expected
    response = api.get(url(g.lot("P1"), "forward"))
    assert response.content == JSONRenderer().render(
        drf_fields(LotTraceSerializer, lot_trace_forward(lot=g.lot("P1")))
    )


@pytest.mark.parametrize("direction", ["sideways", "BACK ", "", "back,forward", "1"])
def test_a_bad_direction_is_400_naming_the_parameter(api, direction):
    g = make_genealogy()
    body = assert_problem(
        api.get(url(g.lot("P1"), "x").replace("x", direction)), 400, "validation_error"
    )
    assert "direction" in body["errors"]


@pytest.mark.parametrize(
    "pk", ["not-a-uuid", "1", "%00", "01a24200-0000-7000-8000-000000000000", "0" * 40]
)
def test_an_unknown_or_malformed_lot_is_404(api, pk):
    assert_problem(api.get(url(pk, "back")), 404, "not_found")


def test_only_get(api):
    g = make_genealogy()
    for method in (api.post, api.put, api.patch, api.delete):
        assert_problem(method(url(g.lot("P1"))), 405, "method_not_allowed")


def test_anonymous_is_401_and_a_user_who_may_not_read_lots_403(anon, api_as):
    """A read like the lot itself (`view_lot`, which every role holds): no action permission,
    so the actions throttle does not count it."""
    g = make_genealogy()
    assert_problem(anon.get(url(g.lot("P1"))), 401, "not_authenticated")
    assert_problem(api_as("inventory.view_stockmove").get(url(g.lot("P1"))), 403, "not_privileged")
    assert api_as("inventory.view_lot").get(url(g.lot("P1"))).status_code == 200


@pytest.mark.parametrize("direction", ["back", "forward"])
def test_queries_do_not_grow_with_the_number_of_lots(api, direction):
    counts = []
    for fan, prefix in ((2, "S"), (12, "L")):  # 15 and 1,885 lots
        pyramid = lot_pyramid_build(fan=fan, levels=4, direction=direction, prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            body = api.get(url(pyramid.root_lot_id, direction)).json()
        assert len(body["lots"]) == pyramid.lots - 1
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3  # the token, the lot, the trace
