"""Every detail read costs a small fixed number of queries on realistic data (the demo plant:
a 3-level BOM with a phantom kit, lot-tracked stock, orders in every status), token lookup
included. The list budgets, which must also stay flat as pages grow, live with each app."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Lot, StockMove, Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders.models import ProductionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    call_command("seed_demo", stdout=StringIO())


def widget_bom() -> BOM:
    return BOM.objects.get(product__number="WIDGET-PRO", is_default=True)


DETAILS = {
    "uom": (lambda: f"/api/uoms/{UnitOfMeasure.objects.get(symbol='kg').pk}", 2),
    "item": (lambda: f"/api/items/{Item.objects.get(number='WIDGET-PRO').pk}", 2),
    "where-used": (
        lambda: f"/api/items/{Item.objects.get(number='HW-BOLT-M10').pk}/where-used?levels=all",
        3,
    ),
    "warehouse": (lambda: f"/api/inventory/warehouses/{Warehouse.objects.get(code='WH').pk}", 2),
    "lot": (lambda: f"/api/inventory/lots/{Lot.objects.order_by('number').first().pk}", 2),
    "move": (
        lambda: f"/api/inventory/moves/{StockMove.objects.filter(lot__isnull=False).first().pk}",
        2,
    ),
    "workcenter": (lambda: f"/api/manufacturing/workcenters/{Workcenter.objects.first().pk}", 2),
    "bom": (lambda: f"/api/manufacturing/boms/{widget_bom().pk}", 4),
    # token + user, the BOM, the units, the tree's lines, its BOMs with their operations
    "explosion": (lambda: f"/api/manufacturing/boms/{widget_bom().pk}/explosion?levels=all", 5),
    "order": (
        lambda: f"/api/manufacturing/orders/{ProductionOrder.objects.get(status='in_progress').pk}",
        4,
    ),
}


@pytest.mark.parametrize("name", DETAILS)
def test_detail_reads_cost_a_fixed_small_number_of_queries(api, plant, name):
    path_of, budget = DETAILS[name]
    path = path_of()

    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path)

    assert response.status_code == 200, response.content
    assert len(ctx.captured_queries) <= budget, [q["sql"][:120] for q in ctx.captured_queries]
