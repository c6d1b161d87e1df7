"""Comparing two BOM versions (issue 14, item 1): numbers worked out by hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from manufacturing.boms.compare import bom_compare
from manufacturing.boms.selectors import bom_headers
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def versions():
    """TOP v1 = 1 FRAME + 0.5 L PAINT + 2 BOARD + 4 SCREW; Assembly 30 min, Test 10 min.
    TOP v2 = 1 FRAME + 500 mL PAINT (a unit change only) + 2 BOARD at 10 % scrap + 3 GLUE;
    Assembly 45 min, Pack 6 min (Test dropped). Line A costs 60 an hour."""
    line_a = WorkcenterFactory(code="LINE-A", name="Line A", hourly_cost=D(60))
    top = ItemFactory(number="TOP")
    frame = ItemFactory(number="FRAME", standard_cost=D(10))
    paint = ItemFactory(number="PAINT", uom=unit("mL"), standard_cost=D("0.01"))
    board = ItemFactory(number="BOARD", standard_cost=D(5))
    screw = ItemFactory(number="SCREW", standard_cost=D("0.1"))
    glue = ItemFactory(number="GLUE", standard_cost=D(2))
    v1 = BOMFactory(
        number="TOP-V1",
        product=top,
        lines=[line(frame, 1), line(paint, "0.5", "L"), line(board, 2), line(screw, 4)],
        operations=[op(line_a, 30, "Assembly", 10), op(line_a, 10, "Test", 20)],
        status="submitted",
    )
    v2 = BOMFactory(
        number="TOP-V2",
        product=top,
        version=2,
        lines=[line(frame, 1), line(paint, 500, "mL"), line(board, 2, scrap=10), line(glue, 3)],
        operations=[op(line_a, 45, "Assembly", 10), op(line_a, 6, "Pack", 30)],
        status="submitted",
    )
    return bom_headers().get(pk=v1.pk), bom_headers().get(pk=v2.pk)


def by_number(rows):
    return {row.number: row for row in rows}


def test_component_lines_show_added_removed_and_changed_with_old_and_new_values(versions):
    v1, v2 = versions
    lines = by_number(bom_compare(base=v1, other=v2).components)

    assert [row.number for row in bom_compare(base=v1, other=v2).components] == [
        "FRAME",
        "PAINT",
        "BOARD",
        "SCREW",
        "GLUE",
    ]
    assert lines["FRAME"].change == "unchanged"
    assert lines["PAINT"].change == "changed"
    assert lines["PAINT"].changed_fields == ("quantity", "uom")
    assert (lines["PAINT"].old.quantity, lines["PAINT"].old.uom) == (D("0.5"), "L")
    assert (lines["PAINT"].new.quantity, lines["PAINT"].new.uom) == (D(500), "mL")
    assert lines["BOARD"].changed_fields == ("scrap_percent",)
    assert (lines["BOARD"].old.scrap_percent, lines["BOARD"].new.scrap_percent) == (D(0), D(10))
    assert lines["SCREW"].change == "removed" and lines["SCREW"].new is None
    assert lines["GLUE"].change == "added" and lines["GLUE"].old is None
    assert lines["GLUE"].new.quantity == D(3)


def test_requirements_apply_units_and_scrap_so_a_unit_change_alone_changes_nothing(versions):
    v1, v2 = versions
    rows = by_number(bom_compare(base=v1, other=v2).requirements)

    # 0.5 L and 500 mL are both 500 mL of paint; 2 boards at 10 % scrap are 2.2.
    assert (rows["PAINT"].change, rows["PAINT"].old, rows["PAINT"].new) == ("unchanged", 500, 500)
    assert rows["PAINT"].uom == "mL"
    assert (rows["BOARD"].change, rows["BOARD"].old, rows["BOARD"].new) == ("changed", 2, D("2.2"))
    assert rows["BOARD"].delta == D("0.2")
    assert (rows["SCREW"].change, rows["SCREW"].new, rows["SCREW"].delta) == ("removed", 0, -4)
    assert (rows["GLUE"].change, rows["GLUE"].old, rows["GLUE"].new) == ("added", 0, 3)


def test_cost_delta_by_hand(versions):
    v1, v2 = versions
    cost = bom_compare(base=v1, other=v2).cost

    # v1: 10 + 500 mL x 0.01 + 2 x 5 + 4 x 0.1 = 25.4; (30 + 10) min at 60/h = 40.
    assert (cost.old.materials, cost.old.operations, cost.old.total) == (D("25.4"), 40, D("65.4"))
    # v2: 10 + 5 + 2.2 x 5 + 3 x 2 = 32; (45 + 6) min at 60/h = 51.
    assert (cost.new.materials, cost.new.operations, cost.new.total) == (32, 51, 83)
    assert cost.delta.materials == D("6.6")
    assert cost.delta.operations == 11
    assert cost.delta.total == D("17.6")
    assert cost.delta.per_unit == D("17.6")


def test_operations_by_sequence_and_header_changes(versions):
    v1, v2 = versions
    comparison = bom_compare(base=v1, other=v2)
    ops = {row.sequence: row for row in comparison.operations}

    assert ops[10].change == "changed" and ops[10].changed_fields == ("duration_minutes",)
    assert (ops[10].old.duration_minutes, ops[10].new.duration_minutes) == (30, 45)
    assert ops[20].change == "removed" and ops[20].old.name == "Test"
    assert ops[30].change == "added" and ops[30].new.name == "Pack"
    header = {change.field: (change.old, change.new) for change in comparison.header}
    assert header == {
        "number": ("TOP-V1", "TOP-V2"),
        "is_default": (True, False),
        "version": (1, 2),
    }
    assert comparison.summary["components"] == {
        "added": 1,
        "removed": 1,
        "changed": 2,
        "unchanged": 1,
    }


def test_a_bom_compared_with_itself_has_no_changes(versions):
    v1, _ = versions
    comparison = bom_compare(base=v1, other=v1, levels="all")

    assert comparison.header == []
    assert {row.change for row in comparison.components + comparison.requirements} == {"unchanged"}
    assert comparison.cost.delta.total == 0


@pytest.fixture
def two_levels():
    """TOP v1 (per 1) = 1 SUB; TOP v2 (per 2) = 4 SUB + 1 WIRE. SUB = 2 STEEL + 1 KIT (phantom,
    5 % scrap); KIT = 4 BOLT."""
    top = ItemFactory(number="TOP")
    sub = ItemFactory(number="SUB")
    kit = ItemFactory(number="KIT", type="consumable")
    steel = ItemFactory(number="STEEL", standard_cost=D(3))
    bolt = ItemFactory(number="BOLT", standard_cost=D("0.5"))
    wire = ItemFactory(number="WIRE", standard_cost=D(1))
    BOMFactory(product=kit, type="phantom", lines=[line(bolt, 4)], status="submitted")
    BOMFactory(product=sub, lines=[line(steel, 2), line(kit, 1, scrap=5)], status="submitted")
    v1 = BOMFactory(product=top, lines=[line(sub, 1)], status="submitted")
    v2 = BOMFactory(product=top, quantity=D(2), version=2, lines=[line(sub, 4), line(wire, 1)])
    return bom_headers().get(pk=v1.pk), bom_headers().get(pk=v2.pk)


def test_levels_all_compares_exploded_requirements_for_the_base_quantity(two_levels):
    v1, v2 = two_levels
    one = by_number(bom_compare(base=v1, other=v2, levels="1").requirements)
    every = by_number(bom_compare(base=v1, other=v2, levels="all").requirements)

    # For 1 TOP: v1 needs 1 SUB, v2 (4 SUB per 2 TOP) 2 SUB and 0.5 WIRE.
    assert (one["SUB"].old, one["SUB"].new) == (1, 2)
    assert set(one) == {"SUB", "WIRE"}
    # Down to the leaves: 2 STEEL per SUB; 4 BOLT per kit x 1.05 kits per SUB = 4.2 BOLT.
    assert set(every) == {"STEEL", "BOLT", "WIRE"}
    assert (every["STEEL"].old, every["STEEL"].new) == (2, 4)
    assert (every["BOLT"].old, every["BOLT"].new) == (D("4.2"), D("8.4"))
    assert (every["WIRE"].change, every["WIRE"].new) == ("added", D("0.5"))
    # Cost for 1 TOP: v1 2 x 3 + 4.2 x 0.5 = 8.1; v2 twice that + 0.5 = 16.7.
    cost = bom_compare(base=v1, other=v2, levels="all").cost
    assert (cost.old.total, cost.new.total, cost.delta.per_unit) == (D("8.1"), D("16.7"), D("8.6"))


def test_header_quantity_change_with_scaled_lines_leaves_requirements_unchanged(two_levels):
    v1, _ = two_levels
    v3 = bom_headers().get(
        pk=BOMFactory(
            product=v1.product, quantity=D(3), version=3, lines=[line(v1.components.get().item, 3)]
        ).pk
    )
    comparison = bom_compare(base=v1, other=v3, levels="all")

    assert {c.field: (c.old, c.new) for c in comparison.header}["quantity"] == (1, 3)
    assert by_number(comparison.components)["SUB"].changed_fields == ("quantity",)
    assert {row.change for row in comparison.requirements} == {"unchanged"}
    assert comparison.cost.delta.total == 0


def _wide(count: int):
    wc = WorkcenterFactory()
    top = ItemFactory()
    parts = [ItemFactory() for _ in range(count)]
    v1 = BOMFactory(product=top, lines=[line(p, 1) for p in parts], operations=[op(wc, 5)])
    v2 = BOMFactory(product=top, version=2, lines=[line(p, 2) for p in parts[1:]])
    return bom_headers().get(pk=v1.pk), bom_headers().get(pk=v2.pk)


@pytest.mark.parametrize("levels", ["1", "all"])
def test_queries_do_not_grow_with_the_size_of_the_boms(levels):
    counts = []
    for size in (3, 60):
        v1, v2 = _wide(size)
        with CaptureQueriesContext(connection) as queries:
            comparison = bom_compare(base=v1, other=v2, levels=levels)
        assert len(comparison.components) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


# --- the API --------------------------------------------------------------------------------


def url(bom, other=None, **params) -> str:
    query = {"with": str(other.pk)} if other is not None else {}
    query.update(params)
    text = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/manufacturing/boms/{bom.pk}/compare?{text}"


def test_api_compare_body(api, versions):
    v1, v2 = versions
    response = api.get(url(v1, v2))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["base"] == {
        "id": str(v1.pk),
        "number": "TOP-V1",
        "version": 1,
        "status": "submitted",
    }
    assert body["other"]["number"] == "TOP-V2"
    assert body["levels"] == "1"
    paint = next(row for row in body["components"] if row["number"] == "PAINT")
    assert paint["changedFields"] == ["quantity", "uom"]
    assert paint["old"] == {"quantity": 0.5, "uom": "L", "scrapPercent": 0}
    board = next(row for row in body["components"] if row["number"] == "BOARD")
    assert board["changedFields"] == ["scrapPercent"]
    assert {"field": "isDefault", "old": True, "new": False} in body["header"]
    assert body["cost"]["delta"] == {
        "materials": 6.6,
        "operations": 11,
        "total": 17.6,
        "perUnit": 17.6,
    }
    glue = next(row for row in body["requirements"] if row["number"] == "GLUE")
    assert glue == {
        "productId": str(glue["productId"]),
        "number": "GLUE",
        "name": glue["name"],
        "uom": "EA",
        "change": "added",
        "old": 0,
        "new": 3,
        "delta": 3,
    }
    assert body["summary"]["operations"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 0}


def test_api_compare_without_with_takes_the_previous_version(api, versions):
    v1, v2 = versions

    assert api.get(url(v2)).json()["other"]["number"] == "TOP-V1"
    first = api.get(url(v1)).json()  # a first version: compared with itself
    assert first["other"]["number"] == "TOP-V1"
    assert first["header"] == []


def test_api_compare_levels_all(api, two_levels):
    v1, v2 = two_levels
    body = api.get(url(v1, v2, levels="all")).json()

    assert body["levels"] == "all"
    assert {row["number"]: row["new"] for row in body["requirements"]} == {
        "STEEL": 4,
        "BOLT": 8.4,
        "WIRE": 0.5,
    }


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("with=", 400, "validation_error"),
        ("with=not-a-uuid", 400, "validation_error"),
        ("with=1e400", 400, "validation_error"),
        ("with=01a24200-0000-7000-8000-000000000000", 404, "not_found"),
        ("with={other}&levels=2", 400, "validation_error"),
        ("with={other}&levels=", 400, "validation_error"),
    ],
)
def test_api_compare_bad_parameters_are_problems_not_crashes(api, versions, query, status, code):
    v1, v2 = versions
    response = api.get(
        f"/api/manufacturing/boms/{v1.pk}/compare?{query.replace('{other}', str(v2.pk))}"
    )

    assert_problem(response, status, code)


@pytest.mark.parametrize("bom_id", ["nope", "01a24200-0000-7000-8000-000000000000", "0" * 400])
def test_api_compare_unknown_base_is_404(api, versions, bom_id):
    _, v2 = versions
    response = api.get(f"/api/manufacturing/boms/{bom_id}/compare?with={v2.pk}")

    assert_problem(response, 404, "not_found")


def test_api_compare_of_units_that_do_not_convert_is_refused(api, versions):
    v1, _ = versions
    liquid = ItemFactory(uom=unit("L"))
    other = BOMFactory(product=liquid, quantity=D(1))

    assert_problem(api.get(url(v1, other)), 400, "uom_mismatch")


def test_api_compare_query_count_does_not_grow_with_bom_size(api, django_assert_max_num_queries):
    small, small_other = _wide(3)
    big, big_other = _wide(80)
    with CaptureQueriesContext(connection) as few:
        assert api.get(url(small, small_other)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert api.get(url(big, big_other, levels="all")).status_code == 200
    assert len(few) == len(many)
