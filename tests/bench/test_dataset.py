"""The bench's dataset builders: bulk paths, but what the services would have made."""

import csv
import itertools
from decimal import Decimal
from io import StringIO
from uuid import UUID

import pytest
from django.core.management import call_command

from bench.dataset import (
    BOM_PREFIX,
    DatasetError,
    build_boms,
    build_deep_structure,
    build_items,
    build_stock,
    deep_level_sizes,
    write_import_csv,
)
from bench.scenarios.manufacturing import bare_explosion_totals, bare_where_used
from items.models import Item
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.models import BOM, BOMComponent, BOMStatus
from manufacturing.boms.selectors import item_where_used
from manufacturing.boms.services import bom_content_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return build_items(components=120, assemblies=48)


def boms_of(items, **kwargs):
    options = {
        "count": 48,
        "lines": (20, 30),
        "detail_lines": 36,
        "order_components": (5, 50),
        "depth": 4,
    }
    return build_boms(items=items, **{**options, **kwargs})


def same_totals(explosion, rows) -> bool:
    """The raw cursor gives UUIDs (PostgreSQL) or hex strings, Decimals or floats (SQLite)."""
    expected = {t.item.pk: t.quantity for t in explosion.totals}
    got = {UUID(str(item_id)): Decimal(str(qty)) for item_id, qty in rows}
    return set(got) == set(expected) and all(
        abs(qty - expected[item_id]) < Decimal("0.00001") for item_id, qty in got.items()
    )


@pytest.mark.parametrize(("nodes", "depth"), [(100, 5), (1000, 5), (10_000, 5), (60, 3)])
def test_deep_levels_hold_exactly_the_nodes_and_widen_downwards(nodes, depth):
    sizes = deep_level_sizes(nodes, depth)

    assert len(sizes) == depth + 1
    assert sizes[0] == 1
    assert sum(sizes) + 1 == nodes  # plus the shared leaf
    assert all(a <= b for a, b in itertools.pairwise(sizes))


def test_boms_follow_the_services_rules(items):
    data = boms_of(items)

    boms = list(BOM.objects.filter(pk__in=data.bom_ids).prefetch_related("components"))
    assert len(boms) == 48
    assert data.line_count == BOMComponent.objects.filter(bom_id__in=data.bom_ids).count()
    for bom in boms:
        assert bom.number.startswith(BOM_PREFIX)
        assert bom.status == BOMStatus.SUBMITTED and bom.is_default
        assert bom.content_hash == bom_content_hash(bom=bom)
        bom.full_clean()
        for line in bom.components.all():
            line.full_clean(validate_unique=False)
    sizes = {bom.pk: len(bom.components.all()) for bom in boms}
    assert sizes[data.detail_bom_id] == 36
    assert sizes[data.small_bom_id] == 5
    assert sizes[data.order_boms[50][1]] == 50
    assert data.order_boms[5][1] == data.small_bom_id
    assert BOM.history.filter(id__in=data.bom_ids).count() == 48
    assert BOMComponent.history.count() == data.line_count


def test_the_structure_has_its_depth_and_the_bare_sql_computes_the_same_totals(items):
    data = boms_of(items)
    root = BOM.objects.get(pk=data.structure_root_bom_id)

    explosion = bom_explode(bom=root, levels="all")

    assert max(row.level for row in explosion.requirements) == 4  # levels 1..depth
    assert same_totals(explosion, bare_explosion_totals(root_bom_id=root.pk))


def test_generated_boms_refuse_to_be_built_twice(items):
    boms_of(items)

    with pytest.raises(DatasetError):
        boms_of(items)


def test_stock_agrees_with_the_ledger(items):
    data = build_stock(items=items)

    assert data.levels == 2 * 120
    out = StringIO()
    call_command("check_stock", stdout=out)
    assert "No drift" in out.getvalue()


def test_a_deep_structure_has_exactly_its_nodes_and_the_bare_sql_agrees():
    deep = build_deep_structure(nodes=60, depth=3)

    assert Item.objects.filter(number__startswith="BN-D60-").count() == 60
    root = BOM.objects.get(pk=deep.root_bom_id)
    explosion = bom_explode(bom=root, levels="all")
    assert {row.item.pk for row in explosion.requirements} | {deep.root_item_id} == set(
        Item.objects.filter(number__startswith="BN-D60-").values_list("pk", flat=True)
    )
    assert same_totals(explosion, bare_explosion_totals(root_bom_id=root.pk))

    leaf = Item.objects.get(pk=deep.shared_leaf_item_id)
    rows = item_where_used(item=leaf, levels="all")
    bare = bare_where_used(item_id=leaf.pk)
    assert len(rows) == len(bare) == BOM.objects.filter(number__startswith="BN-D60-").count()
    assert sorted(row["level"] for row in rows) == sorted(level for _, level in bare)


def test_the_import_file_has_its_lines_and_imports(items, tmp_path):
    boms_of(items)
    path = tmp_path / "boms.csv"

    write_import_csv(path, items=items, lines=300)

    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    numbers = {row["bom_number"] for row in rows}
    out = StringIO()
    call_command("import_boms", str(path), stdout=out, stderr=StringIO())
    assert f"Imported {len(numbers)} BOM(s)" in out.getvalue()
    assert BOM.objects.filter(number__in=numbers, is_default=False).count() == len(numbers)
