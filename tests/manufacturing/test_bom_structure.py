"""The BOM structure report: the tree for a typed quantity with on hand, available, shortage
and cost per line, the same rows as CSV, a bad quantity as a form error, and a query count
that does not grow with the tree."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.services.reservations import stock_reserve
from items.models import Item
from manufacturing.boms.structure import bom_structure
from manufacturing.planning import services as planning
from tests.inventory.factories import main_warehouse, receive
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, chain, line, op

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def widget():
    """WIDGET = 2 FRAME (a sub-assembly: 2 PLATE + 4 BOLT, weld 15 min a frame) + 10 BOLT,
    assembly 30 min; the workcenter costs 48 an hour. Stock: 30 PLATE (5 reserved), 100 BOLT,
    3 FRAME."""
    wc = WorkcenterFactory(code="WELD", name="Welding", hourly_cost=Decimal(48))
    plate = ItemFactory(number="PLATE", name="Steel plate", standard_cost=Decimal("3.50"))
    bolt = ItemFactory(number="=BOLT", name="Bolt M6", standard_cost=Decimal("0.25"))
    frame = ItemFactory(number="FRAME", name="Welded frame")
    product = ItemFactory(number="WIDGET", name="Widget Pro")
    BOMFactory(
        product=frame, lines=[line(plate, 2), line(bolt, 4)], operations=[op(wc, 15, "Weld")]
    )
    bom = BOMFactory(
        product=product,
        lines=[line(frame, 2), line(bolt, 10)],
        operations=[op(wc, 30, "Assembly")],
        status="submitted",
    )
    receive(plate, 30)
    receive(bolt, 100)
    receive(frame, 3)
    stock_reserve(lines=[(plate, main_warehouse(), Decimal(5))], reference="hold", actor=None)
    return bom


def test_the_structure_of_250_shows_stock_and_shortage_per_line(widget):
    structure = bom_structure(bom=widget, quantity=Decimal(250), warehouse=main_warehouse())

    rows = [
        (r.level, r.number, r.quantity, r.on_hand, r.available, r.shortage, r.unit_cost, r.cost)
        for r in structure.rows
    ]
    assert rows == [
        # 500 frames at 20.00 (2 x 3.50 + 4 x 0.25 + 15 min welding at 48/h), rolled up
        (1, "FRAME", 500, 3, 3, 497, Decimal("20.0000"), Decimal("10000.0000")),
        (2, "PLATE", 1000, 30, 25, 975, Decimal("3.50"), Decimal("3500.0000")),
        (2, "=BOLT", 2000, 100, 100, 1900, Decimal("0.25"), Decimal("500.0000")),
        (1, "=BOLT", 2500, 100, 100, 2400, Decimal("0.25"), Decimal("625.0000")),
    ]
    assert [r.parent for r in structure.rows] == ["", "r0", "r0", ""]
    assert [r.has_children for r in structure.rows] == [True, False, False, False]
    # BOLT over the whole tree: 4500 needed, 100 there
    assert [(t.number, t.quantity, t.available, t.shortage) for t in structure.totals] == [
        ("PLATE", 1000, 25, 975),
        ("=BOLT", 4500, 100, 4400),
    ]
    cost = structure.cost
    assert (cost.materials, cost.operations) == (Decimal("4625.0000"), Decimal("12000.0000"))
    assert cost.per_unit == Decimal("66.5000")


def url(bom, **query) -> str:
    from urllib.parse import urlencode

    return f"/admin/manufacturing/bom/{bom.pk}/structure/?{urlencode(query)}"


def test_the_page_shows_the_tree_collapsible_with_totals(admin_client, widget):
    response = admin_client.get(url(widget, quantity="250"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="toggle"') == 1  # FRAME is the one sub-assembly
    assert re.search(r'<tr id="r1" data-parent="r0" class="level-2 short">', html)
    assert "bom-structure.js" in html and "bom-structure.css" in html
    assert "66.5000" in html and "4 lines short" in html
    assert f'href="?quantity=250&amp;warehouse={main_warehouse().pk}&amp;format=csv"' in html


def test_the_csv_holds_exactly_the_rows_shown_and_is_formula_safe(admin_client, widget):
    # Planning's lead time is a column of its own (the frame is made in 3 days, the rest keep
    # the default 0).
    frame = Item.objects.get(number="FRAME")
    planning.planning_parameters_set(item=frame, procurement="make", lead_time_days=3)
    response = admin_client.get(url(widget, quantity="250", format="csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="structure-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Level",
        "Component",
        "Name",
        "Quantity",
        "Unit",
        "On hand",
        "Available",
        "Shortage",
        "Lead time (days)",
        "Unit cost",
        "Extended cost",
    ]
    assert rows[1] == [
        "1",
        "FRAME",
        "Welded frame",
        "500",
        "EA",
        "3",
        "3",
        "497",
        "3",
        "20.0000",
        "10000.0000",
    ]
    assert rows[2][:8] == ["2", "PLATE", "Steel plate", "1000", "EA", "30", "25", "975"]
    assert rows[3][1] == "'=BOLT"  # a cell starting with = is written as text
    assert rows[2][8] == "0"
    assert ["Total", "", "", "", "", "", "", "", "", "", "16625.0000"] in rows
    assert ["", "'=BOLT", "Bolt M6", "4500", "EA", "", "100", "4400"] in rows


@pytest.mark.parametrize("quantity", ["abc", "-5", "0", "1e400", "1.1234567", "9" * 40, "NaN"])
def test_a_bad_quantity_is_a_form_error_not_a_500(admin_client, widget, quantity):
    response = admin_client.get(url(widget, quantity=quantity))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert 'id="structure-tree"' not in html


def test_a_bad_warehouse_or_bom_id_is_handled(admin_client, widget):
    response = admin_client.get(url(widget, quantity="5", warehouse="not-a-uuid"))
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()

    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert admin_client.get(f"/admin/manufacturing/bom/{bad}/structure/").status_code == 404
        path = f"/admin/manufacturing/bom/structure/item/{bad}/"
        assert admin_client.get(path).status_code == 404


def test_the_bom_and_item_pages_link_to_the_report(admin_client, widget):
    bom_page = admin_client.get(f"/admin/manufacturing/bom/{widget.pk}/change/").content.decode()
    assert f"/admin/manufacturing/bom/{widget.pk}/structure/" in bom_page

    item_page = admin_client.get(f"/admin/items/item/{widget.product.pk}/change/")
    link = f"/admin/manufacturing/bom/structure/item/{widget.product.pk}/"
    assert link in item_page.content.decode()
    response = admin_client.get(link + "?quantity=250")
    assert response.status_code == 302
    assert response["Location"] == url(widget, quantity="250")


def test_an_item_without_a_bom_goes_back_with_a_message(admin_client):
    item = ItemFactory(number="LONER")

    response = admin_client.get(f"/admin/manufacturing/bom/structure/item/{item.pk}/", follow=True)

    assert response.redirect_chain[-1][0] == f"/admin/items/item/{item.pk}/change/"
    assert "has no default BOM" in response.content.decode()


def test_the_report_needs_the_view_permission(widget, make_user):
    user = make_user()
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    assert client.get(url(widget, quantity="1")).status_code == 403


def test_the_report_costs_the_same_queries_whatever_the_tree(admin_client):
    counts = []
    for depth, fan_out in [(2, 1), (4, 3)]:
        _levels, boms = chain(depth, fan_out=fan_out)
        top = boms[0]
        admin_client.get(url(top, quantity="3"))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url(top, quantity="3"))
        assert response.status_code == 200
        assert response.content.decode().count('<tr id="r') == sum(
            fan_out**d for d in range(1, depth + 1)
        )
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts  # session, user, BOM, explosion (3), stock, lead times…
