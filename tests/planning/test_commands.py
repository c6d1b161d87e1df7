"""run_mrp, export_plan, import_demands, planning_parameters: thin wrappers over the services."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from manufacturing.planning import services
from manufacturing.planning.models import Demand, ItemPlanning, PlannedOrder, PlanningRun
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line

pytestmark = pytest.mark.django_db


def _structure():
    part, top = ItemFactory(number="PART"), ItemFactory(number="TOP")
    BOMFactory(product=top, lines=[line(part, 2)], status="submitted")
    return part, top


def test_run_mrp_dry_run_saves_nothing_and_summarises():
    _part, top = _structure()
    services.demand_create(item=top, quantity=D(3), due_date=date.today() + timedelta(days=300))
    out = io.StringIO()
    call_command("run_mrp", "--dry-run", "--horizon", "365", stdout=out, stderr=io.StringIO())
    assert "would plan 1 make and 1 buy order(s)" in out.getvalue()
    assert not PlanningRun.objects.exists()


def test_run_mrp_saves_the_plan_and_export_plan_writes_it(tmp_path):
    _part, top = _structure()

    services.demand_create(
        item=top, quantity=D(3), due_date=date.today() + timedelta(days=5), reference="SO-7"
    )
    out = io.StringIO()
    call_command("run_mrp", stdout=out, stderr=io.StringIO())
    assert "Planned 1 make and 1 buy order(s)" in out.getvalue()
    assert PlannedOrder.objects.count() == 2

    target = tmp_path / "plan.csv"
    call_command("export_plan", "--output", str(target), stdout=io.StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["kind"], r["item_number"], r["quantity"]) for r in rows] == [
        ("make", "TOP", "3"),
        ("buy", "PART", "6"),
    ]
    assert rows[0]["pegged_to"] == "SO-7"
    assert rows[1]["pegged_to"] == "TOP"


def test_run_mrp_bad_arguments_fail():
    with pytest.raises(CommandError):
        call_command("run_mrp", "--horizon", "0", stdout=io.StringIO())
    assert not PlanningRun.objects.exists()


def test_import_demands_all_or_nothing(tmp_path):
    ItemFactory(number="A1")
    good = tmp_path / "good.csv"
    good.write_text("item_number,quantity,due_date,kind,reference\nA1,5,2026-04-01,sales,SO-1\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "item_number,quantity,due_date\nA1,5,2026-04-01\nNOPE,1,2026-04-01\nA1,-2,2026-04-01\n"
        "A1,1,soon\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_demands", str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 3: item_number 'NOPE'" in err.getvalue()
    assert "row 4: quantity" in err.getvalue()
    assert "row 5: due_date" in err.getvalue()
    assert not Demand.objects.exists()

    call_command("import_demands", str(good), "--dry-run", stdout=io.StringIO())
    assert not Demand.objects.exists()
    call_command("import_demands", str(good), stdout=io.StringIO())
    assert Demand.objects.get().reference == "SO-1"


def test_planning_parameters_command(tmp_path):
    ItemFactory(number="A1")
    path = tmp_path / "params.csv"
    path.write_text(
        "item_number,procurement,planned,lead_time_days,safety_stock,lot_minimum,lot_multiple\n"
        "A1,buy,true,4,10,0,5\n"
    )
    call_command("planning_parameters", str(path), stdout=io.StringIO())
    row = ItemPlanning.objects.get()
    assert (row.procurement, row.lead_time_days, row.safety_stock, row.lot_multiple) == (
        "buy",
        4,
        D(10),
        D(5),
    )
    path.write_text("item_number,procurement\nA1,steal\n")
    with pytest.raises(CommandError):
        call_command("planning_parameters", str(path), stdout=io.StringIO(), stderr=io.StringIO())
