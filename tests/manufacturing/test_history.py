"""Who changed what, and when: BOMs (with their lines and operations), production orders and
items, through the API, the admin and the import command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from items.models import Item
from tests.conftest import client_for
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import WorkcenterFactory
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
BOMS = "/api/manufacturing/boms"


def test_bom_history_records_who_changed_the_header_and_the_lines(make_user):
    alice = client_for(make_user(superuser=True, username="alice"))
    bob = client_for(make_user(superuser=True, username="bob"))
    product, frame, board = (
        ItemFactory(number="P"),
        ItemFactory(number="F"),
        ItemFactory(number="B"),
    )
    WorkcenterFactory(name="Line A")
    created = alice.post(
        BOMS,
        {
            "name": "Original",
            "productId": str(product.pk),
            "components": [{"productId": str(frame.pk), "quantity": 1}],
            "operations": [{"name": "Assembly", "workcenter": "Line A", "durationMinutes": 30}],
        },
    )
    bom_id = created.json()["id"]
    assert bob.patch(f"{BOMS}/{bom_id}", {"name": "Renamed"}).status_code == 200
    synced = bob.put(
        f"{BOMS}/{bom_id}/components",
        {
            "components": [
                {"productId": str(frame.pk), "quantity": 2},
                {"productId": str(board.pk), "quantity": 4},
            ]
        },
    )
    assert synced.status_code == 200, synced.content

    response = alice.get(f"{BOMS}/{bom_id}/history?limit=50")

    assert response.status_code == 200
    entries = response.json()["data"]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
    by_bob = [e for e in entries if e["user"] == "bob"]
    renamed = next(e for e in by_bob if e["entity"] == "bom" and "name" in e["fields"])
    assert renamed["change"] == "changed"
    assert renamed["fields"]["name"] == ["Original", "Renamed"]
    frame_change = next(e for e in by_bob if e["entity"] == "component" and e["label"] == "F")
    assert frame_change["change"] == "changed"
    assert frame_change["fields"]["quantity"] == [1, 2]
    board_added = next(e for e in by_bob if e["entity"] == "component" and e["label"] == "B")
    assert board_added["change"] == "created"
    by_alice = {(e["entity"], e["change"]) for e in entries if e["user"] == "alice"}
    assert {("bom", "created"), ("component", "created"), ("operation", "created")} <= by_alice


def test_bom_history_of_unknown_bom_is_404(api):
    assert api.get(f"{BOMS}/018eeeee-abcd-7000-8000-000000000001/history").status_code == 404


def test_order_history_shows_each_transition_with_its_user(make_user):
    planner = client_for(make_user(superuser=True, username="planner1"))
    plant = make_plant()
    order = make_order(plant, "10")
    planner.patch(f"/api/manufacturing/orders/{order.pk}", {"priority": "high"})
    planner.post(f"/api/manufacturing/orders/{order.pk}/confirm")

    entries = planner.get(f"/api/manufacturing/orders/{order.pk}/history").json()["data"]

    assert entries[0]["fields"]["status"] == ["draft", "confirmed"]
    assert entries[0]["user"] == "planner1"
    assert entries[1]["fields"]["priority"] == ["normal", "high"]
    assert entries[-1]["change"] == "created"
    assert entries[-1]["user"] is None  # created by a service call without a user


def test_order_history_query_count_is_flat(api, django_assert_max_num_queries):
    plant = make_plant()
    order = make_order(plant, "10")
    for priority in ["high", "low", "critical", "normal"] * 5:
        api.patch(f"/api/manufacturing/orders/{order.pk}", {"priority": priority})

    with django_assert_max_num_queries(5):
        body = api.get(f"/api/manufacturing/orders/{order.pk}/history?limit=50").json()

    assert body["meta"]["total"] == 21


def test_item_changes_in_the_admin_record_the_admin_user(make_user):
    editor = make_user(superuser=True, username="editor")
    client = Client()
    client.force_login(editor)
    item = ItemFactory(number="ADM-1", name="Before")

    response = client.post(
        f"/admin/items/item/{item.pk}/change/",
        {
            "number": "ADM-1",
            "name": "After",
            "description": "",
            "type": "stockable",
            "uom": item.uom_id,
            "tracking": "none",
            "standard_cost": "1",
        },
    )

    assert response.status_code == 302
    latest = Item.history.filter(id=item.pk).order_by("-history_date").first()
    assert (latest.name, latest.history_user.username) == ("After", "editor")
    page = client.get(f"/admin/items/item/{item.pk}/history/").content.decode()
    assert "editor" in page


def test_import_command_records_the_given_user(make_user, tmp_path):
    make_user(username="importer")
    ItemFactory(number="IMP-P")
    ItemFactory(number="IMP-C")
    csv_file = tmp_path / "boms.csv"
    csv_file.write_text(
        "bom_number,product_number,component_number,quantity\nBOM-IMP-1,IMP-P,IMP-C,2\n"
    )

    call_command(
        "import_boms", str(csv_file), "--user", "importer", stdout=StringIO(), stderr=StringIO()
    )

    from manufacturing.boms.models import BOM

    bom = BOM.objects.get(number="BOM-IMP-1")
    assert bom.history.earliest("history_date").history_user.username == "importer"
