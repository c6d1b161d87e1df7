"""import_boms, export_boms, explode_bom and the demo data."""

import csv as std_csv
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from items.models import Item
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, BOMStatus, Workcenter
from manufacturing.boms.services import (
    bom_archive,
    bom_cancel,
    bom_content_hash,
    bom_copy,
    bom_set_default,
    bom_submit,
)
from manufacturing.models import Sequence
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, chain, line, op

pytestmark = pytest.mark.django_db
HEADER = (
    "bom_number,bom_name,product_number,bom_quantity,bom_uom,bom_type,bom_status,is_default,"
    "version,description,component_number,quantity,unit,scrap_percent,operation_sequence,"
    "operation_name,workcenter,duration_minutes"
)


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "boms.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def run(name, *args):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def parts():
    WorkcenterFactory(code="LINE-A", name="Line A")
    return {
        n: ItemFactory(number=n, uom=unit(u))
        for n, u in (("TOP", "units"), ("FRAME", "units"), ("BOLT", "EA"), ("PAINT", "L"))
    }


def test_import_creates_boms_with_components_and_operations(tmp_path, parts):
    path = write(
        tmp_path,
        "BOM-T1,Top,TOP,2,units,manufacture,submitted,,3,Main,FRAME,1,,,,,,",
        "BOM-T1,,,,,,,,,,BOLT,8,EA,2.5,,,,",
        "BOM-T1,,,,,,,,,,PAINT,250,mL,,,,,",
        "BOM-T1,,,,,,,,,,,,,,20,Assembly,LINE-A,35",
        "BOM-F1,Frame,FRAME,,,,,,,,BOLT,4,,,,,,",
    )

    output = run("import_boms", path)

    assert "Imported 2 BOM(s)" in output
    top = BOM.objects.get(number="BOM-T1")
    assert (top.name, top.quantity, top.status, top.version, top.description) == (
        "Top",
        Decimal(2),
        BOMStatus.SUBMITTED,
        3,
        "Main",
    )
    assert [
        (c.item.number, c.quantity, c.uom.symbol, c.scrap_percent)
        for c in top.components.order_by("position")
    ] == [
        ("FRAME", 1, "units", 0),
        ("BOLT", 8, "EA", Decimal("2.5")),
        ("PAINT", 250, "mL", 0),
    ]
    assert [(o.sequence, o.name, o.workcenter.code) for o in top.operations.all()] == [
        (20, "Assembly", "LINE-A")
    ]
    assert top.content_hash == bom_content_hash(bom=top)


def test_import_dry_run_saves_nothing(tmp_path, parts):
    path = write(tmp_path, "BOM-T1,Top,TOP,1,,,,,,,FRAME,1,,,,,,")

    output = run("import_boms", path, "--dry-run")

    assert "Would import 1 BOM(s)" in output
    assert not BOM.all_objects.exists()


def test_import_reports_row_numbered_errors_and_imports_nothing(tmp_path, parts):
    path = write(
        tmp_path,
        "BOM-OK,Fine,FRAME,1,,,,,,,BOLT,4,,,,,,",  # row 2: valid on its own
        "BOM-T1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",  # row 3
        "BOM-T1,,,,,,,,,,NOPE,1,,,,,,",  # row 4: unknown item
        "BOM-T1,,,,,,,,,,BOLT,abc,,,,,,",  # row 5: not a number
        "BOM-T2,Two,TOP,1,,,,,,,BOLT,1,kg,,,,,",  # row 6: unit of another category
        "BOM-T3,Three,TOP,1,,,,,,,BOLT,0,,,,,,",  # row 7: zero
        "BOM-T4,Four,TOP,1,,,,,,,BOLT,1,,,,,,",  # row 8
        "BOM-T4,,,,,,,,,,BOLT,2,,,,,,",  # row 9: duplicate component
        "BOM-T5,Five,TOP,1,,,,,,,,,,,10,Weld,LINE-Z,5",  # row 10: unknown workcenter
    )

    with pytest.raises(CommandError) as exc:
        run("import_boms", path)

    message = str(exc.value)
    assert "nothing imported" in message
    assert "row 4: component_number 'NOPE' is not an active item." in message
    assert "row 5: quantity: A number is required." in message
    assert "row 6:" in message and "uom_mismatch" in message
    assert "row 7: quantity: Must be greater than zero." in message
    assert "row 9:" in message and "duplicate_component" in message
    assert "row 10: workcenter 'LINE-Z' is not an active workcenter." in message
    assert "row 2" not in message
    assert not BOM.all_objects.exists()
    assert not BOMComponent.objects.exists()


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_import_refuses_cycles_at_depth(tmp_path, depth):
    levels, _ = chain(depth)
    top, bottom = levels[0][0], levels[depth][0]
    path = write(tmp_path, f"BOM-C,Cycle,{bottom.number},1,,,,,,,{top.number},1,,,,,,")

    with pytest.raises(CommandError, match=r"row 2: .*circular_reference"):
        run("import_boms", path)

    assert not BOM.objects.filter(number="BOM-C").exists()


def test_import_refuses_a_cycle_within_the_file(tmp_path, parts):
    path = write(
        tmp_path,
        "BOM-A,A,TOP,1,,,,,,,FRAME,1,,,,,,",
        "BOM-B,B,FRAME,1,,,,,,,TOP,1,,,,,,",
    )

    with pytest.raises(CommandError, match=r"row 3: .*circular_reference"):
        run("import_boms", path)

    assert not BOM.all_objects.exists()


def test_import_refuses_scattered_rows_and_missing_columns(tmp_path, parts):
    scattered = write(
        tmp_path,
        "BOM-A,A,TOP,1,,,,,,,FRAME,1,,,,,,",
        "BOM-B,B,FRAME,1,,,,,,,BOLT,1,,,,,,",
        "BOM-A,,,,,,,,,,BOLT,1,,,,,,",
    )
    with pytest.raises(CommandError, match="row 4: the rows of BOM BOM-A must be consecutive"):
        run("import_boms", scattered)

    no_columns = write(tmp_path, "x", header="bom_number,name")
    with pytest.raises(CommandError, match="Missing columns"):
        run("import_boms", no_columns)
    with pytest.raises(CommandError, match="No such file"):
        run("import_boms", str(tmp_path / "nope.csv"))


def test_import_refuses_an_existing_number(tmp_path, parts):
    BOMFactory(number="BOM-T1")
    path = write(tmp_path, "BOM-T1,Top,TOP,1,,,,,,,FRAME,1,,,,,,")

    with pytest.raises(CommandError, match=r"row 2: .*already used"):
        run("import_boms", path)


def test_export_then_import_into_an_empty_database_gives_the_same_boms(tmp_path):
    line_a = WorkcenterFactory(code="LINE-A", name="Line A")
    qa = WorkcenterFactory(code="QA", name="QA")
    steel, bolt, nut = ItemFactory(), ItemFactory(), ItemFactory()
    paint, wire = ItemFactory(uom=unit("L")), ItemFactory(uom=unit("kg"))
    frame, kit, widget = ItemFactory(), ItemFactory(type="consumable"), ItemFactory()
    frame_bom = BOMFactory(
        product=frame,
        lines=[line(steel), line(paint, 250, "mL", scrap=5)],
        operations=[op(line_a, 20, "Weld"), op(qa, "2.5", "Check", sequence=35)],
    )
    bom_submit(bom=frame_bom)
    BOMFactory(product=kit, type="phantom", lines=[line(bolt, 8), line(nut, 8)])
    standard = BOMFactory(
        product=widget,
        number="WP-STD",
        name="Widget, standard",
        description='Quoted, "tricky"\nmultiline',
        quantity=Decimal("2.5"),
        lines=[line(frame), line(kit), line(wire, "0.125", "g", "1.5")],
        operations=[op(line_a, "7.25", sequence=5), op(qa, "1", name="Pack")],
    )
    bom_submit(bom=standard)
    bom_copy(bom=standard)  # v2, a draft that is not the default
    cancelled = BOMFactory(product=widget, is_default=True, lines=[line(bolt, 6)], version=4)
    bom_submit(bom=cancelled)
    bom_cancel(bom=cancelled)  # the product is left without a default
    bom_set_default(bom=standard)
    archived = BOMFactory(lines=[line(steel)])
    bom_archive(bom=archived)  # archived BOMs are not exported

    def snapshot():
        return sorted(
            (
                b.number,
                b.name,
                b.description,
                b.product_id,
                b.quantity,
                b.uom_id,
                b.type,
                b.status,
                b.is_default,
                b.version,
                b.content_hash,
            )
            for b in BOM.objects.all()
        )

    before = snapshot()
    assert len(before) == 5
    path = tmp_path / "export.csv"
    run("export_boms", "--output", str(path))
    BOM.history.all().delete()
    BOMComponent.objects.all().delete()
    BOMOperation.objects.all().delete()
    BOM.all_objects.all().hard_delete()
    Sequence.objects.all().delete()

    output = run("import_boms", str(path))

    assert f"Imported {len(before)} BOM(s)" in output
    assert snapshot() == before
    assert all(b.content_hash == bom_content_hash(bom=b) for b in BOM.objects.all())


HYPERLINK = '=HYPERLINK("http://x","y")'


def test_export_neutralises_formulas_and_imports_them_back_exactly(tmp_path):
    """CSV injection: a text cell a spreadsheet would evaluate (=, +, -, @, tab, CR first) is
    written with a leading quote; the import takes it off again, so the round trip is exact."""
    welder = WorkcenterFactory(code="@WELD", name="-Welding")
    product = ItemFactory(number=HYPERLINK, name="@risk")
    part = ItemFactory(number="-PART-1", name="+plus")
    quoted = ItemFactory(number="'=already", name="'")
    bom = BOMFactory(
        product=product,
        number="=BOM-1",
        name="-minus first",
        description="\tTabbed,\rthen a carriage return",
        lines=[line(part, 2), line(quoted, "0.5")],
        operations=[op(welder, 5, name="=cmd|' /C calc'!A0")],
    )
    bom_submit(bom=bom)

    def snapshot():
        return [
            (
                b.number,
                b.name,
                b.description,
                b.product.number,
                b.status,
                [(c.item.number, c.quantity) for c in b.components.order_by("position")],
                [(o.name, o.workcenter.code) for o in b.operations.order_by("sequence")],
                b.content_hash,
            )
            for b in BOM.objects.order_by("number")
        ]

    before = snapshot()
    path = tmp_path / "export.csv"
    run("export_boms", "--output", str(path))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(std_csv.reader(handle))

    assert rows[1][:4] == ["'=BOM-1", "'-minus first", "'" + HYPERLINK, "1"]
    assert rows[1][9:12] == ["'\tTabbed,\rthen a carriage return", "'-PART-1", "2"]
    assert rows[2][10] == "''=already"
    assert rows[3][15:17] == ["'=cmd|' /C calc'!A0", "'@WELD"]
    assert not any(cell[:1] in "=+-@\t\r" for row in rows for cell in row if cell)

    BOM.history.all().delete()
    BOMComponent.objects.all().delete()
    BOMOperation.objects.all().delete()
    BOM.all_objects.all().hard_delete()
    assert "Imported 1 BOM(s)" in run("import_boms", str(path))
    assert snapshot() == before


def test_explode_bom_csv_neutralises_formulas(parts):
    part = ItemFactory(number=HYPERLINK, name="@SUM(A1)")
    BOMFactory(number="BOM-X", product=parts["TOP"], lines=[line(part, 3)])

    csv_out = run("explode_bom", "BOM-X", "--format", "csv")

    assert list(std_csv.reader(StringIO(csv_out)))[1] == [
        "1",
        "'" + HYPERLINK,
        "'" + HYPERLINK,
        "'@SUM(A1)",
        "3",
        "EA",
        "true",
        "3.0000",  # the factory's standard cost of 1
    ]


def test_export_to_stdout(parts):
    BOMFactory(number="BOM-Z", product=parts["TOP"], lines=[line(parts["BOLT"], 3)])

    output = run("export_boms")

    assert output.splitlines()[0] == HEADER
    assert output.splitlines()[1].startswith("BOM-Z,")


def test_explode_bom_formats(parts):
    BOMFactory(product=parts["FRAME"], lines=[line(parts["BOLT"], 4)])
    BOMFactory(number="BOM-TOP", product=parts["TOP"], lines=[line(parts["FRAME"], 2)])

    table = run("explode_bom", "BOM-TOP", "--quantity", "100")
    csv_out = run("explode_bom", "BOM-TOP", "--quantity", "100", "--format", "csv")
    data = json.loads(run("explode_bom", "BOM-TOP", "--quantity", "100", "--format", "json"))

    assert "+ FRAME" in table and "    BOLT" not in table and "  BOLT" in table
    assert csv_out.splitlines()[1:] == [
        f"1,FRAME,FRAME,{parts['FRAME'].name},200,units,false,800.0000",  # rolled up
        f"2,FRAME/BOLT,BOLT,{parts['BOLT'].name},800,EA,true,800.0000",
    ]
    assert data["quantity"] == 100
    assert [r["quantity"] for r in data["requirements"]] == [200, 800]
    assert data["cost"]["perUnit"] == 8
    with pytest.raises(CommandError, match="No active BOM"):
        run("explode_bom", "NOPE")
    with pytest.raises(CommandError):
        run("explode_bom", "BOM-TOP", "--quantity", "zero")
    with pytest.raises(CommandError):
        run("explode_bom", "BOM-TOP", "--quantity", "-1")
    for not_a_quantity in ("NaN", "Infinity", "1e30"):  # clean errors, not tracebacks
        with pytest.raises(CommandError, match="quantity"):
            run("explode_bom", "BOM-TOP", "--quantity", not_a_quantity)


def test_seed_demo_builds_the_widget_pro_structure_idempotently(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Workcenter.objects.count(), BOM.all_objects.count())

    call_command("seed_demo", stdout=StringIO())

    # 6 BOMs of manufacturing.demo, the Painted Frame's second version (demo_change) and 2 of
    # the lot genealogy (demo_lots).
    assert (Workcenter.objects.count(), BOM.all_objects.count()) == counts == (4, 9)
    widget = Item.objects.get(number="WIDGET-PRO")
    default = BOM.objects.get(product=widget, is_default=True)
    assert default.status == BOMStatus.SUBMITTED
    assert BOM.objects.filter(product=widget).count() == 2  # the alternate
    assert BOM.all_objects.filter(deleted_at__isnull=False).count() == 1
    explosion = bom_explode(bom=default)
    assert max(r.level for r in explosion.requirements) == 2
    numbers = [r.number for r in explosion.requirements]
    assert "KIT-FAST" not in numbers and "HW-BOLT-M10" in numbers
    paint = next(r for r in explosion.requirements if r.number == "CHM-PAINT-001")
    assert paint.quantity == Decimal("0.2625")  # 250 mL + 5 % scrap, in litres
    assert explosion.cost.total > 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["BOM-H1,Top,TOP,1,,,,,99999999999999999999,,FRAME,1,,,,,,"],
            "row 2: Must be a whole number from 1",
        ),
        (
            ["BOM-H2,Top,TOP,1,,,,,,,FRAME,1e15,,,,,,"],
            "row 2: quantity: At most 12 digits before the decimal point",
        ),
        (
            ["BOM-H3,Top,TOP,1e15,,,,,,,FRAME,1,,,,,,"],
            "row 2: bom_quantity: At most 12 digits before the decimal point",
        ),
        (
            ["BOM-H4,Top,TOP,1,,,,,,,FRAME,1,,1e9,,,,"],
            "row 2: scrap_percent: At most 5 digits before the decimal point",
        ),
        (
            [
                "BOM-H5,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
                "BOM-H5,,,,,,,,,,,,,,99999999999,Paint,LINE-A,5",
            ],
            "row 3: Must be a whole number from 0",
        ),
        (
            [
                "BOM-H6,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
                "BOM-H6,,,,,,,,,,,,,,10,Paint,LINE-A,1e12",
            ],
            "row 3: duration_minutes: At most 10 digits before the decimal point",
        ),
    ],
)
def test_import_of_values_no_column_holds_is_a_row_error_not_a_traceback(
    tmp_path, parts, rows, message
):
    with pytest.raises(CommandError, match=message):
        run("import_boms", write(tmp_path, *rows))

    assert not BOM.all_objects.exists()


def test_import_of_a_file_that_is_not_utf8_is_a_clean_error(tmp_path, parts):
    path = tmp_path / "boms.csv"
    path.write_bytes((HEADER + "\nBOM-L1,Caf\xe9,TOP,1,,,,,,,FRAME,1,,,,,,\n").encode("latin-1"))

    with pytest.raises(CommandError, match="not a UTF-8 CSV"):
        run("import_boms", str(path))

    assert not BOM.all_objects.exists()


def test_import_resolves_a_workcenter_name_before_a_code_as_the_api_does(tmp_path, parts, api):
    named = WorkcenterFactory(code="PS-1", name="PAINT")
    WorkcenterFactory(code="PAINT", name="Old paint booth")
    path = write(
        tmp_path,
        "BOM-W1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
        "BOM-W1,,,,,,,,,,,,,,10,Paint,PAINT,5",
    )

    run("import_boms", path)
    created = api.post(
        "/api/manufacturing/boms",
        {
            "productNumber": "FRAME",
            "components": [{"productNumber": "BOLT", "quantity": 1}],
            "operations": [{"name": "Paint", "workcenter": "PAINT", "durationMinutes": 5}],
        },
    ).json()

    imported = BOMOperation.objects.get(bom__number="BOM-W1")
    assert imported.workcenter == named
    assert created["operations"][0]["workcenterId"] == str(named.pk)
