"""Two 500s a red-team pass found over the set-based BOM import and the list filters, each
pinned here (fixed in `config.api.filters.DateOrDateTimeField` / `MomentFilter` and in the BOM
services' text checks, `config.texts`):

1. `?to=9999-12-31` (and `from`/`to` datetimes whose UTC value leaves the calendar) on the
   lists with a moment filter were an OverflowError in `MomentFilter.filter` (`moment + 1 day`, both
   databases) or, for the offsets, in SQLite's datetime adapter (PostgreSQL takes those): a 500
   `server_error`.
2. A BOM CSV cell longer than its column (`bom_number` > 64, `bom_name` or `operation_name`
   > 200) or holding a NUL byte: the import never checked them. PostgreSQL raised DataError
   (the command printed a traceback, the job failed with "DataError: …" and no row); SQLite
   stored the over-long or NUL text. The API's BOM create refused the same values with a 400;
   now the services do, for every caller.
"""

import io
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command

from manufacturing.boms.imports import BOMImportFailed, bom_import_csv
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import WorkcenterFactory
from tests.manufacturing.test_commands import HEADER

pytestmark = pytest.mark.django_db


# --- 1. moment filters at the edge of the calendar -------------------------------------------


@pytest.mark.parametrize("path", ["/api/inventory/moves", "/api/manufacturing/orders"])
@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",  # the whole last day: moment + 1 day overflows
        "to=9999-12-31T23:59:59-01:00",  # UTC is year 10000
        "from=0001-01-01T00:00:00%2B01:00",  # UTC is year 0
    ],
)
def test_a_moment_filter_at_the_edge_of_the_calendar_is_not_a_500(api, path, query):
    response = api.get(f"{path}?{query}")

    assert response.status_code != 500, response.content
    if response.status_code == 400:
        assert_problem(response, 400, "validation_error")
    else:
        assert response.status_code == 200


# --- 2. import cells the columns cannot hold --------------------------------------------------


@pytest.fixture
def parts():
    WorkcenterFactory(code="QA")
    return {n: ItemFactory(number=n, uom=unit("units")) for n in ("TOP", "FRAME")}


def _csv(*rows: str) -> BytesIO:
    return BytesIO(("\n".join([HEADER, *rows]) + "\n").encode())


CELLS = {
    "bom_number_65": ("X" * 65 + ",Top,TOP,1,,,,,,,FRAME,1,,,,,,",),
    "bom_name_201": ("BOM-A," + "N" * 201 + ",TOP,1,,,,,,,FRAME,1,,,,,,",),
    "operation_name_201": (
        "BOM-A,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "BOM-A,,,,,,,,,,,,,,10," + "O" * 201 + ",QA,5",
    ),
    "bom_name_nul": ("BOM-A,a\x00b,TOP,1,,,,,,,FRAME,1,,,,,,",),
    "description_nul": ("BOM-A,Top,TOP,1,,,,,,a\x00b,FRAME,1,,,,,,",),
    "bom_number_nul": ("BOM\x00A,Top,TOP,1,,,,,,,FRAME,1,,,,,,",),
    "operation_name_nul": (
        "BOM-A,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "BOM-A,,,,,,,,,,,,,,10,we\x00ld,QA,5",
    ),
}


@pytest.mark.parametrize("rows", CELLS.values(), ids=CELLS.keys())
def test_an_import_cell_its_column_cannot_hold_is_a_row_error_and_nothing_is_saved(parts, rows):
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv(*rows), actor=None)

    assert refused.value.row_errors, "the refusal names the row"
    assert all(error.startswith("row ") for error in refused.value.row_errors)
    assert not BOM.all_objects.exists()
    assert not BOMComponent.objects.exists()
    assert not BOMOperation.objects.exists()


def test_import_boms_reports_an_over_long_name_as_a_command_error_not_a_traceback(parts, tmp_path):
    path = tmp_path / "boms.csv"
    path.write_text(f"{HEADER}\nBOM-A,{'N' * 201},TOP,1,,,,,,,FRAME,1,,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError, match="row 2"):
        call_command("import_boms", str(path))
    assert not BOM.all_objects.exists()


# --- 3. more of the same pass: errors lost, a default lost, digits Python takes ----------------


def test_rows_of_a_bom_split_in_two_still_report_the_errors_of_the_bom_between(parts):
    """X1, X2 (an unknown component), X1 again: both the split and X2's unknown item are
    reported (X2 was dropped with its errors when X1 came back)."""
    rows = (
        "X1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "X2,Top,TOP,1,,,,,,,NOPE-ITEM,1,,,,,,",
        "X1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
    )
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv(*rows), actor=None)

    errors = refused.value.row_errors
    assert any(e.startswith("row 4:") and "consecutive" in e for e in errors), errors
    assert any(e.startswith("row 3:") and "NOPE-ITEM" in e for e in errors), errors
    assert not BOM.all_objects.exists()


def test_a_cancelled_bom_asked_to_be_the_default_is_refused_and_the_default_stays(parts):
    bom_import_csv(file=_csv("X1,Top,TOP,1,,,submitted,true,1,,FRAME,1,,,,,,"), actor=None)
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv("X2,Top,TOP,1,,,cancelled,true,2,,FRAME,1,,,,,,"), actor=None)

    assert any("cannot be the default" in e for e in refused.value.row_errors)
    assert list(BOM.objects.values_list("number", "is_default")) == [("X1", True)]


@pytest.mark.parametrize(
    "column, row",
    [
        ("bom_quantity", "X1,Top,TOP,1_000,,,,,,,FRAME,1,,,,,,"),
        ("quantity", "X1,Top,TOP,1,,,,,,,FRAME,\u0663,,,,,,"),
        ("version", "X1,Top,TOP,1,,,,,1_0,,FRAME,1,,,,,,"),
        ("version", "X1,Top,TOP,1,,,,,+4,,FRAME,1,,,,,,"),
        ("version", "X1,Top,TOP,1,,,,,\u0661\u0662,,FRAME,1,,,,,,"),
    ],
)
def test_numbers_python_reads_but_a_person_would_not_write_are_refused(parts, column, row):
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv(row), actor=None)

    assert any(column in e for e in refused.value.row_errors), refused.value.row_errors
    assert not BOM.all_objects.exists()


@pytest.mark.parametrize("text", ["1_000", "\u0663", "1 000", "0x10", "\uff11"])
def test_the_number_policy_takes_ascii_decimals_only(text):
    from config.quantities import QUANTITY, number_errors

    assert number_errors(text, kind=QUANTITY, sign="any")[0] is None
    assert number_errors(" +2.50e1 ", kind=QUANTITY, sign="any")[0] == 25


def test_a_column_given_twice_is_refused_before_anything_is_read(parts):
    from manufacturing.boms.imports import BOMFileUnreadable

    text = HEADER.replace("bom_name,", "bom_number,", 1) + "\nX1,X9,TOP,1,,,,,,,FRAME,1,,,,,,\n"
    with pytest.raises(BOMFileUnreadable, match="more than once: bom_number"):
        bom_import_csv(file=BytesIO(text.encode()), actor=None)
    assert not BOM.all_objects.exists()


def test_to_the_calendars_last_day_keeps_leaving_out_rows_without_the_date(api):
    """`to=9999-12-31` is every moment, but an order with no scheduled date is not before it:
    the same rows as `to=9999-12-30`."""
    from manufacturing.orders.models import ProductionOrder
    from tests.manufacturing.orders_fixtures import make_order, make_plant

    plant = make_plant(stock=False)
    from django.utils import timezone

    scheduled, unscheduled = make_order(plant), make_order(plant)
    ProductionOrder.objects.filter(pk=scheduled.pk).update(scheduled_date=timezone.now())
    ProductionOrder.objects.filter(pk=unscheduled.pk).update(scheduled_date=None)
    last = api.get("/api/manufacturing/orders?to=9999-12-31")
    before = api.get("/api/manufacturing/orders?to=9999-12-30")
    assert last.status_code == before.status_code == 200
    assert last.json()["meta"]["total"] == before.json()["meta"]["total"] == 1


# --- 4. whole numbers typed as text: one rule (config.quantities.whole_number) ------------------


@pytest.mark.parametrize(
    "row",
    [
        "X1,Top,TOP,1,,,,," + "9" * 5000 + ",,FRAME,1,,,,,,",  # int() raises past 4,300 digits
        "X1,Top,TOP,1,,,,,\u00b2,,FRAME,1,,,,,,",  # '²' is a digit to isdigit(), not to int()
    ],
    ids=["version_5000_digits", "version_superscript"],
)
def test_a_version_no_int_holds_is_a_row_error_not_a_crash(parts, row):
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv(row), actor=None)

    assert any(e.startswith("row 2: version") for e in refused.value.row_errors)
    assert not BOM.all_objects.exists()


def test_an_operation_sequence_in_superscript_is_a_row_error(parts):
    rows = ("BOM-A,Top,TOP,1,,,,,,,FRAME,1,,,,,,", "BOM-A,,,,,,,,,,,,,,\u00b9\u2070,Weld,QA,5")
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(file=_csv(*rows), actor=None)

    assert any("operation_sequence" in e for e in refused.value.row_errors)


@pytest.mark.parametrize("lead", ["\u00b2", "9" * 5000, "\u0661\u0662", "+4", "1_0"])
def test_planning_parameters_lead_time_no_int_holds_is_a_row_error(tmp_path, lead):
    from manufacturing.planning.imports import ImportRefused, parameters_import_csv
    from manufacturing.planning.models import ItemPlanning

    ItemFactory(number="A1")
    text = (
        "item_number,procurement,planned,lead_time_days,safety_stock,lot_minimum,lot_multiple\n"
        f"A1,buy,true,{lead},10,0,5\n"
    )
    with pytest.raises(ImportRefused) as refused:
        parameters_import_csv(file=io.StringIO(text))
    assert "row 2: lead_time_days" in refused.value.detail
    assert not ItemPlanning.objects.exists()


@pytest.mark.parametrize("page", ["\u0661", "%2B1", "1_0", "9" * 5000])  # %2B: a plus sign
def test_a_page_number_typed_any_other_way_than_ascii_digits_is_a_400(api, page):
    response = api.get(f"/api/items?page={page}")

    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["page"]


def test_a_refusal_of_a_whole_batch_names_its_rows_and_saves_nothing(parts, monkeypatch):
    """A batch refused as a whole (the database's unique number, past the checks: a writer
    that did not take the graph lock) blames no single row. Injected: no test can interleave
    a writer between the check and the insert while the import holds the graph lock."""
    from config.exceptions import ValidationFailed
    from manufacturing.boms import imports

    def refused(**kwargs):
        raise ValidationFailed("One of the numbers is already used by an active BOM.")

    monkeypatch.setattr(imports, "bom_create_many", refused)
    rows = (
        "X1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "X2,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "X2,,,,,,,,,,,,,,10,Weld,QA,5",
    )
    with pytest.raises(BOMImportFailed) as failed:
        bom_import_csv(file=_csv(*rows), actor=None)

    assert failed.value.row_errors == [
        "rows 2-4: none of these BOMs could be saved: One of the numbers is already used by an "
        "active BOM. (validation_error)"
    ]
    assert not BOM.all_objects.exists()
