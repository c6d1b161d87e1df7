"""The planner's engineering-change pages in the admin (issue 14): compare two versions, see
the impact on open orders, rebase them — from the BOM page and the order list."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from config.roles import roles_sync
from manufacturing.orders import services as order_services
from tests.manufacturing.orders_fixtures import make_order, reservations_of
from tests.manufacturing.test_order_rebase import plant  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def login(role: str) -> Client:
    roles_sync()
    user = get_user_model().objects.create_user(f"{role}-change", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def compare_url(bom) -> str:
    return f"/admin/manufacturing/bom/{bom.pk}/compare/"


def impact_url(bom) -> str:
    return f"/admin/manufacturing/bom/{bom.pk}/impact/"


def test_the_bom_page_links_to_compare_and_impact(plant):  # noqa: F811
    page = login("planner").get(f"/admin/manufacturing/bom/{plant.v2.pk}/change/").content.decode()

    assert compare_url(plant.v2) in page
    assert impact_url(plant.v2) in page


def test_compare_defaults_to_the_previous_version_and_marks_rows(plant):  # noqa: F811
    response = login("viewer").get(compare_url(plant.v2))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"to <strong>{plant.bom.number} v1</strong>" in page
    assert '<tr class="change-added"><td>added</td><td>PAINT' in page  # v2 → v1 adds paint
    assert '<tr class="change-removed"><td>removed</td><td>GLUE' in page
    assert '<tr class="change-changed"><td>changed</td><td>BOARD' in page
    assert "style=" not in page.split('id="content-main"')[1]  # CSP: no inline styles


def test_compare_with_a_chosen_version_and_levels(plant):  # noqa: F811
    page = (
        login("viewer")
        .get(compare_url(plant.bom), {"other": plant.v2.pk, "levels": "all"})
        .content.decode()
    )

    assert f"to <strong>{plant.v2.number} v2</strong>" in page
    assert "exploded to the leaves" in page


@pytest.mark.parametrize(
    "query", [{"other": "nope"}, {"other": str(uuid.uuid4())}, {"other": "", "levels": "9"}]
)
def test_compare_with_a_bad_choice_shows_the_form_error(plant, query):  # noqa: F811
    response = login("viewer").get(compare_url(plant.v2), query)

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("suffix", ["compare/", "impact/"])
@pytest.mark.parametrize("bom_id", ["nope", "01a24200-0000-7000-8000-000000000000", "1" * 300])
def test_unknown_or_malformed_bom_ids_are_404(bom_id, suffix):
    assert login("viewer").get(f"/admin/manufacturing/bom/{bom_id}/{suffix}").status_code == 404


def test_impact_lists_the_affected_orders_and_rebases_the_selected_ones(plant):  # noqa: F811
    confirmed = order_services.production_order_confirm(order=make_order(plant, "10"))
    running = order_services.production_order_produce(
        order=order_services.production_order_confirm(order=make_order(plant, "10")), qty=2
    )
    client = login("planner")

    page = client.get(impact_url(plant.v2)).content.decode()
    assert confirmed.reference in page and running.reference in page
    assert f'name="order" value="{confirmed.pk}"' in page
    assert f'name="order" value="{running.pk}"' not in page  # started: stays on its version
    assert "started: stays on its version" in page

    response = client.post(impact_url(plant.v2), {"order": [str(confirmed.pk), str(running.pk)]})
    assert response.status_code == 302
    confirmed.refresh_from_db()
    running.refresh_from_db()
    assert (confirmed.bom_id, running.bom_id) == (plant.v2.pk, plant.bom.pk)
    assert reservations_of(confirmed) == {"FRAME": 10, "BOARD": 30, "GLUE": 10}


def test_a_viewer_sees_the_impact_but_cannot_rebase(plant):  # noqa: F811
    order = order_services.production_order_confirm(order=make_order(plant, "10"))
    client = login("viewer")

    page = client.get(impact_url(plant.v2)).content.decode()
    assert order.reference in page and "_rebase" not in page
    assert client.post(impact_url(plant.v2), {"order": [str(order.pk)]}).status_code == 403
    order.refresh_from_db()
    assert order.bom_id == plant.bom.pk


def test_order_list_action_rebases_onto_the_latest_version(plant):  # noqa: F811
    ok = order_services.production_order_confirm(order=make_order(plant, "10"))
    too_big = order_services.production_order_confirm(order=make_order(plant, "100"))

    response = login("planner").post(
        "/admin/manufacturing/productionorder/",
        {"action": "rebase_selected", "_selected_action": [ok.pk, too_big.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Rebased 1 order(s)." in page
    assert f"{too_big.reference}: Not enough available stock" in page
    ok.refresh_from_db()
    too_big.refresh_from_db()
    assert (ok.bom_id, too_big.bom_id) == (plant.v2.pk, plant.bom.pk)


def test_the_rebase_action_is_offered_to_planners_only(plant):  # noqa: F811
    make_order(plant, "10")
    planner = login("planner").get("/admin/manufacturing/productionorder/").content.decode()
    operator = login("operator").get("/admin/manufacturing/productionorder/").content.decode()

    assert "rebase_selected" in planner
    assert "rebase_selected" not in operator
