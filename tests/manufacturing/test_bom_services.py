"""The BOM services: cycles at any depth, content hash, defaults, numbers, history."""

from decimal import Decimal

import pytest

from config.exceptions import InvalidState, ValidationFailed
from items.exceptions import ItemNotFound
from manufacturing.boms.models import BOM, BOMComponent, BOMStatus
from manufacturing.boms.services import (
    bom_archive,
    bom_cancel,
    bom_content_hash,
    bom_copy,
    bom_create,
    bom_replace_operations,
    bom_set_default,
    bom_submit,
    bom_sync_components,
    bom_update,
    workcenter_create,
)
from manufacturing.boms.specs import BOMSpec
from manufacturing.exceptions import BomLocked, CircularReference, DuplicateComponent
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, chain, line, op

pytestmark = pytest.mark.django_db


# --- cycles -------------------------------------------------------------------------------------


def test_cycle_at_depth_1_is_refused():
    a, b = ItemFactory(number="A"), ItemFactory(number="B")
    BOMFactory(product=a, lines=[line(b)])

    with pytest.raises(CircularReference) as exc:
        BOMFactory(product=b, lines=[line(a)])

    assert exc.value.extra["path"] == ["B", "A", "B"]
    assert BOM.objects.filter(product=b).count() == 0


def test_cycle_at_depth_2_is_refused():
    a, b, c = ItemFactory(number="A"), ItemFactory(number="B"), ItemFactory(number="C")
    BOMFactory(product=a, lines=[line(b)])
    BOMFactory(product=b, lines=[line(c)])

    with pytest.raises(CircularReference) as exc:
        BOMFactory(product=c, lines=[line(ItemFactory()), line(a)])

    assert exc.value.extra["path"] == ["C", "A", "B", "C"]
    assert exc.value.extra["errors"] == {
        "components[1].product_id": [exc.value.detail],
    }


def test_cycle_at_depth_5_is_refused_through_sync():
    levels, _ = chain(5)
    top, bottom = levels[0][0], levels[5][0]
    bottom_bom = BOMFactory(product=bottom, lines=[line(ItemFactory())])

    with pytest.raises(CircularReference) as exc:
        bom_sync_components(bom=bottom_bom, components=[line(top)])

    assert len(exc.value.extra["path"]) == 7
    assert list(bottom_bom.components.values_list("item__number", flat=True)) != [top.number]


def test_cycle_at_depth_5_through_the_api(api):
    levels, _ = chain(5)
    top, bottom = levels[0][0], levels[5][0]

    response = api.post(
        "/api/manufacturing/boms",
        {"productId": str(bottom.pk), "components": [{"productId": str(top.pk), "quantity": 1}]},
    )

    body = assert_problem(response, 422, "circular_reference")
    assert body["path"][0] == body["path"][-1] == bottom.number
    assert not BOM.objects.filter(product=bottom).exists()


def test_cycle_through_another_bom_of_the_same_product():
    a, b, c = ItemFactory(), ItemFactory(), ItemFactory()
    BOMFactory(product=a, lines=[line(c)])  # A's first BOM: uses C
    a2 = BOMFactory(product=a, lines=[line(ItemFactory())])  # A's alternate
    BOMFactory(product=b, lines=[line(a)])  # B uses A

    with pytest.raises(CircularReference):
        BOMFactory(product=c, lines=[line(b)])  # C → B → A → C (through A's first BOM)
    bom_sync_components(bom=a2, components=[line(ItemFactory())])  # unrelated: fine


def test_archived_boms_are_not_part_of_the_graph():
    a, b = ItemFactory(), ItemFactory()
    old = BOMFactory(product=a, lines=[line(b)])
    bom_archive(bom=old)

    BOMFactory(product=b, lines=[line(a)])


def test_changing_the_product_checks_cycles_too():
    a, b = ItemFactory(), ItemFactory()
    BOMFactory(product=a, lines=[line(b)])
    other = BOMFactory(lines=[line(a)])

    with pytest.raises(CircularReference):
        bom_update(bom=other, spec=BOMSpec.partial(product=b))
    with pytest.raises(CircularReference):
        bom_update(bom=other, spec=BOMSpec.partial(product=a))


def test_diamonds_are_not_cycles():
    top, left, right, shared = ItemFactory(), ItemFactory(), ItemFactory(), ItemFactory()
    BOMFactory(product=left, lines=[line(shared)])
    BOMFactory(product=right, lines=[line(shared)])

    bom = BOMFactory(product=top, lines=[line(left), line(right)])

    assert bom.components.count() == 2


def test_cycle_check_queries_grow_with_depth_not_width():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wide_levels, _ = chain(2, fan_out=40)  # 40 + 40x40 nodes below the top
    deep_levels, _ = chain(2)  # 1 + 1
    deeper_levels, _ = chain(4)
    probe = ItemFactory()

    def graph_queries(levels) -> int:
        with CaptureQueriesContext(connection) as ctx:
            bom = BOMFactory(product=probe, lines=[line(levels[0][0])])
        bom_archive(bom=bom)
        return sum('"bom__product_id"' in q["sql"] for q in ctx.captured_queries)

    # one query per level of the graph below the new component, plus the empty last one
    assert graph_queries(wide_levels) == graph_queries(deep_levels) == 3
    assert graph_queries(deeper_levels) == 5


# --- validation ---------------------------------------------------------------------------------


def test_services_validate_like_the_api():
    product, part = ItemFactory(), ItemFactory()
    with pytest.raises(DuplicateComponent):
        BOMFactory(product=product, lines=[line(part), line(part, 2)])
    with pytest.raises(ValidationFailed) as exc:
        BOMFactory(product=product, lines=[line(part, 0)])
    assert exc.value.errors == {"components[0].quantity": ["Must be greater than zero."]}
    with pytest.raises(ValidationFailed):
        BOMFactory(product=product, lines=[])
    part.delete()
    with pytest.raises(ItemNotFound):
        BOMFactory(product=product, lines=[line(part)])
    assert not BOM.objects.exists()


def test_submitted_bom_refuses_content_changes_but_not_its_name():
    bom = BOMFactory()
    bom_submit(bom=bom)

    with pytest.raises(BomLocked):
        bom_update(bom=bom, spec=BOMSpec.partial(quantity=Decimal(5)))
    with pytest.raises(BomLocked):
        bom_sync_components(bom=bom, components=[line(ItemFactory())])
    renamed = bom_update(bom=bom, spec=BOMSpec.partial(name="New", description="why"))
    assert (renamed.name, renamed.status) == ("New", BOMStatus.SUBMITTED)


def test_archived_bom_refuses_changes():
    bom = BOMFactory()
    bom_archive(bom=bom)

    with pytest.raises(InvalidState):
        bom_update(bom=bom, spec=BOMSpec.partial(name="x"))


# --- content hash -------------------------------------------------------------------------------


def test_content_hash_rules():
    product, a, b = ItemFactory(), ItemFactory(), ItemFactory()
    wc = WorkcenterFactory()
    first = BOMFactory(product=product, lines=[line(a, 1), line(b, 2)], operations=[op(wc, 5)])
    same_reordered = BOMFactory(
        product=product, lines=[line(b, "2.000"), line(a, 1)], operations=[op(wc, "5.0")]
    )
    more = BOMFactory(product=product, lines=[line(a, 1), line(b, 3)], operations=[op(wc, 5)])

    assert first.content_hash == same_reordered.content_hash
    assert first.content_hash != more.content_hash
    assert first.content_hash == bom_content_hash(bom=first)

    a.name = "Renamed"
    a.save()
    assert bom_content_hash(bom=first) == first.content_hash

    bom_update(bom=first, spec=BOMSpec.partial(name="only the name"))
    assert BOM.objects.get(pk=first.pk).content_hash == same_reordered.content_hash
    updated = bom_update(bom=first, spec=BOMSpec.partial(operations=[op(wc, 6)]))
    assert updated.content_hash != same_reordered.content_hash
    assert updated.content_hash == bom_content_hash(bom=updated)


# --- defaults, numbers, versions ------------------------------------------------------------------


def test_first_bom_of_a_product_is_its_default():
    product = ItemFactory()

    first = BOMFactory(product=product)
    second = BOMFactory(product=product)
    third = BOMFactory(product=product, is_default=False)

    assert [b.is_default for b in (first, second, third)] == [True, False, False]


def test_set_default_clears_the_previous_one():
    product = ItemFactory()
    first, second = BOMFactory(product=product), BOMFactory(product=product)

    bom_set_default(bom=second)

    assert BOM.objects.get(pk=first.pk).is_default is False
    assert BOM.objects.get(pk=second.pk).is_default is True


def test_the_database_allows_one_default_per_product():
    from django.db import IntegrityError, transaction

    product = ItemFactory()
    BOMFactory(product=product)
    second = BOMFactory(product=product)

    with pytest.raises(IntegrityError), transaction.atomic():
        BOM.objects.filter(pk=second.pk).update(is_default=True)


def test_cancel_and_archive_clear_the_default():
    product = ItemFactory()
    bom = BOMFactory(product=product)
    bom_submit(bom=bom)
    bom_cancel(bom=bom)
    assert BOM.objects.get(pk=bom.pk).is_default is False

    other = BOMFactory(product=product)
    assert other.is_default is True
    bom_archive(bom=other)
    assert BOM.all_objects.get(pk=other.pk).is_default is False
    assert BOMFactory(product=product).is_default is True


def test_generated_numbers_skip_numbers_given_by_hand():
    BOMFactory(number="BOM-000001")

    assert BOMFactory().number == "BOM-000002"
    assert BOMFactory().number == "BOM-000003"


def test_copy_takes_the_next_version_of_the_product():
    bom = BOMFactory()
    v2 = bom_copy(bom=bom)
    v3 = bom_copy(bom=bom)

    assert (bom.version, v2.version, v3.version) == (1, 2, 3)
    assert v3.content_hash == bom.content_hash


# --- history ------------------------------------------------------------------------------------


def test_history_records_who_changed_the_bom_and_its_lines(api, admin_user):
    part, other = ItemFactory(), ItemFactory()
    product = ItemFactory()
    response = api.post(
        "/api/manufacturing/boms",
        {"productId": str(product.pk), "components": [{"productId": str(part.pk), "quantity": 1}]},
    )
    bom = BOM.objects.get(pk=response.json()["id"])

    api.put(
        f"/api/manufacturing/boms/{bom.pk}/components",
        {"components": [{"productId": str(other.pk), "quantity": 2}]},
    )
    api.post(f"/api/manufacturing/boms/{bom.pk}/submit")

    assert [
        (h.history_type, h.status, h.history_user) for h in bom.history.order_by("history_date")
    ] == [
        ("+", "draft", admin_user),
        ("~", "draft", admin_user),
        ("~", "submitted", admin_user),
    ]
    lines = BOMComponent.history.filter(bom_id=bom.pk).order_by("history_date")
    assert [(h.history_type, h.item_id, h.history_user) for h in lines] == [
        ("+", part.pk, admin_user),
        ("-", part.pk, admin_user),
        ("+", other.pk, admin_user),
    ]


def test_history_of_operations_and_workcenters(make_user):
    planner = make_user(username="planner")
    wc = workcenter_create(code="A", name="Line A", actor=planner)
    bom = BOMFactory(operations=[op(wc, 5)], actor=planner)

    bom_replace_operations(bom=bom, operations=[op(wc, 7)], actor=planner)

    assert wc.history.get().history_user == planner
    ops = bom.operations.get().history.order_by("history_date")
    assert [(h.history_type, h.duration_minutes, h.history_user) for h in ops] == [
        ("+", Decimal("5.00"), planner),
        ("~", Decimal("7.00"), planner),
    ]


def test_units_are_converted_on_lines_not_refused():
    paint = ItemFactory(uom=unit("L"))
    bom = BOMFactory(lines=[line(paint, 250, "mL")])

    assert bom.components.get().uom.symbol == "mL"


def test_a_bom_can_be_created_submitted_as_submitting_it_right_after_would():
    product, part = ItemFactory(), ItemFactory()

    bom = bom_create(spec=BOMSpec(product=product, components=[line(part, 2)]), status="submitted")

    bom.refresh_from_db()
    assert bom.status == BOMStatus.SUBMITTED and bom.is_default
    assert bom.content_hash == bom_content_hash(bom=bom)
    assert list(bom.history.values_list("status", flat=True)) == ["submitted"]
    with pytest.raises(BomLocked):
        bom_update(bom=bom, spec=BOMSpec.partial(components=[line(part, 3)]))
    with pytest.raises(InvalidState):
        bom_submit(bom=bom)


def test_a_new_bom_is_never_created_cancelled():
    with pytest.raises(ValidationFailed) as caught:
        bom_create(
            spec=BOMSpec(product=ItemFactory(), components=[line(ItemFactory())]),
            status="cancelled",
        )

    assert "status" in caught.value.extra["errors"]
    assert not BOM.all_objects.exists()
