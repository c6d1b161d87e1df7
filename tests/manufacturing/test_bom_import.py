"""The BOM CSV import service (import_boms and the import job call it): all or nothing, every
row error in file order, progress as rows are read, a batch's BOMs created together, the
history the admin shows."""

from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from manufacturing.boms.admin import bom_change_log
from manufacturing.boms.imports import (
    BOMFileUnreadable,
    BOMImportFailed,
    bom_import_check,
    bom_import_csv,
)
from manufacturing.boms.models import BOM, BOMComponent
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory
from tests.manufacturing.test_commands import HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts():
    return {n: ItemFactory(number=n, uom=unit("units")) for n in ("TOP", "FRAME", "BOLT")}


def csv_bytes(*rows: str, header: str = HEADER) -> BytesIO:
    return BytesIO(("\n".join([header, *rows]) + "\n").encode())


def test_import_creates_and_reports_progress_per_row(parts):
    calls = []

    result = bom_import_csv(
        file=csv_bytes(
            "BOM-A,A,TOP,1,,,,,,,FRAME,1,,,,,,",
            "BOM-A,,,,,,,,,,BOLT,2,,,,,,",
            "BOM-B,B,FRAME,1,,,,,,,BOLT,4,,,,,,",
        ),
        actor=None,
        progress=lambda done, total=None: calls.append((done, total)),
    )

    assert (result.created, result.rows, result.dry_run) == (2, 3, False)
    assert calls == [(0, 3), (1, None), (2, None), (3, None)]
    assert set(BOM.objects.values_list("number", flat=True)) == {"BOM-A", "BOM-B"}


def test_every_row_error_in_file_order_and_nothing_saved(parts):
    with pytest.raises(BOMImportFailed) as refused:
        bom_import_csv(
            file=csv_bytes(
                "BOM-OK,Fine,FRAME,1,,,,,,,BOLT,4,,,,,,",
                "BOM-T1,Top,TOP,1,,,,,,,NOPE,1,,,,,,",
                "BOM-T1,,,,,,,,,,BOLT,abc,,,,,,",
                ",,,,,,,,,,BOLT,1,,,,,,",
            ),
            actor=None,
        )

    assert refused.value.detail == "3 error(s), nothing imported."
    assert refused.value.row_errors == [
        "row 5: bom_number is required.",
        "row 3: component_number 'NOPE' is not an active item.",
        "row 4: quantity: A number is required.",
    ]
    assert not BOM.all_objects.exists()
    assert not BOMComponent.objects.exists()


def test_dry_run_counts_and_saves_nothing(parts):
    result = bom_import_csv(
        file=csv_bytes("BOM-A,A,TOP,1,,,,,,,FRAME,1,,,,,,"), actor=None, dry_run=True
    )

    assert (result.created, result.dry_run) == (1, True)
    assert not BOM.all_objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"bom_number,name\nx,y\n", "Missing columns: component_number, product_number, quantity."),
        (HEADER.encode() + b"\nBOM-1,Caf\xe9,TOP,1,,,,,,,FRAME,1,,,,,,\n", "not a UTF-8 CSV file"),
    ],
)
def test_unreadable_files_are_refused_before_any_row(content, message):
    with pytest.raises(BOMFileUnreadable, match=message):
        bom_import_check(file=BytesIO(content))
    with pytest.raises(BOMFileUnreadable, match=message):
        bom_import_csv(file=BytesIO(content), actor=None)


def test_check_counts_the_data_rows_and_rewinds():
    upload = csv_bytes("BOM-A,A,TOP,1,,,,,,,FRAME,1,,,,,,", "BOM-A,,,,,,,,,,BOLT,2,,,,,,")

    assert bom_import_check(file=upload) == 2
    assert upload.tell() == 0


def test_import_queries_do_not_grow_with_the_boms_of_a_batch():
    """A batch's BOMs are created together: 50 BOMs cost the queries 5 do (statuses, default
    flags and cancelled BOMs included)."""
    WorkcenterFactory(code="LINE-A")
    for number in ("P1", "P2", "P3"):
        BOMFactory(product=ItemFactory(number=number))  # each product has its default
    for number in ("C1", "C2", "C3"):
        ItemFactory(number=number)

    def queries(count: int) -> int:
        rows = []
        for n in range(count):
            status, default = [("draft", ""), ("submitted", "true"), ("cancelled", "false")][n % 3]
            head = f"B{count}-{n},Name,P{n % 3 + 1},1,,,{status},{default},2,"
            rows += [f"{head},C1,{n + 1},,,,,,", f"B{count}-{n},,,,,,,,,,C2,2,,,,,,"]
            rows += [
                f"B{count}-{n},,,,,,,,,,C3,3,,,,,,",
                f"B{count}-{n},,,,,,,,,,,,,,10,Cut,LINE-A,5",
            ]
        with CaptureQueriesContext(connection) as captured:
            result = bom_import_csv(file=csv_bytes(*rows), actor=None, dry_run=True)
        assert result.created == count
        return statements(captured)

    assert queries(50) == queries(5) <= 25


def test_the_admin_shows_the_history_of_an_imported_bom(make_user, parts):
    """What the BOM page's "Recent changes" and its history page show for imported BOMs: each
    created by the importing user with its lines and operations, a cancelled BOM's
    cancellation, a default taken over by a later BOM of the file."""
    importer = make_user(superuser=True, username="importer")
    WorkcenterFactory(code="LINE-A", name="Line A")

    bom_import_csv(
        file=csv_bytes(
            "BOM-A,A,TOP,1,,,submitted,,,,FRAME,1,,,,,,",  # TOP's first BOM: its default
            "BOM-A,,,,,,,,,,BOLT,2,,,,,,",
            "BOM-A,,,,,,,,,,,,,,10,Assembly,LINE-A,30",
            "BOM-B,B,TOP,1,,,submitted,true,2,,BOLT,3,,,,,,",  # takes the default over
            "BOM-C,C,FRAME,1,,,cancelled,,,,BOLT,4,,,,,,",
        ),
        actor=importer,
    )

    def log(number):
        bom = BOM.objects.get(number=number)
        return [(r["user"], r["kind"], r["what"], r["summary"]) for r in bom_change_log(bom)]

    assert log("BOM-A") == [
        ("importer", "changed", "BOM BOM-A", "is_default: True → False"),
        ("importer", "created", "Operation 10 Assembly", ""),
        ("importer", "created", "Component BOLT", ""),
        ("importer", "created", "Component FRAME", ""),
        ("importer", "created", "BOM BOM-A", ""),
    ]
    assert log("BOM-B") == [
        ("importer", "created", "Component BOLT", ""),
        ("importer", "created", "BOM BOM-B", ""),
    ]
    assert log("BOM-C") == [
        (
            "importer",
            "changed",
            "BOM BOM-C",
            "status: submitted → cancelled, is_default: True → False",
        ),
        ("importer", "created", "Component BOLT", ""),
        ("importer", "created", "BOM BOM-C", ""),
    ]
    client = Client()
    client.force_login(importer)
    bom = BOM.objects.get(number="BOM-C")
    page = client.get(f"/admin/manufacturing/bom/{bom.pk}/change/").content.decode()
    changes = page[page.index('id="bom-changes"') :]
    assert "Component BOLT" in changes and "submitted → cancelled" in changes
    history = client.get(f"/admin/manufacturing/bom/{bom.pk}/history/")
    assert history.status_code == 200 and "importer" in history.content.decode()


def statements(captured: CaptureQueriesContext) -> int:
    """The queries run, a bulk INSERT counted once even when the database's parameter limit
    split it (SQLite's 999: rows, not BOMs, decide that)."""
    count, previous = 0, None
    for query in captured.captured_queries:
        table = query["sql"].split(" (")[0] if query["sql"].startswith("INSERT") else None
        count += table is None or table != previous
        previous = table
    return count
