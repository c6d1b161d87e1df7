"""The planners' admin, through the Django test client: the same rules as the API, as form
errors, never a 500."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from manufacturing.boms.models import BOM, BOMStatus, Workcenter
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, chain, line, op

pytestmark = pytest.mark.django_db
ADD = "/admin/manufacturing/bom/add/"
LIST = "/admin/manufacturing/bom/"


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(*, product, components, operations=(), bom=None, **header):
    """The POST of the BOM page: header fields plus the two inline formsets. `components` and
    `operations` are dicts; an `id` marks an existing line, `DELETE` removes it."""
    data = {
        "number": header.get("number", bom.number if bom else ""),
        "name": header.get("name", bom.name if bom else ""),
        "description": header.get("description", ""),
        "product": product.pk,
        "quantity": header.get("quantity", "1"),
        "uom": header.get("uom", ""),
        "type": header.get("type", "manufacture"),
    }
    if header.get("is_default"):
        data["is_default"] = "on"
    for prefix, rows in (("components", components), ("operations", operations)):
        initial = sum(1 for row in rows if row.get("id"))
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, row in enumerate(rows):
            for key, value in row.items():
                if key == "DELETE":
                    if value:
                        data[f"{prefix}-{index}-DELETE"] = "on"
                    continue
                data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
            if bom is not None:
                data[f"{prefix}-{index}-bom"] = str(bom.pk)
    return data


def comp(item, quantity="1", uom="", scrap="0", id=None, DELETE=False):
    row = {"item": item.pk, "quantity": quantity, "uom": uom, "scrap_percent": scrap}
    if id:
        row["id"] = id
    row["DELETE"] = DELETE
    return row


def oper(workcenter, minutes="10", name="Assembly", sequence=""):
    return {
        "sequence": sequence,
        "name": name,
        "workcenter": workcenter.pk,
        "duration_minutes": minutes,
    }


def test_add_bom_with_lines_goes_through_the_services(admin_client, admin_user):
    product, frame, paint = ItemFactory(), ItemFactory(), ItemFactory(uom=unit("L"))
    wc = WorkcenterFactory()

    response = admin_client.post(
        ADD,
        form_data(
            product=product,
            name="Standard",
            components=[comp(frame, "2"), comp(paint, "250", uom=unit("mL").pk, scrap="5")],
            operations=[oper(wc, "30")],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    bom = BOM.objects.get(product=product)
    assert bom.number == "BOM-000001" and bom.name == "Standard" and bom.is_default
    assert bom.uom == product.uom
    assert [(c.item, c.quantity, c.uom.symbol) for c in bom.components.order_by("position")] == [
        (frame, 2, "EA"),
        (paint, 250, "mL"),
    ]
    assert bom.operations.get().sequence == 10
    assert len(bom.content_hash) == 64
    assert bom.history.get().history_user == admin_user
    assert response["Location"] == LIST


def test_circular_line_is_a_form_error_and_nothing_is_saved(admin_client):
    a, b = ItemFactory(number="A"), ItemFactory(number="B")
    BOMFactory(product=b, lines=[line(a)])

    response = admin_client.post(ADD, form_data(product=a, components=[comp(b)]))

    assert response.status_code == 200
    # The service's `components[0].product_id` lands on that inline row's item field.
    components = response.context["inline_admin_formsets"][0].formset
    assert components.prefix == "components"
    assert any("A → B → A" in m for m in components.forms[0].errors["item"])
    page = response.content.decode()
    assert "circular_reference" in page and "A → B → A" in page
    assert not BOM.objects.filter(product=a).exists()


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_cycles_at_depth_are_form_errors(admin_client, depth):
    levels, _ = chain(depth)
    bottom_bom = BOMFactory(product=levels[depth][0], lines=[line(ItemFactory())])
    existing = bottom_bom.components.get()

    response = admin_client.post(
        f"{LIST}{bottom_bom.pk}/change/",
        form_data(
            product=bottom_bom.product,
            bom=bottom_bom,
            components=[comp(existing.item, id=existing.pk), comp(levels[0][0])],
        ),
    )

    assert response.status_code == 200
    assert "circular_reference" in response.content.decode()
    assert bottom_bom.components.count() == 1


def test_duplicate_component_is_a_form_error(admin_client):
    product, part = ItemFactory(), ItemFactory()

    response = admin_client.post(
        ADD, form_data(product=product, components=[comp(part), comp(part, "2")])
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not BOM.objects.exists()


def test_unit_mismatch_and_zero_quantity_are_form_errors(admin_client):
    product, part = ItemFactory(), ItemFactory()

    mismatch = admin_client.post(
        ADD, form_data(product=product, components=[comp(part, uom=unit("kg").pk)])
    )
    zero = admin_client.post(ADD, form_data(product=product, components=[comp(part, "0")]))
    empty = admin_client.post(ADD, form_data(product=product, components=[]))

    assert mismatch.status_code == zero.status_code == empty.status_code == 200
    assert "uom_mismatch" in mismatch.content.decode()
    assert "errorlist" in zero.content.decode()
    assert "at least one component" in empty.content.decode().lower()
    assert not BOM.objects.exists()


def test_change_syncs_lines_through_the_service(admin_client):
    wc = WorkcenterFactory()
    keep, drop, new = ItemFactory(), ItemFactory(), ItemFactory()
    bom = BOMFactory(lines=[line(keep), line(drop)], operations=[op(wc, 5)])
    keep_line = bom.components.get(item=keep)
    drop_line = bom.components.get(item=drop)
    operation = bom.operations.get()

    response = admin_client.post(
        f"{LIST}{bom.pk}/change/",
        form_data(
            product=bom.product,
            bom=bom,
            name="Renamed",
            components=[
                comp(keep, "3", id=keep_line.pk),
                comp(drop, "1", id=drop_line.pk, DELETE=True),
                comp(new, "7"),
            ],
            operations=[
                {**oper(wc, "8", sequence="10"), "id": operation.pk},
            ],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    bom.refresh_from_db()
    assert bom.name == "Renamed"
    assert {(c.item, c.quantity) for c in bom.components.all()} == {(keep, 3), (new, 7)}
    assert bom.components.get(item=keep).pk == keep_line.pk
    assert bom.operations.get().duration_minutes == 8
    from manufacturing.boms.services import bom_content_hash

    assert bom.content_hash == bom_content_hash(bom=bom)


def test_locked_bom_refuses_line_changes_on_the_form(admin_client):
    part = ItemFactory()
    bom = BOMFactory(lines=[line(part)])
    BOM.objects.filter(pk=bom.pk).update(status=BOMStatus.SUBMITTED)
    existing = bom.components.get()

    response = admin_client.post(
        f"{LIST}{bom.pk}/change/",
        form_data(product=bom.product, bom=bom, components=[comp(part, "9", id=existing.pk)]),
    )

    assert response.status_code == 200
    assert "bom_locked" in response.content.decode()
    assert bom.components.get().quantity == 1


def tree_indent(page: str, number: str) -> int:
    """How many 1em spacers stand before `number` in the exploded tree (its depth)."""
    match = re.search(r'((?:<span class="indent"></span>)+)[▾·] ' + re.escape(number) + " ", page)
    assert match, number
    return match[1].count("indent")


def test_change_page_shows_the_exploded_tree_with_costs_and_changes(admin_client):
    wc = WorkcenterFactory(hourly_cost=60)
    leaf = ItemFactory(number="LEAF-1", standard_cost="2.5")
    sub = ItemFactory(number="SUB-1")
    BOMFactory(product=sub, lines=[line(leaf, 4)])
    bom = BOMFactory(lines=[line(sub, 2)], operations=[op(wc, 30)])

    page = admin_client.get(f"{LIST}{bom.pk}/change/").content.decode()

    assert 'id="bom-explosion"' in page
    assert "SUB-1" in page and "LEAF-1" in page
    assert tree_indent(page, "SUB-1") == 1
    assert tree_indent(page, "LEAF-1") == 2  # indented one level below SUB-1
    assert "20.0000" in page  # 8 x 2.5 materials
    assert "50.0000" in page  # + 30 min at 60/h = 50 total
    assert 'id="bom-changes"' in page


def test_changelist_search_filters_and_item_links(admin_client):
    wheel = ItemFactory(number="WHEEL")
    bike = ItemFactory(number="BIKE", name="Bicycle")
    BOMFactory(product=bike, lines=[line(wheel, 2)], number="BOM-BIKE")
    other = BOMFactory(number="BOM-OTHER", type="phantom")

    def numbers(query):
        response = admin_client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        page = response.content.decode()
        return {n for n in ("BOM-BIKE", "BOM-OTHER") if n in page}

    assert numbers("q=bicycle") == {"BOM-BIKE"}
    assert numbers("type__exact=phantom") == {"BOM-OTHER"}
    assert numbers("status__exact=draft") == {"BOM-BIKE", "BOM-OTHER"}
    assert numbers(f"product__id__exact={bike.pk}") == {"BOM-BIKE"}
    assert numbers(f"components__item__id__exact={wheel.pk}") == {"BOM-BIKE"}
    item_page = admin_client.get(f"/admin/items/item/{wheel.pk}/change/").content.decode()
    assert f"?components__item__id__exact={wheel.pk}" in item_page
    other.delete()
    assert numbers("archived=yes") == {"BOM-OTHER"}


def test_actions_submit_copy_archive_restore(admin_client):
    bom = BOMFactory()

    admin_client.post(LIST, {"action": "submit_selected", "_selected_action": [bom.pk]})
    assert BOM.objects.get(pk=bom.pk).status == BOMStatus.SUBMITTED

    admin_client.post(LIST, {"action": "copy_selected", "_selected_action": [bom.pk]})
    copy = BOM.objects.exclude(pk=bom.pk).get(product=bom.product)
    assert (copy.version, copy.status) == (2, BOMStatus.DRAFT)

    admin_client.post(LIST, {"action": "archive_selected", "_selected_action": [bom.pk]})
    assert BOM.all_objects.get(pk=bom.pk).deleted_at is not None

    admin_client.post(
        f"{LIST}?archived=yes", {"action": "restore_selected", "_selected_action": [bom.pk]}
    )
    assert BOM.objects.filter(pk=bom.pk).exists()


def test_refused_action_is_a_message_not_a_500(admin_client):
    bom = BOMFactory()

    response = admin_client.post(
        LIST, {"action": "cancel_selected", "_selected_action": [bom.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "only a submitted BOM can be cancelled" in response.content.decode()


def test_history_page_lists_who_changed_the_bom(admin_client, admin_user):
    bom = BOMFactory(actor=admin_user)

    page = admin_client.get(f"{LIST}{bom.pk}/history/")

    assert page.status_code == 200
    assert "boss" in page.content.decode()


def test_planner_builds_versions_and_explodes_a_three_level_bom_in_the_admin(admin_client):
    wc = WorkcenterFactory()
    screw, plate, board = ItemFactory(number="SCREW"), ItemFactory(number="PLATE"), ItemFactory()
    frame, top = ItemFactory(number="FRAME"), ItemFactory(number="TOP")
    controller = ItemFactory(number="CTRL")
    for product, rows in (
        (controller, [comp(board), comp(screw, "2")]),
        (frame, [comp(plate), comp(controller)]),
        (top, [comp(frame), comp(screw, "4")]),
    ):
        response = admin_client.post(
            ADD, form_data(product=product, components=rows, operations=[oper(wc)])
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    top_bom = BOM.objects.get(product=top)
    admin_client.post(LIST, {"action": "submit_selected", "_selected_action": [top_bom.pk]})
    admin_client.post(LIST, {"action": "copy_selected", "_selected_action": [top_bom.pk]})

    page = admin_client.get(f"{LIST}{top_bom.pk}/change/").content.decode()

    assert BOM.objects.filter(product=top).count() == 2
    assert tree_indent(page, "FRAME") == 1
    assert tree_indent(page, "CTRL") == 2
    assert tree_indent(page, board.number) == 3  # CTRL's parts, three levels down
    assert "CTRL" in page and "SCREW" in page


def test_workcenter_admin_add_and_duplicate(admin_client):
    response = admin_client.post(
        "/admin/manufacturing/workcenter/add/",
        {"code": "LINE-A", "name": "Line A", "hourly_cost": "60"},
    )
    assert response.status_code == 302
    duplicate = admin_client.post(
        "/admin/manufacturing/workcenter/add/",
        {"code": "LINE-A", "name": "Line B", "hourly_cost": "60"},
    )
    assert duplicate.status_code == 200
    assert Workcenter.objects.count() == 1
    assert admin_client.get("/admin/manufacturing/workcenter/?q=line").status_code == 200


def test_autocomplete_endpoints_serve_items_and_workcenters(admin_client):
    ItemFactory(number="BOLT-X")
    WorkcenterFactory(name="Paint Shop")

    items = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "bolt",
            "app_label": "manufacturing",
            "model_name": "bomcomponent",
            "field_name": "item",
        },
    )
    workcenters = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "paint",
            "app_label": "manufacturing",
            "model_name": "bomoperation",
            "field_name": "workcenter",
        },
    )

    assert items.status_code == 200 and "BOLT-X" in items.content.decode()
    assert workcenters.status_code == 200 and "Paint Shop" in workcenters.content.decode()


def test_the_page_of_a_submitted_bom_says_it_is_locked_and_a_draft_does_not(admin_client):
    draft = BOMFactory(lines=[line(ItemFactory())])
    submitted = BOMFactory(lines=[line(ItemFactory())])
    BOM.objects.filter(pk=submitted.pk).update(status=BOMStatus.SUBMITTED)

    locked_page = admin_client.get(f"{LIST}{submitted.pk}/change/").content.decode()
    draft_page = admin_client.get(f"{LIST}{draft.pk}/change/").content.decode()

    assert 'id="bom-locked-note"' in locked_page
    assert "This BOM is submitted" in locked_page
    assert 'id="bom-locked-note"' not in draft_page


def test_a_save_that_redirects_does_not_explode_the_bom_or_read_its_history(admin_client):
    parts = [ItemFactory() for _ in range(3)]
    bom = BOMFactory(lines=[line(part) for part in parts])
    lines = list(bom.components.order_by("position"))

    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.post(
            f"{LIST}{bom.pk}/change/",
            form_data(
                product=bom.product,
                bom=bom,
                name="Renamed",
                components=[comp(c.item, "2", id=c.pk) for c in lines],
            ),
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    reads = [
        q["sql"].upper() for q in ctx.captured_queries if q["sql"].upper().startswith("SELECT")
    ]
    assert not any("RECURSIVE" in sql for sql in reads)  # the explosion's tree query
    assert not any("HISTORICAL" in sql for sql in reads)  # the change log


def test_a_line_refusal_lands_on_the_row_that_became_that_line(admin_client):
    """The service's `components[1]` is the second line it was given: with a deleted row in
    between, that is the third row of the form."""
    part, other, new = ItemFactory(), ItemFactory(), ItemFactory()
    bom = BOMFactory(lines=[line(part), line(other)])
    kept, removed = bom.components.order_by("position")

    response = admin_client.post(
        f"{LIST}{bom.pk}/change/",
        form_data(
            product=bom.product,
            bom=bom,
            components=[
                comp(part, id=kept.pk),
                comp(other, id=removed.pk, DELETE=True),
                comp(new, uom=unit("kg").pk),
            ],
        ),
    )

    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert not rows[0].errors and not rows[1].errors
    assert [m.endswith("(uom_mismatch)") for m in rows[2].errors["uom"]] == [True]
    assert list(bom.components.order_by("position").values_list("item", flat=True)) == [
        part.pk,
        other.pk,
    ]
