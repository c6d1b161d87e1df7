"""The impact of a BOM version on open orders (issue 14, item 2), by hand, in every status."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manufacturing.orders import services as order_services
from manufacturing.orders.selectors import order_bom_impact
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.orders_fixtures import make_order
from tests.manufacturing.test_order_rebase import plant  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def orders(plant):  # noqa: F811
    """On v1: a draft, a confirmed and an in-progress order (2 of 10 made) of 10 each, and a
    done and a cancelled one; a confirmed order already on v2; an order of another product."""
    draft = make_order(plant, "10")
    confirmed = order_services.production_order_confirm(order=make_order(plant, "10"))
    running = order_services.production_order_confirm(order=make_order(plant, "10"))
    running = order_services.production_order_produce(order=running, qty=D(2))
    done = order_services.production_order_confirm(order=make_order(plant, "1"))
    order_services.production_order_close(order=done)
    order_services.production_order_cancel(order=make_order(plant, "1"))
    on_v2 = order_services.production_order_confirm(order=make_order(plant, "1", bom=plant.v2))
    other = BOMFactory(status="submitted")
    order_services.production_order_create(product=other.product, quantity=D(1))
    return {"draft": draft, "confirmed": confirmed, "running": running, "on_v2": on_v2}


def lines_of(impact) -> dict:
    return {
        line.item.number: (
            line.required,
            line.proposed,
            line.consumed,
            line.reserved,
            line.would_reserve,
            line.reserve_change,
        )
        for line in impact.lines
    }


def test_only_open_orders_on_other_versions_are_affected(plant, orders):  # noqa: F811
    impact = order_bom_impact(bom=plant.v2)

    assert [i.order.pk for i in impact] == [
        orders["draft"].pk,
        orders["confirmed"].pk,
        orders["running"].pk,
    ]
    assert [i.order.pk for i in order_bom_impact(bom=plant.bom)] == [orders["on_v2"].pk]


def test_a_draft_compares_its_current_bom_exploded_with_the_new_one(plant, orders):  # noqa: F811
    draft = next(i for i in order_bom_impact(bom=plant.v2) if i.order.status == "draft")

    # required, proposed, consumed, reserved, would reserve, reserve change
    assert lines_of(draft) == {
        "FRAME": (10, 10, 0, 0, 10, 0),
        "BOARD": (20, 30, 0, 0, 30, 10),
        "PAINT": (5000, 0, 0, 0, 0, -5000),
        "GLUE": (0, 10, 0, 0, 10, 10),
    }
    assert (draft.refusal, draft.stock_covers, draft.rebasable) == (None, True, True)


def test_a_confirmed_order_compares_its_snapshot_and_reservations(plant, orders):  # noqa: F811
    confirmed = next(i for i in order_bom_impact(bom=plant.v2) if i.order.status == "confirmed")

    assert lines_of(confirmed) == {
        "FRAME": (10, 10, 0, 10, 10, 0),
        "BOARD": (20, 30, 0, 20, 30, 10),
        "PAINT": (5000, 0, 0, 5000, 0, -5000),
        "GLUE": (0, 10, 0, 0, 10, 10),
    }
    glue = next(line for line in confirmed.lines if line.item.number == "GLUE")
    assert (glue.available, glue.covered) == (39, True)  # 40, less 1 held by the order on v2
    assert confirmed.rebasable


def test_an_order_in_progress_shows_what_is_consumed_and_cannot_be_rebased(plant, orders):  # noqa: F811
    running = next(i for i in order_bom_impact(bom=plant.v2) if i.order.status == "in_progress")

    # 2 of 10 made: 2 frames, 4 boards and 1000 mL of paint consumed.
    assert lines_of(running) == {
        "FRAME": (10, 10, 2, 8, 8, 0),
        "BOARD": (20, 30, 4, 16, 26, 10),
        "PAINT": (5000, 0, 1000, 4000, 0, -4000),
        "GLUE": (0, 10, 0, 0, 10, 10),
    }
    assert (running.refusal, running.rebasable) == ("order_started", False)


def test_stock_that_does_not_cover_the_change_is_flagged(plant):  # noqa: F811
    big = order_services.production_order_confirm(order=make_order(plant, "50"))

    (impact,) = order_bom_impact(bom=plant.v2)

    assert impact.order.pk == big.pk
    glue = next(line for line in impact.lines if line.item.number == "GLUE")
    assert (glue.would_reserve, glue.available, glue.covered) == (50, 40, False)
    assert (impact.stock_covers, impact.rebasable, impact.refusal) == (False, False, None)


def test_a_draft_target_bom_is_flagged_unusable(plant, orders):  # noqa: F811
    draft_bom = BOMFactory(product=plant.product, version=3, lines=[line(plant.frame, 1)])

    refusals = {i.order.status: i.refusal for i in order_bom_impact(bom=draft_bom)}
    assert refusals == {
        "draft": "bom_unusable",
        "confirmed": "bom_unusable",
        "in_progress": "order_started",
    }


def _orders_of(count: int, size: int):
    parts = [ItemFactory() for _ in range(size)]
    v1 = BOMFactory(product=ItemFactory(), lines=[line(p, 1) for p in parts], status="submitted")
    v2 = BOMFactory(
        product=v1.product, version=2, lines=[line(p, 2) for p in parts], status="submitted"
    )
    for index in range(count):
        order_services.production_order_create(product=v1.product, quantity=D(1), bom=v1)
        if index % 2:
            order_services.production_order_create(
                product=v1.product, quantity=D(1), bom=v1, multi_level=True
            )
    return v2


def test_queries_do_not_grow_with_orders_or_lines():
    counts = []
    for count, size in ((1, 2), (12, 40)):
        bom = _orders_of(count, size)
        with CaptureQueriesContext(connection) as queries:
            impact = order_bom_impact(bom=bom)
        assert len(impact) >= count
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


# --- the API --------------------------------------------------------------------------------


def test_api_impact(api, plant, orders):  # noqa: F811
    response = api.get(f"/api/manufacturing/boms/{plant.v2.pk}/impact")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bom"]["id"] == str(plant.v2.pk)
    assert [o["status"] for o in body["orders"]] == ["draft", "confirmed", "in_progress"]
    running = body["orders"][2]
    assert (running["refusal"], running["rebasable"], running["producedQty"]) == (
        "order_started",
        False,
        2,
    )
    board = next(row for row in running["lines"] if row["number"] == "BOARD")
    assert board == {
        "productId": str(plant.board.pk),
        "number": "BOARD",
        "name": plant.board.name,
        "uom": "EA",
        "required": 20,
        "proposed": 30,
        "change": 10,
        "consumed": 4,
        "reserved": 16,
        "wouldReserve": 26,
        "reserveChange": 10,
        # 1000 received, 4 consumed; held: 20, 16 and 3 (the order on v2).
        "available": 1000 - 4 - 20 - 16 - 3,
        "covered": True,
    }
    assert body["orders"][0]["bom"]["number"] == plant.bom.number


@pytest.mark.parametrize(
    "bom_id", ["nope", "01a24200-0000-7000-8000-000000000000", "1" * 500, "%00"]
)
def test_api_impact_of_an_unknown_bom_is_404(api, bom_id):
    assert_problem(api.get(f"/api/manufacturing/boms/{bom_id}/impact"), 404, "not_found")


def test_api_impact_query_count_does_not_grow(api):
    small = _orders_of(1, 2)
    big = _orders_of(10, 30)
    with CaptureQueriesContext(connection) as few:
        assert api.get(f"/api/manufacturing/boms/{small.pk}/impact").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert api.get(f"/api/manufacturing/boms/{big.pk}/impact").status_code == 200
    assert len(few) == len(many)
