import pytest
from django.test import Client

from items.models import Item
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_item_changelist_search_and_archived_filter(admin_client):
    ItemFactory(number="BOLT-1", name="Bolt")
    gone = ItemFactory(number="OLD-1", name="Old bolt")
    gone.delete()

    page = admin_client.get("/admin/items/item/?q=bolt").content.decode()
    assert "BOLT-1" in page and "OLD-1" not in page

    archived = admin_client.get("/admin/items/item/?archived=yes").content.decode()
    assert "OLD-1" in archived and "BOLT-1" not in archived


def test_admin_add_item_goes_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/items/item/add/",
        {
            "number": "NEW-1",
            "name": "New",
            "description": "",
            "type": "stockable",
            "uom": unit("kg").pk,
            "tracking": "none",
            "standard_cost": "2.5",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Item.objects.get(number="NEW-1").uom.symbol == "kg"


def test_admin_duplicate_number_is_a_form_error(admin_client):
    ItemFactory(number="DUP")

    response = admin_client.post(
        "/admin/items/item/add/",
        {
            "number": "DUP",
            "name": "x",
            "type": "stockable",
            "uom": unit("EA").pk,
            "tracking": "none",
            "standard_cost": "0",
        },
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Item.objects.filter(number="DUP").count() == 1


def test_admin_service_refusal_is_a_form_error_not_500(admin_client):
    response = admin_client.post(
        "/admin/items/item/add/",
        {
            "number": "SVC",
            "name": "x",
            "type": "service",
            "uom": unit("h").pk,
            "tracking": "lot",
            "standard_cost": "0",
        },
    )

    assert response.status_code == 200
    assert "A service cannot be lot-tracked." in response.content.decode()
    assert not Item.objects.filter(number="SVC").exists()


def test_admin_delete_archives_and_restore_action(admin_client):
    item = ItemFactory()

    admin_client.post(f"/admin/items/item/{item.pk}/delete/", {"post": "yes"})
    assert Item.all_objects.get(pk=item.pk).deleted_at is not None

    admin_client.post(
        "/admin/items/item/?archived=yes",
        {"action": "restore_selected", "_selected_action": [item.pk]},
    )
    assert Item.objects.filter(pk=item.pk).exists()


def test_unit_changelist(admin_client):
    assert "kg" in admin_client.get("/admin/items/unitofmeasure/").content.decode()
