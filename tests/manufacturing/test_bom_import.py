"""The BOM CSV import service (import_boms and the import job call it): all or nothing, every
row error in file order, progress as rows are read."""

from io import BytesIO

import pytest

from manufacturing.boms.imports import (
    BOMFileUnreadable,
    BOMImportFailed,
    bom_import_check,
    bom_import_csv,
)
from manufacturing.boms.models import BOM, BOMComponent
from tests.items.factories import ItemFactory, unit
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
