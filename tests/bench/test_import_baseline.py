"""The import's floor (bench/import_baseline.py) loads exactly the rows the import writes, history
included, and leaves nothing behind."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.dataset import write_import_csv
from bench.import_baseline import load
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation
from tests.bench.test_dataset import boms_of, items  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

TABLES = (BOM, BOMComponent, BOMOperation)


def counts() -> list[int]:
    return [n for model in TABLES for n in (model.objects.count(), model.history.count())]


def test_the_baseline_loads_what_the_import_writes_and_rolls_back(items, tmp_path):  # noqa: F811
    boms_of(items)
    path = tmp_path / "boms.csv"
    write_import_csv(path, items=items, lines=300)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    boms = len({row["bom_number"] for row in rows})
    before = counts()

    operations = sum(1 for row in rows if row["operation_name"])
    components = len(rows) - operations

    with CaptureQueriesContext(connection) as queries:
        loaded = load(path)

    assert loaded == boms + len(rows)
    assert counts() == before  # rolled back
    assert len(queries) < 30  # in bulk: not a statement per row
    call_command("import_boms", str(path), stdout=StringIO(), stderr=StringIO())
    written = [after - was for after, was in zip(counts(), before, strict=True)]
    assert written == [boms, boms, components, components, operations, operations]
