"""`manage.py trace_lot ITEM LOT [--direction back|forward] [--format table|csv|json]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from config import csv
from inventory.genealogy import lot_trace_forward
from inventory.representations import trace_body
from tests.inventory.genealogy_fixtures import make_genealogy

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("trace_lot", *args, stdout=out)
    return out.getvalue()


def test_table_back_shows_the_tree_with_quantities_and_orders():
    g = make_genealogy()
    out = run("FIN", "FIN-2").splitlines()
    fin2, sub_a = g.orders["fin-2"].reference, g.orders["sub-a"].reference
    assert out[0] == "FIN lot FIN-2 — made of 5 lots over 3 levels"
    assert out[1] == "FIN FIN-2  [WH 8]"
    assert out[2] == f"  SUB SUB-A  3 EA  via {fin2}"
    assert out[3] == f"    RESIN R1  10 kg  via {sub_a}"
    assert any(line.strip().startswith("RESIN R2") and "(shown above)" in line for line in out)


def test_csv_forward_is_a_recall_list_of_every_lot_and_where_it_is():
    g = make_genealogy()
    rows = list(
        csv.DictReader(
            io.StringIO(run("PELLET", "P1", "--direction", "forward", "--format", "csv"))
        )
    )
    by_lot = {}
    for row in rows:
        by_lot.setdefault(row["lot"], []).append(row)
    assert list(by_lot) == ["P1", "R1", "R2", "SUB-A", "SUB-B", "FIN-1", "FIN-2"]
    assert [
        (r["status"], r["warehouse"], r["quantity"], r["reference"]) for r in by_lot["FIN-1"]
    ] == [
        ("on_hand", "WH", "8", ""),
        ("issued", "WH", "4", "SO-1001"),
    ]
    assert by_lot["FIN-1"][0]["orders"] == g.orders["fin-1"].reference
    assert by_lot["FIN-2"][0]["level"] == "3"
    assert [r["status"] for r in by_lot["SUB-A"]] == ["used"]


def test_csv_cells_are_formula_safe():
    g = make_genealogy()
    g.fin.name = '=HYPERLINK("http://evil","x")'
    g.fin.save()
    text = run("SUB", "SUB-A", "--direction", "forward", "--format", "csv")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_json_is_the_api_body():
    g = make_genealogy()
    body = json.loads(run("RESIN", "R2", "--direction", "forward", "--format", "json"))
    assert body == json.loads(json.dumps(trace_body(lot_trace_forward(lot=g.lot("R2")))))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NOPE", "P1"), "No item 'NOPE' has lots."),
        (("PELLET", "P9"), "Item 'PELLET' has no lot 'P9'."),
        (("PELLET", "P1", "--direction", "up"), "invalid choice"),
        (("PELLET", "P1", "--format", "xml"), "invalid choice"),
    ],
)
def test_unknown_item_lot_or_option_is_a_clear_command_error(args, message):
    make_genealogy()
    with pytest.raises(CommandError, match=message):
        run(*args)
