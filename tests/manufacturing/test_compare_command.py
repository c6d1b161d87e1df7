"""`manage.py compare_boms NUMBER OTHER [--levels 1|all] [--format table|csv|json]`."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.test_bom_compare import versions  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("compare_boms", *args, stdout=out)
    return out.getvalue()


def test_table_marks_added_removed_and_changed_rows(versions):  # noqa: F811
    text = run("TOP-V1", "TOP-V2")

    assert text.startswith("TOP-V1 v1 → TOP-V2 v2")
    assert "~ PAINT" in text and "0.5 L +0% scrap → 500 mL +0% scrap" in text
    assert "- SCREW" in text and "+ GLUE" in text
    assert "~ total" in text and "65.4000 → 83.0000  (Δ 17.6000)" in text


def test_csv_has_one_row_per_difference_with_the_cost(versions):  # noqa: F811
    rows = list(csv.DictReader(StringIO(run("TOP-V1", "TOP-V2", "--format", "csv"))))

    board = next(r for r in rows if r["section"] == "requirement" and r["key"] == "BOARD")
    assert (board["change"], board["old"], board["new"], board["delta"]) == (
        "changed",
        "2",
        "2.2",
        "0.2",
    )
    paint = next(r for r in rows if r["section"] == "component" and r["key"] == "PAINT")
    assert paint["changed"] == "quantity uom"
    total = next(r for r in rows if r["section"] == "cost" and r["key"] == "total")
    assert (total["old"], total["new"], total["delta"]) == ("65.4000", "83.0000", "17.6000")


def test_csv_neutralises_formulas_in_names():
    top = ItemFactory()
    evil = ItemFactory(number="EVIL", name="=HYPERLINK(1)")
    BOMFactory(number="A-1", product=top, lines=[line(evil, 1)])
    BOMFactory(number="A-2", product=top, version=2, lines=[line(evil, 2)])

    text = run("A-1", "A-2", "--format", "csv")

    assert ",=HYPERLINK" not in text
    assert "'=HYPERLINK(1)" in text


def test_json_is_the_api_body(versions):  # noqa: F811
    body = json.loads(run("TOP-V1", "TOP-V2", "--levels", "all", "--format", "json"))

    assert body["levels"] == "all"
    assert body["cost"]["delta"]["total"] == 17.6


@pytest.mark.parametrize("args", [("TOP-V1", "NOPE"), ("NOPE", "TOP-V2")])
def test_unknown_numbers_are_command_errors(versions, args):  # noqa: F811
    with pytest.raises(CommandError, match="No active BOM numbered NOPE"):
        run(*args)


def test_units_that_do_not_convert_are_a_command_error(versions):  # noqa: F811
    BOMFactory(number="LIQ-1", product=ItemFactory(uom=unit("L")))

    with pytest.raises(CommandError, match="cannot be compared"):
        run("TOP-V1", "LIQ-1")
