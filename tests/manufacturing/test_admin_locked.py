"""Locked means read-only on screen: a submitted or cancelled BOM, a closed or cancelled
production order and a done work order render without line inputs; the actions that still apply
are buttons that call the services."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.services import bom_cancel
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus, WorkOrder, WorkOrderStatus
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def page_of(client, bom) -> str:
    response = client.get(f"/admin/manufacturing/bom/{bom.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def inputs_named(html: str, prefix: str) -> list[str]:
    return re.findall(rf'<(?:input|select|textarea)[^>]*name="({prefix}[^"]*)"', html)


def buttons(html: str) -> list[str]:
    return re.findall(r'<button[^>]*name="verb" value="([^"]+)"', html)


def make_bom(status: str) -> BOM:
    workcenter = WorkcenterFactory(code="LINE-A", name="Line A")
    bolt = ItemFactory(number="BOLT", name="Bolt M6")
    bom = BOMFactory(
        product=ItemFactory(number="WIDGET"),
        lines=[line(bolt, "4")],
        operations=[op(workcenter, "30", "Assembly")],
        status="draft" if status == "draft" else "submitted",
    )
    if status == "cancelled":
        bom = bom_cancel(bom=bom, actor=None)
    return bom


def test_a_submitted_bom_shows_lines_as_a_table_with_no_inputs(admin_client):
    bom = make_bom("submitted")

    html = page_of(admin_client, bom)

    assert inputs_named(html, "components-") == []
    assert inputs_named(html, "operations-") == []
    assert "Add another" not in html
    assert 'class="related-widget-wrapper-link' not in html  # no add / change / delete icons
    components = html.split('id="bom-locked-components"')[1].split("</fieldset>")[0]
    assert "BOLT · Bolt M6" in components and ">4<" in components
    operations = html.split('id="bom-locked-operations"')[1].split("</fieldset>")[0]
    assert "Assembly" in operations and "LINE-A · Line A" in operations
    # the header fields that may still change stay inputs; the locked ones do not
    for name in ("number", "name", "description", "is_default"):
        assert f'name="{name}"' in html, name
    for name in ("product", "quantity", "uom", "type"):
        assert f'name="{name}"' not in html, name
    assert bom.is_default  # the product's first BOM
    assert buttons(html) == ["copy", "cancel", "archive"]


def test_a_cancelled_bom_is_read_only_and_offers_copy_and_archive(admin_client):
    bom = make_bom("cancelled")

    html = page_of(admin_client, bom)

    assert inputs_named(html, "components-") == []
    assert inputs_named(html, "operations-") == []
    assert buttons(html) == ["copy", "archive"]


def test_a_draft_bom_keeps_its_inline_forms_and_a_submit_button(admin_client):
    bom = make_bom("draft")

    html = page_of(admin_client, bom)

    assert "components-0-item" in inputs_named(html, "components-")
    assert "operations-0-name" in inputs_named(html, "operations-")
    assert buttons(html)[:2] == ["submit", "copy"]


def test_saving_a_locked_bom_changes_its_name_and_keeps_its_lines(admin_client):
    bom = make_bom("submitted")
    lines_before = list(bom.components.values_list("id", "item_id", "quantity"))

    response = admin_client.post(
        f"/admin/manufacturing/bom/{bom.pk}/change/",
        {"number": bom.number, "name": "Renamed", "description": "", "is_default": "on"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    bom.refresh_from_db()
    assert bom.name == "Renamed" and bom.status == BOMStatus.SUBMITTED
    assert list(bom.components.values_list("id", "item_id", "quantity")) == lines_before


def test_lines_posted_to_a_bom_submitted_meanwhile_are_refused_on_the_form(admin_client):
    bom = make_bom("submitted")
    other = ItemFactory(number="NUT")

    response = admin_client.post(
        f"/admin/manufacturing/bom/{bom.pk}/change/",
        {
            "number": bom.number,
            "name": bom.name,
            "is_default": "on",
            "quantity": "99",
            "components-TOTAL_FORMS": "1",
            "components-INITIAL_FORMS": "0",
            "components-0-item": str(other.pk),
            "components-0-quantity": "5",
        },
    )

    assert response.status_code == 200
    assert "bom_locked" in response.content.decode()
    bom.refresh_from_db()
    assert bom.quantity == Decimal(1) and bom.version == 1
    assert list(bom.components.values_list("item__number", flat=True)) == ["BOLT"]


def test_the_copy_button_makes_a_new_draft_and_opens_it(admin_client):
    bom = make_bom("submitted")

    response = admin_client.post(f"/admin/manufacturing/bom/{bom.pk}/do/copy/")

    copy = BOM.objects.exclude(pk=bom.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/manufacturing/bom/{copy.pk}/change/"
    assert copy.status == BOMStatus.DRAFT and copy.version == 2
    assert list(copy.components.values_list("item__number", flat=True)) == ["BOLT"]


def test_the_cancel_button_cancels_and_a_refusal_is_a_message(admin_client):
    bom = make_bom("submitted")

    admin_client.post(f"/admin/manufacturing/bom/{bom.pk}/do/cancel/")
    bom.refresh_from_db()
    assert bom.status == BOMStatus.CANCELLED

    response = admin_client.post(f"/admin/manufacturing/bom/{bom.pk}/do/cancel/", follow=True)
    assert response.status_code == 200
    assert "only a submitted BOM can be cancelled" in response.content.decode()
    bom.refresh_from_db()
    assert bom.status == BOMStatus.CANCELLED


@pytest.mark.parametrize(
    "path",
    ["not-a-uuid/do/copy/", "00000000-0000-0000-0000-000000000000/do/copy/", "{pk}/do/explode/"],
)
def test_a_button_url_with_a_bad_id_or_verb_is_a_404(admin_client, path):
    bom = make_bom("submitted")

    response = admin_client.post("/admin/manufacturing/bom/" + path.format(pk=bom.pk))

    assert response.status_code == 404
    assert BOM.objects.count() == 1


def test_a_button_is_post_only_and_needs_its_permission(admin_client, make_user):
    bom = make_bom("submitted")
    assert admin_client.get(f"/admin/manufacturing/bom/{bom.pk}/do/copy/").status_code == 405

    user = make_user("manufacturing.view_bom", "manufacturing.change_bom")
    user.is_staff = True
    user.save()
    viewer = Client()
    viewer.force_login(user)
    assert buttons(page_of(viewer, bom)) == []
    response = viewer.post(f"/admin/manufacturing/bom/{bom.pk}/do/copy/")
    assert response.status_code == 403
    assert BOM.objects.count() == 1


def order_page(client, order) -> str:
    response = client.get(f"/admin/manufacturing/productionorder/{order.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def form_inputs(html: str, form_id: str = "productionorder_form") -> list[str]:
    """Every field a person can type into or pick in the change form (the inlines' hidden
    management inputs are not fields)."""
    form = html.split(f'id="{form_id}"')[1].split("</form>")[0]
    return re.findall(r'<(?:input(?![^>]*type="hidden")|select|textarea)[^>]*name="([^"]+)"', form)


@pytest.mark.parametrize("end", ["close", "cancel"])
def test_a_closed_or_cancelled_order_has_no_inputs_and_no_save(admin_client, end):
    plant = make_plant()
    order = make_order(plant, "10")
    order_services.production_order_confirm(order=order, actor=None)
    if end == "close":
        order_services.production_order_produce(order=order, qty=Decimal(10), actor=None)
        order_services.production_order_close(order=order, actor=None)
    else:
        order_services.production_order_cancel(order=order, actor=None)
    order.refresh_from_db()
    assert order.status in (OrderStatus.DONE, OrderStatus.CANCELLED)

    html = order_page(admin_client, order)

    assert form_inputs(html) == []
    assert 'name="_save"' not in html
    assert "FRAME · " in html  # the requirement rows, titled by their item


def test_a_draft_order_stays_editable(admin_client):
    order = make_order(make_plant(), "10")

    html = order_page(admin_client, order)

    assert "quantity" in form_inputs(html)
    assert 'name="_save"' in html


def test_a_done_work_order_has_no_inputs(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    order_services.production_order_confirm(order=order, actor=None)
    work_order = WorkOrder.objects.get(order=order)
    order_services.work_order_start(order=order, work_order_id=work_order.pk, actor=None)
    order_services.work_order_done(
        order=order, work_order_id=work_order.pk, duration_minutes=Decimal(30), actor=None
    )
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.DONE

    response = admin_client.get(f"/admin/manufacturing/workorder/{work_order.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert form_inputs(html, "workorder_form") == []
    assert 'name="_save"' not in html


def test_an_order_page_speaks_the_planners_words(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    order_services.production_order_confirm(order=order, actor=None)

    html = order_page(admin_client, order)

    labels = {label.strip() for label in re.findall(r"<label[^>]*>([^<]+)</label>", html)}
    assert {"BOM:", "Produced:", "Multi-level:"} <= labels, labels
    assert "Bom:" not in html and "Produced qty" not in html and "Multi level" not in html
    assert f"{order.reference}-01 · Assembly" in html  # the work order row's title
