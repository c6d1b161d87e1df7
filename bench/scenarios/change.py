"""Engineering change (issue 14): comparing two 500-line versions of a BOM, through the API,
with its query count against two 5-line versions (must not grow with the lines)."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from bench.context import Context, expect_status
from bench.dataset import MANUFACTURING
from bench.registry import Part, register_part, scenario

COMPARE_LINES = 500


@dataclass(frozen=True)
class CompareVersions:
    big: tuple[UUID, UUID]  # v1, v2 of 500 lines each
    small: tuple[UUID, UUID]  # of 5 lines each


def build_versions(*, lines: int, prefix: str) -> tuple[UUID, UUID]:
    """v1 of `lines` lines; v2 keeps 90 % of them (a fifth with a new quantity, a tenth with
    scrap), drops a tenth and adds as many new ones."""
    from items.models import Item, UnitOfMeasure
    from manufacturing.boms.services import bom_create
    from manufacturing.boms.specs import BOMSpec, ComponentSpec

    unit = UnitOfMeasure.objects.get(symbol="EA")
    dropped = max(lines // 10, 1)
    product = Item.objects.create(number=f"{prefix}-TOP", name="Compare top", uom=unit)
    parts = Item.objects.bulk_create(
        Item(number=f"{prefix}-{n:05d}", name=f"Part {n}", uom=unit, standard_cost=Decimal(n % 7))
        for n in range(lines + dropped)
    )

    def spec(rows) -> BOMSpec:
        return BOMSpec(product=product, components=rows, operations=[])

    v1 = bom_create(
        spec=spec([ComponentSpec(item=p, quantity=Decimal(1)) for p in parts[:lines]]), actor=None
    )
    kept = parts[dropped:lines]
    rows = [
        ComponentSpec(
            item=p,
            quantity=Decimal(2) if n % 5 == 0 else Decimal(1),
            scrap_percent=Decimal(3) if n % 10 == 1 else Decimal(0),
        )
        for n, p in enumerate(kept)
    ]
    rows += [ComponentSpec(item=p, quantity=Decimal(1)) for p in parts[lines:]]
    v2 = bom_create(spec=spec(rows), version=2, actor=None)
    return v1.pk, v2.pk


def _versions(ctx: Context) -> CompareVersions:
    return CompareVersions(
        big=build_versions(lines=COMPARE_LINES, prefix="CMPB"),
        small=build_versions(lines=5, prefix="CMPS"),
    )


register_part(Part("compare_versions", _versions, requires=MANUFACTURING))


def _compare_path(pair: tuple[UUID, UUID], levels: str) -> str:
    return f"/api/manufacturing/boms/{pair[0]}/compare?with={pair[1]}&levels={levels}"


@scenario(
    "bom_compare",
    needs=("compare_versions",),
    requires=MANUFACTURING,
    http=lambda ctx: _compare_path(ctx.data["compare_versions"].big, "1"),
)
def bom_compare(ctx: Context) -> None:
    """Two 500-line versions compared (levels 1 and all); queries against two 5-line ones."""
    data = ctx.data["compare_versions"]
    one = ctx.measure_get(f"bom_compare.{COMPARE_LINES}", _compare_path(data.big, "1"))
    ctx.measure_get(f"bom_compare_all.{COMPARE_LINES}", _compare_path(data.big, "all"))
    small = ctx.count_queries(
        lambda: ctx.client.get(_compare_path(data.small, "1")), check=expect_status(200)
    )
    ctx.record("bom_compare.query_growth", (one.queries or 0) - small)
