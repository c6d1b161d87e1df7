"""`/api/manufacturing/boms`: every endpoint and error of API.md's "Bills of materials"."""

from decimal import Decimal

import pytest

from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, BOMStatus
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

pytestmark = pytest.mark.django_db
URL = "/api/manufacturing/boms"


@pytest.fixture
def widget():
    return {
        "product": ItemFactory(number="WIDGET-PRO", name="ECOSIRE Widget Pro", uom=unit("units")),
        "frame": ItemFactory(number="FRAME", name="Frame", uom=unit("units")),
        "board": ItemFactory(number="PCB", name="Circuit Board", uom=unit("units")),
        "line_a": WorkcenterFactory(code="LINE-A", name="Line A"),
    }


def seed_body(widget, **overrides):
    """Seed 000's "Create a BOM" body, as written there, with ids of real records."""
    body = {
        "name": "Widget Pro v3 — Standard BOM",
        "productId": str(widget["product"].pk),
        "quantity": 1,
        "uom": "units",
        "type": "manufacture",
        "components": [
            {"productId": str(widget["frame"].pk), "quantity": 1, "uom": "units"},
            {"productId": str(widget["board"].pk), "quantity": 2, "uom": "units"},
        ],
        "operations": [{"name": "Assembly", "workcenter": "Line A", "durationMinutes": 35}],
    }
    body.update(overrides)
    return body


# --- seed 000 -------------------------------------------------------------------------------


def test_seed_create_example_works_as_written(api, widget):
    response = api.post(URL, seed_body(widget))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Widget Pro v3 — Standard BOM"
    assert body["number"] == "BOM-000001"
    assert body["product"] == {
        "id": str(widget["product"].pk),
        "number": "WIDGET-PRO",
        "name": "ECOSIRE Widget Pro",
    }
    assert body["quantity"] == 1
    assert body["uom"] == "units"
    assert body["type"] == "manufacture"
    assert body["status"] == "draft"
    assert body["isActive"] is True
    assert body["isDefault"] is True  # the product's first BOM
    assert body["version"] == 1
    assert body["componentCount"] == 2
    assert len(body["contentHash"]) == 64
    assert [(c["productId"], c["name"], c["quantity"], c["uom"]) for c in body["components"]] == [
        (str(widget["frame"].pk), "Frame", 1, "units"),
        (str(widget["board"].pk), "Circuit Board", 2, "units"),
    ]
    assert body["components"][0]["number"] == "FRAME"
    assert body["components"][0]["scrapPercent"] == 0
    [operation] = body["operations"]
    assert operation["name"] == "Assembly"
    assert operation["workcenter"] == "Line A"
    assert operation["workcenterId"] == str(widget["line_a"].pk)
    assert operation["durationMinutes"] == 35
    assert operation["sequence"] == 10
    assert body["createdAt"].endswith("Z") and body["updatedAt"].endswith("Z")
    bom = BOM.objects.get(pk=body["id"])
    assert bom.components.count() == 2 and bom.operations.count() == 1


def test_seed_list_example_filters_by_product(api, widget):
    api.post(URL, seed_body(widget))
    BOMFactory()  # another product's BOM

    response = api.get(f"{URL}?productId={widget['product'].pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"total": 1, "page": 1, "limit": 20, "totalPages": 1}
    [row] = body["data"]
    assert row["product"]["name"] == "ECOSIRE Widget Pro"
    assert row["quantity"] == 1 and row["uom"] == "units" and row["type"] == "manufacture"
    assert [(c["name"], c["quantity"], c["uom"]) for c in row["components"]] == [
        ("Frame", 1, "units"),
        ("Circuit Board", 2, "units"),
    ]
    assert row["operations"][0]["workcenter"] == "Line A"
    assert row["operations"][0]["durationMinutes"] == 35


def test_seed_get_and_patch_and_delete(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]

    assert api.get(f"{URL}/{bom_id}").json()["id"] == bom_id
    patched = api.patch(f"{URL}/{bom_id}", {"name": "Renamed"})
    assert patched.status_code == 200 and patched.json()["name"] == "Renamed"
    assert api.delete(f"{URL}/{bom_id}").status_code == 204
    assert api.get(f"{URL}/{bom_id}").json()["isActive"] is False


def test_create_with_numbers_and_workcenter_id(api, widget):
    body = {
        "productNumber": "WIDGET-PRO",
        "number": "BOM-WP-1",
        "description": "Standard build",
        "components": [{"productNumber": "FRAME", "quantity": 1.5, "scrapPercent": 2.5}],
        "operations": [
            {"name": "Weld", "workcenterId": str(widget["line_a"].pk), "durationMinutes": 12.5}
        ],
    }

    response = api.post(URL, body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "BOM-WP-1"
    assert data["name"] == "ECOSIRE Widget Pro"  # default: the product's name
    assert data["uom"] == "units"  # default: the product's stock unit
    assert data["components"][0]["quantity"] == 1.5
    assert data["components"][0]["scrapPercent"] == 2.5
    assert data["components"][0]["uom"] == "units"
    assert data["operations"][0]["durationMinutes"] == 12.5


def test_generated_numbers_follow_each_other(api, widget):
    first = api.post(URL, seed_body(widget)).json()
    second = api.post(URL, seed_body(widget)).json()

    assert (first["number"], second["number"]) == ("BOM-000001", "BOM-000002")
    assert first["isDefault"] is True and second["isDefault"] is False


# --- validation errors (nothing written) ------------------------------------------------------


def assert_nothing_written():
    assert BOM.all_objects.count() == 0
    assert BOMComponent.objects.count() == 0
    assert BOMOperation.objects.count() == 0


def test_create_needs_product_and_components(api):
    body = assert_problem(api.post(URL, {"name": "x"}), 400, "validation_error")

    assert set(body["errors"]) == {"productId", "components"}
    assert_nothing_written()


def test_create_needs_at_least_one_component(api, widget):
    body = assert_problem(api.post(URL, seed_body(widget, components=[])), 400, "validation_error")

    assert "components" in body["errors"]
    assert_nothing_written()


@pytest.mark.parametrize("quantity", [0, -1, "abc"])
def test_line_quantity_must_be_positive(api, widget, quantity):
    components = [{"productId": str(widget["frame"].pk), "quantity": quantity}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "validation_error"
    )

    assert "components[0].quantity" in body["errors"]
    assert_nothing_written()


def test_zero_quantity_message_is_the_documented_one(api, widget):
    components = [
        {"productId": str(widget["frame"].pk), "quantity": 1},
        {"productId": str(widget["board"].pk), "quantity": 0},
    ]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "validation_error"
    )

    assert body["errors"] == {"components[1].quantity": ["Must be greater than zero."]}


def test_bom_quantity_must_be_positive(api, widget):
    body = assert_problem(api.post(URL, seed_body(widget, quantity=0)), 400, "validation_error")

    assert "quantity" in body["errors"]


def test_negative_scrap_is_refused(api, widget):
    components = [{"productId": str(widget["frame"].pk), "quantity": 1, "scrapPercent": -5}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "validation_error"
    )

    assert "components[0].scrapPercent" in body["errors"]


def test_invalid_type_is_validation_error(api, widget):
    body = assert_problem(api.post(URL, seed_body(widget, type="gadget")), 400, "validation_error")

    assert "type" in body["errors"]


def test_duplicate_component(api, widget):
    frame = str(widget["frame"].pk)
    components = [{"productId": frame, "quantity": 1}, {"productId": frame, "quantity": 3}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "duplicate_component"
    )

    assert "components[1].productId" in body["errors"]
    assert_nothing_written()


def test_unknown_component_is_item_not_found(api, widget):
    components = [
        {"productId": str(widget["frame"].pk), "quantity": 1},
        {"productId": "018e0000-abcd-7000-8000-000000000099", "quantity": 1},
        {"productNumber": "NOPE", "quantity": 1},
    ]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "item_not_found"
    )

    assert set(body["errors"]) == {"components[1].productId", "components[2].productNumber"}
    assert_nothing_written()


def test_unknown_product_is_item_not_found(api, widget):
    body = seed_body(widget, productId="018e0000-abcd-7000-8000-000000000099")

    assert "productId" in assert_problem(api.post(URL, body), 400, "item_not_found")["errors"]


def test_archived_component_is_item_not_found(api, widget):
    widget["board"].delete()

    assert_problem(api.post(URL, seed_body(widget)), 400, "item_not_found")
    assert_nothing_written()


def test_unknown_workcenter_is_item_not_found(api, widget):
    operations = [{"name": "Assembly", "workcenter": "Line Z", "durationMinutes": 5}]

    body = assert_problem(
        api.post(URL, seed_body(widget, operations=operations)), 400, "item_not_found"
    )

    assert "operations[0].workcenter" in body["errors"]
    assert_nothing_written()


def test_archived_workcenter_is_item_not_found(api, widget):
    widget["line_a"].delete()

    assert_problem(api.post(URL, seed_body(widget)), 400, "item_not_found")


def test_operation_needs_a_workcenter_and_duration(api, widget):
    no_workcenter = [{"name": "Assembly", "durationMinutes": 5}]
    no_duration = [{"name": "Assembly", "workcenter": "Line A"}]

    first = assert_problem(
        api.post(URL, seed_body(widget, operations=no_workcenter)), 400, "validation_error"
    )
    second = assert_problem(
        api.post(URL, seed_body(widget, operations=no_duration)), 400, "validation_error"
    )

    assert "operations[0].workcenter" in first["errors"]
    assert "operations[0].durationMinutes" in second["errors"]


def test_duplicate_operation_sequence_is_refused(api, widget):
    operations = [
        {"name": "A", "workcenter": "Line A", "durationMinutes": 5, "sequence": 10},
        {"name": "B", "workcenter": "Line A", "durationMinutes": 5, "sequence": 10},
    ]

    body = assert_problem(
        api.post(URL, seed_body(widget, operations=operations)), 400, "validation_error"
    )

    assert "operations[1].sequence" in body["errors"]


def test_uom_mismatch_on_a_line(api, widget):
    components = [{"productId": str(widget["frame"].pk), "quantity": 1, "uom": "kg"}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "uom_mismatch"
    )

    assert "components[0].uom" in body["errors"]
    assert_nothing_written()


def test_uom_mismatch_on_the_header(api, widget):
    assert_problem(api.post(URL, seed_body(widget, uom="L")), 400, "uom_mismatch")


def test_unknown_unit_symbol_is_validation_error(api, widget):
    components = [{"productId": str(widget["frame"].pk), "quantity": 1, "uom": "parsec"}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 400, "validation_error"
    )

    assert "components[0].uom" in body["errors"]


def test_service_item_cannot_be_a_product(api, widget):
    service = ItemFactory(type="service", uom=unit("h"))

    body = assert_problem(
        api.post(URL, seed_body(widget, productId=str(service.pk))), 400, "validation_error"
    )

    assert "productId" in body["errors"]


def test_product_as_its_own_component_is_circular(api, widget):
    components = [{"productId": str(widget["product"].pk), "quantity": 1}]

    body = assert_problem(
        api.post(URL, seed_body(widget, components=components)), 422, "circular_reference"
    )

    assert "components[0].productId" in body["errors"]
    assert_nothing_written()


def test_two_level_cycle_through_the_api(api, widget):
    # FRAME is made of WIDGET-PRO's sub-part SUB, SUB is made of WIDGET-PRO: WIDGET-PRO → FRAME
    # would close the loop.
    sub = ItemFactory(number="SUB")
    BOMFactory(product=widget["frame"], lines=[line(sub)])
    BOMFactory(product=sub, lines=[line(widget["product"])])
    before = BOM.objects.count()

    body = assert_problem(api.post(URL, seed_body(widget)), 422, "circular_reference")

    assert body["path"] == ["WIDGET-PRO", "FRAME", "SUB", "WIDGET-PRO"]
    assert "components[0].productId" in body["errors"]
    assert BOM.objects.count() == before


def test_malformed_body_values_are_400_not_500(api, widget):
    for body in (
        seed_body(widget, productId="not-a-uuid"),
        seed_body(widget, components="nope"),
        seed_body(widget, components=[{"productId": 5, "quantity": 1}]),
        seed_body(
            widget, operations=[{"name": "x", "workcenter": "Line A", "durationMinutes": -1}]
        ),
        seed_body(widget, isDefault="maybe"),
        seed_body(widget, quantity="1e400"),
    ):
        response = api.post(URL, body)
        assert response.status_code == 400, (body, response.content)
    assert_nothing_written()


# --- get, list, filters, sort ----------------------------------------------------------------


def test_get_unknown_or_malformed_is_404(api):
    assert_problem(api.get(f"{URL}/018e0000-abcd-7000-8000-000000000001"), 404, "not_found")
    assert_problem(api.get(f"{URL}/nope"), 404, "not_found")


def test_trailing_slash_works(api):
    bom = BOMFactory()

    assert api.get(f"{URL}/").status_code == 200
    assert api.get(f"{URL}/{bom.pk}/").status_code == 200


def test_list_filters(api):
    wheel = ItemFactory(number="WHEEL", name="Wheel")
    bike = ItemFactory(number="BIKE", name="Bicycle")
    cart = ItemFactory(number="CART", name="Cart")
    bike_bom = BOMFactory(product=bike, lines=[line(wheel, 2)], name="Bike standard")
    cart_bom = BOMFactory(product=cart, lines=[line(wheel, 4)], type="subcontract")
    kit = BOMFactory(type="phantom", description="Screws in a bag")
    second_bike = BOMFactory(product=bike, lines=[line(wheel, 3)], name="Bike racing")
    gone = BOMFactory(product=cart, lines=[line(wheel, 1)])
    api.post(f"{URL}/{second_bike.pk}/submit")
    api.delete(f"{URL}/{gone.pk}")

    def numbers(query):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["data"]}

    assert numbers(f"productId={bike.pk}") == {bike_bom.number, second_bike.number}
    assert numbers("productNumber=CART") == {cart_bom.number}
    assert numbers(f"componentId={wheel.pk}") == {
        bike_bom.number,
        cart_bom.number,
        second_bike.number,
    }
    assert numbers("type=phantom") == {kit.number}
    assert numbers("type=subcontract") == {cart_bom.number}
    assert numbers("status=submitted") == {second_bike.number}
    assert numbers("isDefault=true") == {bike_bom.number, cart_bom.number, kit.number}
    assert numbers("isDefault=false") == {second_bike.number}
    assert numbers("isActive=false") == {gone.number}
    assert numbers("search=bicycle") == {bike_bom.number, second_bike.number}
    assert numbers("search=RACING") == {second_bike.number}
    assert numbers("search=bag") == {kit.number}
    assert numbers(f"search={cart_bom.number.lower()}") == {cart_bom.number}
    assert numbers("search=cart") == {cart_bom.number}


@pytest.mark.parametrize(
    "query,param",
    [
        ("type=gadget", "type"),
        ("status=open", "status"),
        ("isDefault=maybe", "isDefault"),
        ("isActive=perhaps", "isActive"),
        ("productId=nope", "productId"),
        ("componentId=nope", "componentId"),
        ("sort=price", "sort"),
        ("page=0", "page"),
    ],
)
def test_invalid_list_parameters_are_400_naming_them(api, query, param):
    body = assert_problem(api.get(f"{URL}?{query}"), 400, "validation_error")

    assert param in body["errors"]


def test_sort(api):
    b = BOMFactory(number="B", name="zeta")
    BOMFactory(number="A", name="alpha")
    BOMFactory(number="C", name="mu")

    def order(query):
        return [row["number"] for row in api.get(f"{URL}?{query}").json()["data"]]

    assert order("") == ["A", "B", "C"]  # default: number
    assert order("sort=-number") == ["C", "B", "A"]
    assert order("sort=name") == ["A", "C", "B"]
    assert order("sort=createdAt") == ["B", "A", "C"]
    assert order("sort=-createdAt") == ["C", "A", "B"]
    api.patch(f"{URL}/{b.pk}", {"description": "touched"})
    assert order("sort=-updatedAt")[0] == "B"
    assert order("sort=updatedAt")[-1] == "B"


def test_list_pagination(api):
    for _ in range(5):
        BOMFactory()

    body = api.get(f"{URL}?page=2&limit=2").json()

    assert len(body["data"]) == 2
    assert body["meta"] == {"total": 5, "page": 2, "limit": 2, "totalPages": 3}


# --- patch / put / components sync --------------------------------------------------------------


def test_patch_header_only_keeps_the_lines(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]
    lines_before = list(BOMComponent.objects.filter(bom_id=bom_id).values_list("id", flat=True))

    response = api.patch(
        f"{URL}/{bom_id}",
        {"name": "New name", "description": "d", "quantity": 2, "type": "phantom"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"], body["quantity"], body["type"]) == (
        "New name",
        "d",
        2,
        "phantom",
    )
    assert list(BOMComponent.objects.filter(bom_id=bom_id).values_list("id", flat=True)) == (
        lines_before
    )


def test_patch_with_components_replaces_the_whole_set(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]
    bolt = ItemFactory(number="BOLT")

    response = api.patch(
        f"{URL}/{bom_id}",
        {"components": [{"productId": str(bolt.pk), "quantity": 8}]},
    )

    assert response.status_code == 200, response.content
    assert [(c["number"], c["quantity"]) for c in response.json()["components"]] == [("BOLT", 8)]
    assert response.json()["operations"][0]["name"] == "Assembly"  # operations untouched


def test_patch_with_operations_replaces_them(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]
    WorkcenterFactory(name="QA", code="QA")

    response = api.patch(
        f"{URL}/{bom_id}",
        {
            "operations": [
                {"name": "Inspect", "workcenter": "QA", "durationMinutes": 5, "sequence": 20},
                {"name": "Pack", "workcenter": "LINE-A", "durationMinutes": 3, "sequence": 30},
            ]
        },
    )

    assert response.status_code == 200, response.content
    assert [(o["sequence"], o["name"], o["workcenter"]) for o in response.json()["operations"]] == [
        (20, "Inspect", "QA"),
        (30, "Pack", "Line A"),
    ]
    assert BOMOperation.objects.filter(bom_id=bom_id).count() == 2


def test_patch_that_fails_changes_nothing(api, widget):
    created = api.post(URL, seed_body(widget)).json()
    bom = BOM.objects.get(pk=created["id"])

    response = api.patch(
        f"{URL}/{bom.pk}",
        {
            "name": "should not stick",
            "components": [
                {"productId": str(widget["frame"].pk), "quantity": 5},
                {"productId": str(widget["product"].pk), "quantity": 1},
            ],
        },
    )

    assert_problem(response, 422, "circular_reference")
    after = api.get(f"{URL}/{bom.pk}").json()
    assert after["name"] == created["name"]
    assert after["components"] == created["components"]
    assert after["contentHash"] == created["contentHash"]


def test_put_is_a_full_replace(api, widget):
    bom_id = api.post(URL, seed_body(widget, description="old")).json()["id"]
    bolt = ItemFactory(number="BOLT")

    response = api.put(
        f"{URL}/{bom_id}",
        {
            "productId": str(widget["product"].pk),
            "name": "Replaced",
            "quantity": 2,
            "components": [{"productNumber": "BOLT", "quantity": 4}],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Replaced"
    assert body["description"] == ""
    assert body["quantity"] == 2
    assert [c["productId"] for c in body["components"]] == [str(bolt.pk)]
    assert body["operations"] == []
    assert body["number"] == "BOM-000001" and body["isDefault"] is True


def test_put_needs_the_full_body(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]

    body = assert_problem(api.put(f"{URL}/{bom_id}", {"name": "x"}), 400, "validation_error")

    assert {"productId", "components"} <= set(body["errors"])


def test_sync_components_adds_updates_and_removes_in_one_request(api, widget):
    created = api.post(URL, seed_body(widget)).json()
    frame_line, board_line = created["components"]
    bolt = ItemFactory(number="BOLT")

    response = api.put(
        f"{URL}/{created['id']}/components",
        {
            "components": [
                {"productId": str(widget["board"].pk), "quantity": 3, "scrapPercent": 1},
                {"productId": str(bolt.pk), "quantity": 12},
            ]
        },
    )

    assert response.status_code == 200, response.content
    components = response.json()["components"]
    assert [(c["number"], c["quantity"], c["scrapPercent"]) for c in components] == [
        ("PCB", 3, 1),
        ("BOLT", 12, 0),
    ]
    assert components[0]["id"] == board_line["id"]  # kept line, updated in place
    assert not BOMComponent.objects.filter(pk=frame_line["id"]).exists()
    assert response.json()["contentHash"] != created["contentHash"]


def test_sync_is_atomic_on_failure(api, widget):
    created = api.post(URL, seed_body(widget)).json()

    response = api.put(
        f"{URL}/{created['id']}/components",
        {
            "components": [
                {"productId": str(widget["board"].pk), "quantity": 3},
                {"productId": str(ItemFactory().pk), "quantity": 1, "uom": "kg"},
            ]
        },
    )

    assert_problem(response, 400, "uom_mismatch")
    assert api.get(f"{URL}/{created['id']}").json()["components"] == created["components"]


def test_sync_needs_components_key(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]

    body = assert_problem(api.put(f"{URL}/{bom_id}/components", {}), 400, "validation_error")

    assert "components" in body["errors"]


def test_sync_refuses_empty_and_duplicates(api, widget):
    bom_id = api.post(URL, seed_body(widget)).json()["id"]
    frame = str(widget["frame"].pk)

    assert_problem(
        api.put(f"{URL}/{bom_id}/components", {"components": []}), 400, "validation_error"
    )
    assert_problem(
        api.put(
            f"{URL}/{bom_id}/components",
            {"components": [{"productId": frame, "quantity": 1}] * 2},
        ),
        400,
        "duplicate_component",
    )


# --- lifecycle: submit, cancel, lock, copy ----------------------------------------------------


def test_submit_then_cancel(api):
    bom = BOMFactory()

    submitted = api.post(f"{URL}/{bom.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert_problem(api.post(f"{URL}/{bom.pk}/submit"), 409, "invalid_state")

    cancelled = api.post(f"{URL}/{bom.pk}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["isDefault"] is False
    assert_problem(api.post(f"{URL}/{bom.pk}/cancel"), 409, "invalid_state")
    assert_problem(api.post(f"{URL}/{bom.pk}/submit"), 409, "invalid_state")


def test_cancel_a_draft_is_invalid_state(api):
    bom = BOMFactory()

    assert_problem(api.post(f"{URL}/{bom.pk}/cancel"), 409, "invalid_state")
    assert BOM.objects.get(pk=bom.pk).status == BOMStatus.DRAFT


def test_submitted_bom_is_locked(api, widget):
    created = api.post(URL, seed_body(widget)).json()
    bom_id = created["id"]
    api.post(f"{URL}/{bom_id}/submit")
    bolt = ItemFactory()

    for change in (
        {"quantity": 2},
        {"type": "phantom"},
        {"productId": str(ItemFactory().pk)},
        {"uom": "EA"},
        {"components": [{"productId": str(bolt.pk), "quantity": 1}]},
        {"operations": []},
    ):
        assert_problem(api.patch(f"{URL}/{bom_id}", change), 409, "bom_locked")
    assert_problem(
        api.put(
            f"{URL}/{bom_id}/components",
            {"components": [{"productId": str(bolt.pk), "quantity": 1}]},
        ),
        409,
        "bom_locked",
    )
    allowed = api.patch(
        f"{URL}/{bom_id}", {"name": "Still editable", "description": "yes", "isDefault": True}
    )
    assert allowed.status_code == 200, allowed.content
    after = api.get(f"{URL}/{bom_id}").json()
    assert after["name"] == "Still editable"
    assert after["components"] == created["components"]
    assert after["contentHash"] == created["contentHash"]


def test_cancelled_bom_is_locked_too(api):
    bom = BOMFactory()
    api.post(f"{URL}/{bom.pk}/submit")
    api.post(f"{URL}/{bom.pk}/cancel")

    assert_problem(api.patch(f"{URL}/{bom.pk}", {"quantity": 3}), 409, "bom_locked")
    assert_problem(api.patch(f"{URL}/{bom.pk}", {"isDefault": True}), 409, "invalid_state")


def test_copy_makes_a_new_draft_version(api, widget):
    created = api.post(URL, seed_body(widget)).json()
    api.post(f"{URL}/{created['id']}/submit")

    response = api.post(f"{URL}/{created['id']}/copy")

    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["id"] != created["id"]
    assert copy["number"] == "BOM-000002"
    assert copy["version"] == 2
    assert copy["status"] == "draft"
    assert copy["isDefault"] is False
    assert copy["contentHash"] == created["contentHash"]
    assert [(c["productId"], c["quantity"]) for c in copy["components"]] == [
        (c["productId"], c["quantity"]) for c in created["components"]
    ]
    assert [(o["name"], o["workcenterId"]) for o in copy["operations"]] == [
        (o["name"], o["workcenterId"]) for o in created["operations"]
    ]
    # the copy is editable though the original is locked
    assert api.patch(f"{URL}/{copy['id']}", {"quantity": 2}).status_code == 200


# --- default ------------------------------------------------------------------------------------


def test_setting_a_default_clears_the_previous_one(api, widget):
    first = api.post(URL, seed_body(widget)).json()
    second = api.post(URL, seed_body(widget)).json()
    third = api.post(URL, seed_body(widget, isDefault=True)).json()

    assert third["isDefault"] is True
    assert api.get(f"{URL}/{first['id']}").json()["isDefault"] is False

    api.patch(f"{URL}/{second['id']}", {"isDefault": True})

    defaults = BOM.objects.filter(product=widget["product"], is_default=True)
    assert list(defaults.values_list("pk", flat=True)) == [BOM.objects.get(pk=second["id"]).pk]


# --- archive, unarchive, archived list -----------------------------------------------------------


def test_delete_archives(api):
    bom = BOMFactory()

    assert api.delete(f"{URL}/{bom.pk}").status_code == 204

    archived = BOM.all_objects.get(pk=bom.pk)
    assert archived.deleted_at is not None and archived.is_default is False
    assert api.get(URL).json()["meta"]["total"] == 0
    detail = api.get(f"{URL}/{bom.pk}")
    assert detail.status_code == 200 and detail.json()["isActive"] is False
    assert_problem(api.delete(f"{URL}/{bom.pk}"), 404, "not_found")
    assert_problem(api.delete(f"{URL}/018e0000-abcd-7000-8000-000000000001"), 404, "not_found")


def test_writes_to_an_archived_bom_are_404(api):
    bom = BOMFactory()
    api.delete(f"{URL}/{bom.pk}")

    assert_problem(api.patch(f"{URL}/{bom.pk}", {"name": "x"}), 404, "not_found")
    assert_problem(api.post(f"{URL}/{bom.pk}/submit"), 404, "not_found")


def test_delete_is_refused_while_an_open_order_uses_the_bom(api, monkeypatch):
    bom = BOMFactory()
    monkeypatch.setattr(
        "manufacturing.boms.services.bom_open_order_references", lambda *, bom: ["MO/2026/0007"]
    )

    body = assert_problem(api.delete(f"{URL}/{bom.pk}"), 409, "bom_in_use")

    assert "MO/2026/0007" in body["detail"]
    assert body["orders"] == ["MO/2026/0007"]
    assert BOM.objects.filter(pk=bom.pk).exists()


def test_unarchive(api):
    bom = BOMFactory()
    api.delete(f"{URL}/{bom.pk}")

    response = api.post(f"{URL}/{bom.pk}/unarchive")

    assert response.status_code == 200
    assert response.json()["isActive"] is True
    assert response.json()["isDefault"] is True  # its product had no default left
    assert_problem(api.post(f"{URL}/{bom.pk}/unarchive"), 400, "bom_not_archived")


def test_unarchive_refuses_a_number_taken_meanwhile(api):
    bom = BOMFactory(number="BOM-X")
    api.delete(f"{URL}/{bom.pk}")
    BOMFactory(number="BOM-X")  # an archived number may be reused

    body = assert_problem(api.post(f"{URL}/{bom.pk}/unarchive"), 400, "validation_error")

    assert "number" in body["errors"]


def test_unarchive_refuses_to_close_a_cycle(api):
    a, b = ItemFactory(), ItemFactory()
    a_bom = BOMFactory(product=a, lines=[line(b)])
    api.delete(f"{URL}/{a_bom.pk}")
    BOMFactory(product=b, lines=[line(a)])  # allowed: A → B is archived

    assert_problem(api.post(f"{URL}/{a_bom.pk}/unarchive"), 422, "circular_reference")
    assert BOM.all_objects.get(pk=a_bom.pk).deleted_at is not None


def test_archived_list(api):
    live = BOMFactory()
    gone = BOMFactory(type="phantom")
    other = BOMFactory()
    api.delete(f"{URL}/{gone.pk}")
    api.delete(f"{URL}/{other.pk}")

    body = api.get(f"{URL}/archived").json()

    assert body["meta"]["total"] == 2
    assert {row["id"] for row in body["data"]} == {str(gone.pk), str(other.pk)}
    assert all(row["isActive"] is False for row in body["data"])
    assert [r["id"] for r in api.get(f"{URL}/archived?type=phantom").json()["data"]] == [
        str(gone.pk)
    ]
    assert str(live.pk) not in {r["id"] for r in body["data"]}
    assert api.get(f"{URL}/archived/").status_code == 200


# --- explosion endpoint -------------------------------------------------------------------------


def test_explosion_endpoint(api):
    wc = WorkcenterFactory(hourly_cost=Decimal(60))
    leaf = ItemFactory(number="LEAF", standard_cost=Decimal(2))
    sub = ItemFactory(number="SUB")
    top = ItemFactory(number="TOP")
    BOMFactory(product=sub, lines=[line(leaf, 3)], operations=[op(wc, 30)])
    bom = BOMFactory(product=top, lines=[line(sub, 2)], operations=[op(wc, 60)])

    response = api.get(f"{URL}/{bom.pk}/explosion?quantity=10")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bomId"] == str(bom.pk)
    assert body["quantity"] == 10
    assert body["requirements"] == [
        {
            "productId": str(sub.pk),
            "number": "SUB",
            "name": sub.name,
            "quantity": 20,
            "uom": "EA",
            "level": 1,
            "path": ["SUB"],
            "isLeaf": False,
        },
        {
            "productId": str(leaf.pk),
            "number": "LEAF",
            "name": leaf.name,
            "quantity": 60,
            "uom": "EA",
            "level": 2,
            "path": ["SUB", "LEAF"],
            "isLeaf": True,
        },
    ]
    assert body["totals"] == [
        {
            "productId": str(leaf.pk),
            "number": "LEAF",
            "name": leaf.name,
            "quantity": 60,
            "uom": "EA",
        }
    ]
    # materials 60 x 2 = 120; operations: top 60 min x 1 €/min x 10 runs = 600,
    # sub 30 min x 1 €/min x 20 runs = 600
    assert body["cost"] == {"materials": 120, "operations": 1200, "total": 1320, "perUnit": 132}

    default_quantity = api.get(f"{URL}/{bom.pk}/explosion").json()
    assert default_quantity["quantity"] == 1
    one_level = api.get(f"{URL}/{bom.pk}/explosion?levels=1").json()
    assert [(r["number"], r["isLeaf"]) for r in one_level["requirements"]] == [("SUB", True)]
    assert one_level["totals"][0]["number"] == "SUB"
    assert one_level["cost"]["total"] == 132  # always the full roll-up


@pytest.mark.parametrize(
    "query,param",
    [
        ("quantity=0", "quantity"),
        ("quantity=abc", "quantity"),
        ("quantity=-2", "quantity"),
        ("quantity=NaN", "quantity"),
        ("levels=3", "levels"),
        ("levels=ALL2", "levels"),
    ],
)
def test_explosion_bad_parameters(api, query, param):
    bom = BOMFactory()

    body = assert_problem(api.get(f"{URL}/{bom.pk}/explosion?{query}"), 400, "validation_error")

    assert param in body["errors"]


def test_explosion_of_unknown_bom_is_404(api):
    assert_problem(
        api.get(f"{URL}/018e0000-abcd-7000-8000-000000000001/explosion"), 404, "not_found"
    )


# --- permissions, auth, throttling ----------------------------------------------------------------


def test_anonymous_is_401(anon):
    assert_problem(anon.get(URL), 401, "not_authenticated")


def test_view_permission_reads_but_cannot_write(api_as):
    bom = BOMFactory()
    client = api_as("manufacturing.view_bom")

    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}/{bom.pk}/explosion").status_code == 200
    assert_problem(client.patch(f"{URL}/{bom.pk}", {"name": "x"}), 403, "not_privileged")
    assert_problem(client.delete(f"{URL}/{bom.pk}"), 403, "not_privileged")


@pytest.mark.parametrize("verb", ["submit", "cancel", "copy", "unarchive"])
def test_action_endpoints_need_their_own_permission(api_as, verb):
    bom = BOMFactory()
    client = api_as(
        "manufacturing.view_bom",
        "manufacturing.add_bom",
        "manufacturing.change_bom",
        "manufacturing.delete_bom",
    )

    assert_problem(client.post(f"{URL}/{bom.pk}/{verb}"), 403, "not_privileged")


def test_archive_needs_its_own_permission_not_delete(api_as):
    bom = BOMFactory()
    client = api_as("manufacturing.view_bom", "manufacturing.delete_bom")

    assert_problem(client.delete(f"{URL}/{bom.pk}"), 403, "not_privileged")
    assert BOM.objects.filter(pk=bom.pk).exists()


def test_planner_permissions_allow_the_lifecycle(api_as):
    bom = BOMFactory()
    client = api_as(
        "manufacturing.view_bom",
        "manufacturing.submit_bom",
        "manufacturing.cancel_bom",
        "manufacturing.copy_bom",
        "manufacturing.archive_bom",
        "manufacturing.unarchive_bom",
    )

    assert client.post(f"{URL}/{bom.pk}/submit").status_code == 200
    assert client.post(f"{URL}/{bom.pk}/copy").status_code == 201
    assert client.post(f"{URL}/{bom.pk}/cancel").status_code == 200
    assert client.delete(f"{URL}/{bom.pk}").status_code == 204
    assert client.post(f"{URL}/{bom.pk}/unarchive").status_code == 200


def test_action_endpoints_are_throttled(api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"actions": "2/min"},
    }
    bom = BOMFactory()
    try:
        api.post(f"{URL}/{bom.pk}/submit")
        api.post(f"{URL}/{bom.pk}/copy")
        response = api.post(f"{URL}/{bom.pk}/copy")
        assert_problem(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert api.get(URL).status_code == 200  # reads are not throttled
    finally:
        cache.clear()


# --- query budgets ------------------------------------------------------------------------------


def _bom_with_lines(count: int) -> BOM:
    wc = WorkcenterFactory()
    return BOMFactory(
        lines=[line(ItemFactory()) for _ in range(count)],
        operations=[op(wc, 5, name=f"Op {n}") for n in range(3)],
    )


def test_list_query_budget_is_flat_in_page_size_and_lines(api, django_assert_max_num_queries):
    # auth token, count, page, components, operations
    _bom_with_lines(5)
    with django_assert_max_num_queries(5):
        assert len(api.get(URL).json()["data"]) == 1

    for _ in range(29):
        _bom_with_lines(5)
    _bom_with_lines(200)
    with django_assert_max_num_queries(5):
        assert len(api.get(f"{URL}?limit=50").json()["data"]) == 31


def test_detail_query_budget_is_flat_in_lines(api, django_assert_max_num_queries):
    small, big = _bom_with_lines(5), _bom_with_lines(200)

    # auth token, BOM with product and unit, components, operations
    with django_assert_max_num_queries(4):
        assert api.get(f"{URL}/{small.pk}").json()["componentCount"] == 5
    with django_assert_max_num_queries(4):
        assert api.get(f"{URL}/{big.pk}").json()["componentCount"] == 200


def test_archived_list_query_budget(api, django_assert_max_num_queries):
    for _ in range(3):
        api.delete(f"{URL}/{_bom_with_lines(10).pk}")

    with django_assert_max_num_queries(5):
        assert api.get(f"{URL}/archived").json()["meta"]["total"] == 3
