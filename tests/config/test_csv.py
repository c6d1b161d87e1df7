"""The product's CSV dialect (config/csv.py): formula injection neutralised on the way out,
undone on the way in, so what is exported imports back unchanged."""

import ast
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from config import csv

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "=1+2",
    "+1",
    "-1",
    "-Bolt M8",
    "@SUM(A1)",
    "\tTabbed",
    "\rCarriage",
]
# Values that start with a quote, are empty or are harmless: read back exactly as they were.
TRICKY = ["'=already quoted", "''=two quotes", "'", "''", "'plain", "", "plain", "a=b", " =x"]


def roundtrip(rows: list[dict]) -> tuple[str, list[dict]]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_that_a_spreadsheet_would_evaluate_is_written_as_text(value):
    text, [back] = roundtrip([{"number": value}])

    written = text.split("\r\n", 1)[1]
    assert written.lstrip('"').startswith("'" + value[0])
    assert back == {"number": value}


@pytest.mark.parametrize("value", TRICKY)
def test_quotes_and_harmless_text_read_back_exactly(value):
    _, [back] = roundtrip([{"name": value}])

    assert back == {"name": value}


def test_the_exact_cells_written():
    assert [csv.neutralise(v) for v in ["=x", "'=x", "''=x", "'x", "x", "-", "'"]] == [
        "'=x",
        "''=x",
        "'''=x",
        "'x",
        "x",
        "'-",
        "'",
    ]
    assert [csv.restore(v) for v in ["'=x", "''=x", "'x", "'", "x", "'-1"]] == [
        "=x",
        "'=x",
        "'x",
        "'",
        "x",
        "-1",
    ]


def test_numbers_are_written_as_numbers_never_prefixed():
    out = io.StringIO()
    csv.writer(out).writerow(
        [Decimal("-1.5"), -3, Decimal("1E+2"), Decimal("0.000"), None, True, False, "-1.5"]
    )

    assert out.getvalue() == "-1.5,-3,100,0.000,,true,false,'-1.5\r\n"


def test_every_csv_of_the_product_goes_through_config_csv():
    """No module of the product (tests aside) imports the standard library's csv itself."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "tests"} or relative == Path("config/csv.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name == "csv" for a in node.names):
                offenders.append(str(relative))
            if isinstance(node, ast.ImportFrom) and node.module == "csv":
                offenders.append(str(relative))

    assert offenders == []


def test_a_hand_edited_file_is_trimmed_before_the_prefix_is_undone():
    text = 'number,name\r\n  =x  , \'plain \r\n"\'\tTabbed","\'\rCR"\r\n'

    rows = list(csv.DictReader(io.StringIO(text, newline=""), strip=True))

    assert rows == [
        {"number": "=x", "name": "'plain"},
        {"number": "\tTabbed", "name": "\rCR"},
    ]
