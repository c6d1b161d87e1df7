"""A unit means its category and factor: while anything uses it, neither may change
(`uom_in_use`, 409), through the API, the admin and the service alike (issue 10, item 1)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from items import services
from items.exceptions import UomInUse
from items.models import UnitOfMeasure
from items.selectors import uom_usage_reasons
from manufacturing.boms import services as bom_services
from manufacturing.boms.models import BOM
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, UnitOfMeasureFactory, unit
from tests.manufacturing.factories import BOMFactory, line

pytestmark = pytest.mark.django_db
BOMS = "/api/manufacturing/boms"


def _meaning(uom: UnitOfMeasure) -> tuple[str, Decimal]:
    fresh = UnitOfMeasure.all_objects.get(pk=uom.pk)
    return fresh.category, fresh.factor


@pytest.fixture
def syrup(api):
    """The attack's repro: 250 `rtml` (0.001 L) of BASE (stocked in L) on a submitted BOM."""
    created = api.post(
        "/api/uoms",
        {"symbol": "rtml", "name": "Retail millilitre", "category": "volume", "factor": 0.001},
    )
    assert created.status_code == 201, created.content
    product = ItemFactory(number="SYRUP-KIT")
    base = ItemFactory(number="BASE", name="Base", uom=unit("L"))
    body = {
        "productId": str(product.pk),
        "components": [{"productId": str(base.pk), "quantity": 250, "uom": "rtml"}],
    }
    bom = api.post(BOMS, body)
    assert bom.status_code == 201, bom.content
    bom_id = bom.json()["id"]
    assert api.post(f"{BOMS}/{bom_id}/submit").status_code == 200
    return {"uom": UnitOfMeasure.objects.get(pk=created.json()["id"]), "bom_id": bom_id}


def _explosion_totals(api, bom_id) -> list[tuple[str, float, str]]:
    totals = api.get(f"{BOMS}/{bom_id}/explosion").json()["totals"]
    return [(t["number"], t["quantity"], t["uom"]) for t in totals]


def test_factor_of_a_unit_on_a_submitted_bom_line_cannot_change(api, syrup):
    uom, bom_id = syrup["uom"], syrup["bom_id"]
    before = api.get(f"{BOMS}/{bom_id}").json()
    assert _explosion_totals(api, bom_id) == [("BASE", 0.25, "L")]

    refused = assert_problem(api.patch(f"/api/uoms/{uom.pk}", {"factor": 1}), 409, "uom_in_use")

    assert refused["detail"] == (
        "Unit rtml is in use, so its factor cannot change: used by 1 BOM line (BOM-000001). "
        "Create a new unit instead."
    )
    assert refused["errors"] == {
        "factor": ["rtml is in use (used by 1 BOM line (BOM-000001)): create a new unit instead."]
    }
    assert _meaning(uom) == ("volume", Decimal("0.001"))
    assert _explosion_totals(api, bom_id) == [("BASE", 0.25, "L")]
    after = api.get(f"{BOMS}/{bom_id}").json()
    assert (after["status"], after["contentHash"]) == ("submitted", before["contentHash"])


def test_category_of_a_unit_on_a_bom_line_cannot_change(api, syrup):
    uom, bom_id = syrup["uom"], syrup["bom_id"]

    refused = assert_problem(
        api.patch(f"/api/uoms/{uom.pk}", {"category": "mass", "factor": 1}), 409, "uom_in_use"
    )

    assert refused["detail"].startswith("Unit rtml is in use, so its category and factor cannot")
    assert sorted(refused["errors"]) == ["category", "factor"]
    assert _meaning(uom) == ("volume", Decimal("0.001"))
    assert api.get(f"{BOMS}/{bom_id}/explosion").status_code == 200
    assert _explosion_totals(api, bom_id) == [("BASE", 0.25, "L")]


def test_name_and_symbol_of_a_unit_in_use_may_change(api, syrup):
    uom = syrup["uom"]

    response = api.patch(f"/api/uoms/{uom.pk}", {"name": "Millilitre (retail)", "factor": 0.001})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Millilitre (retail)"
    assert _meaning(uom) == ("volume", Decimal("0.001"))


def test_factor_of_a_unit_used_by_no_record_may_change(api):
    uom = UnitOfMeasureFactory(symbol="bx", category="count", factor=Decimal(12))

    response = api.patch(f"/api/uoms/{uom.pk}", {"factor": 10, "category": "count"})

    assert response.status_code == 200, response.content
    assert _meaning(uom) == ("count", Decimal(10))


def test_unit_of_a_bom_header_is_in_use():
    product = ItemFactory(number="FLOUR-MIX", uom=unit("kg"))
    bom = BOMFactory(product=product, quantity=Decimal(500), uom=unit("g"))

    with pytest.raises(UomInUse) as refused:
        services.uom_update(uom=unit("g"), data={"factor": Decimal(1)})

    assert refused.value.detail == (
        f"Unit g is in use, so its factor cannot change: used by 1 BOM header ({bom.number}). "
        "Create a new unit instead."
    )
    assert _meaning(unit("g")) == ("mass", Decimal("0.001"))


def test_archived_boms_and_items_still_fix_the_meaning_of_their_units():
    half = UnitOfMeasureFactory(symbol="half", category="count", factor=Decimal("0.5"))
    old_item = ItemFactory(number="OLD", uom=half)
    bom = BOMFactory(lines=[line(ItemFactory(number="PART"), 4, "half")])
    bom_services.bom_archive(bom=bom)
    old_item.delete()

    with pytest.raises(UomInUse) as refused:
        services.uom_update(uom=half, data={"factor": Decimal(2)})

    assert "used by 1 item (OLD), 1 BOM line (" in refused.value.detail
    assert _meaning(half) == ("count", Decimal("0.5"))


def test_order_requirements_are_listed_with_the_items_and_lines(plant_with_order):
    paint_unit = unit("mL")

    with pytest.raises(UomInUse) as refused:
        services.uom_update(uom=paint_unit, data={"factor": Decimal("0.01")})

    order, bom = plant_with_order
    assert refused.value.detail == (
        "Unit mL is in use, so its factor cannot change: used by 1 item (PAINT), "
        f"1 production order requirement ({order.reference}). Create a new unit instead."
    )
    assert bom.components.get(item__number="PAINT").uom.symbol == "L"
    assert _meaning(paint_unit) == ("volume", Decimal("0.001"))


@pytest.fixture
def plant_with_order():
    from manufacturing.orders import services as order_services
    from tests.manufacturing.orders_fixtures import make_order, make_plant

    plant = make_plant()
    order = make_order(plant, quantity="2")
    order_services.production_order_confirm(order=order)
    return order, plant.bom


def test_usage_is_counted_in_the_same_queries_for_one_or_many_boms():
    few = UnitOfMeasureFactory(symbol="few", category="count", factor=Decimal(3))
    many = UnitOfMeasureFactory(symbol="many", category="count", factor=Decimal(3))
    BOMFactory(lines=[line(ItemFactory(), 1, "few")])
    for _ in range(7):
        BOMFactory(lines=[line(ItemFactory(), 1, "many"), line(ItemFactory(), 2, "many")])

    with CaptureQueriesContext(connection) as one:
        assert len(uom_usage_reasons(uom=few)) == 1
    with CaptureQueriesContext(connection) as seven:
        reasons = uom_usage_reasons(uom=many)

    assert len(one.captured_queries) == len(seven.captured_queries)
    numbers = sorted(BOM.objects.filter(components__uom=many).values_list("number", flat=True))
    assert reasons == [f"14 BOM lines ({', '.join(sorted(set(numbers))[:5])}, …)"]


def test_admin_shows_the_refusal_on_the_factor_field(admin_user, syrup):
    uom = syrup["uom"]
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        f"/admin/items/unitofmeasure/{uom.pk}/change/",
        {"symbol": "rtml", "name": "Retail millilitre", "category": "volume", "factor": "1"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "factor": ["rtml is in use (used by 1 BOM line (BOM-000001)): create a new unit instead."]
    }
    assert _meaning(uom) == ("volume", Decimal("0.001"))
