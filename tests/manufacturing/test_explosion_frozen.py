"""The explosion pinned to the code before its speed work: random structures (units of several
categories, scrap, phantom kits inside kits, BOMs in another unit and quantity than their
product, alternates, archived and cancelled BOMs, operations) exploded at several quantities and
both levels give exactly what `bom_explode` gave at afd0b2f, frozen in
`data/explosion_by_the_code_of_afd0b2f.json` (made by running `write_frozen()` on that commit).
Items are named by number, so the frozen file does not depend on ids."""

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from manufacturing.boms.explosion import bom_explode, bom_explode_each
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.services import bom_archive
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

pytestmark = pytest.mark.django_db
D = Decimal
FROZEN = Path(__file__).parent / "data/explosion_by_the_code_of_afd0b2f.json"

# Stock units and the line units each may be given in (the same category).
UNITS = {"EA": ("EA", "units"), "kg": ("kg", "g"), "L": ("L", "mL"), "m": ("m", "cm")}
QUANTITIES = ("1", "2", "3", "0.5", "0.125", "2.5", "1.333333", "7", "0.001", "12.75")
SCRAP = ("0", "0", "0", "10", "2.5", "33.333", "0.1")


def build(seed: int) -> list[BOM]:
    """A random structure of 30 items; returns the BOMs to explode (the top products')."""
    rng = random.Random(seed)
    workcenters = [
        WorkcenterFactory(code=f"F{seed}-{n}", hourly_cost=D(rng.choice(("60", "48.5", "0"))))
        for n in range(3)
    ]
    items = []
    for n in range(30):
        stock = rng.choice(tuple(UNITS))
        items.append(
            ItemFactory(
                number=f"F{seed}-{n:02d}",
                name=f"Frozen {seed} #{n}",
                uom=unit(stock),
                standard_cost=D(rng.randint(0, 100_000)) / 100,
                type=rng.choice(("stockable", "stockable", "consumable")),
            )
        )
    roots = []
    for n in range(8, 30):  # a BOM's components are items of a lower index: no cycle
        product = items[n]
        for alternate in range(rng.choice((1, 1, 1, 2))):
            parts = rng.sample(items[:n], k=rng.randint(1, min(6, n)))
            bom_unit = rng.choice(UNITS[product.uom.symbol])
            bom = BOMFactory(
                product=product,
                number=f"FB{seed}-{n:02d}-{alternate}",
                quantity=D(rng.choice(("1", "1", "2", "0.5", "10"))),
                uom=unit(bom_unit),
                type="phantom" if rng.random() < 0.25 else "manufacture",
                status="submitted" if rng.random() < 0.8 else "draft",
                lines=[
                    line(
                        part,
                        rng.choice(QUANTITIES),
                        rng.choice(UNITS[part.uom.symbol]),
                        scrap=rng.choice(SCRAP),
                    )
                    for part in parts
                ],
                operations=[
                    op(rng.choice(workcenters), rng.choice(("5", "12.5", "60", "0.75")), f"Op{k}")
                    for k in range(rng.choice((0, 1, 2)))
                ],
            )
            if rng.random() < 0.1:
                bom_archive(bom=bom)
            elif rng.random() < 0.05:
                BOM.objects.filter(pk=bom.pk).update(status=BOMStatus.CANCELLED)
            elif n >= 24:
                roots.append(bom)
    return roots


def outcome(explosion) -> dict:
    """Everything an explosion says, by item and BOM number."""
    return {
        "quantity": str(explosion.quantity),
        "requirements": [
            [
                r.number,
                r.name,
                r.uom,
                str(r.quantity),
                r.level,
                list(r.path),
                r.is_leaf,
                str(r.cost),
                r.bom.number if r.bom is not None else None,
                [str(r.line.quantity), str(r.line.scrap_percent), r.line.position],
            ]
            for r in explosion.requirements
        ],
        "totals": [[t.number, t.uom, str(t.quantity)] for t in explosion.totals],
        "cost": [
            str(explosion.cost.materials),
            str(explosion.cost.operations),
            str(explosion.cost.total),
            str(explosion.cost.per_unit),
        ],
        "boms": [
            [
                b.bom.number,
                b.level,
                str(b.quantity),
                str(b.runs),
                b.phantom,
                [[o.name, str(o.duration_minutes), o.workcenter.code] for o in b.operations],
            ]
            for b in explosion.boms
        ],
        "work_orders": [b.bom.number for b in explosion.work_order_boms()],
    }


def explode_all(seed: int) -> dict:
    roots = build(seed)
    runs = [(bom, q, levels) for bom in roots for q in ("1", "3.5") for levels in ("all", "1")]
    one_by_one = [bom_explode(bom=b, quantity=D(q), levels=lv) for b, q, lv in runs]
    together = bom_explode_each(runs=[(b, D(q), lv) for b, q, lv in runs])
    assert [outcome(e) for e in together] == [outcome(e) for e in one_by_one]
    return {
        f"{b.number} x{q} levels={lv}": outcome(e)
        for (b, q, lv), e in zip(runs, one_by_one, strict=True)
    }


SEEDS = range(4)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_explosion_is_what_the_code_before_its_speed_work_gave(seed):
    frozen = json.loads(FROZEN.read_text())[str(seed)]
    got = explode_all(seed)
    assert list(got) == list(frozen)
    for key in frozen:
        assert got[key] == frozen[key], key


def write_frozen() -> None:  # pragma: no cover (run once, on the commit the file is named for)
    FROZEN.write_text(
        json.dumps({str(s): explode_all(s) for s in SEEDS}, separators=(",", ":")) + "\n"
    )
