"""bom_create_many: a batch of new BOMs under bom_create's rules, as if created one after the
other (what the import did BOM by BOM), in queries that do not grow with the batch."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from config.exceptions import DomainError, InvalidState
from manufacturing.boms.admin import bom_change_log
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.services import bom_cancel, bom_create, bom_create_many
from manufacturing.boms.specs import BOMSpec, NewBOM
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op
from tests.manufacturing.test_bom_import import statements

pytestmark = pytest.mark.django_db


def one_by_one(boms: list[NewBOM], actor) -> list:
    """The reference: bom_create then bom_cancel for each, a refusal undoing that BOM only
    (what the import did before bom_create_many)."""
    results = []
    for new in boms:
        try:
            if new.cancel and new.spec.is_default:
                # The one rule a batch adds: a BOM created to be cancelled is never asked to be
                # the default (bom_update refuses a cancelled default the same way).
                raise InvalidState(f"BOM {new.spec.number} is cancelled: it cannot be the default.")
            with transaction.atomic():
                bom = bom_create(spec=new.spec, version=new.version, status=new.status, actor=actor)
                if new.cancel:
                    bom = bom_cancel(bom=bom, actor=actor)
            results.append(bom)
        except DomainError as exc:
            results.append(exc)
    return results


def outcome(results: list) -> list:
    """What a call answered and left in the database, ids and times aside."""
    answers = [
        ("refused", r.code, r.detail, r.extra.get("errors"))
        if isinstance(r, DomainError)
        else ("created", r.number)
        for r in results
    ]
    boms = [
        (
            bom.number,
            bom.name,
            bom.product.number,
            bom.quantity,
            bom.uom.symbol,
            bom.status,
            bom.is_default,
            bom.version,
            bom.content_hash,
            list(
                bom.components.order_by("position").values_list(
                    "item__number", "quantity", "uom__symbol", "scrap_percent"
                )
            ),
            list(bom.operations.values_list("sequence", "name", "workcenter__code")),
            # What the admin's "Recent changes" shows (history of header, lines, operations).
            [
                (row["user"], row["kind"], row["what"], row["summary"])
                for row in bom_change_log(bom, limit=100)
            ],
        )
        for bom in BOM.all_objects.select_related("product", "uom").order_by("number")
    ]
    return [answers, boms]


@pytest.fixture
def batch(make_user):
    """Stored: P1's default (numbered OLD). New: every rule that looks at the BOMs before."""
    wc = WorkcenterFactory(code="WC")
    p1, p2, p3, p4 = (ItemFactory(number=f"P{n}") for n in range(1, 5))
    x, y, z = ItemFactory(number="X"), ItemFactory(number="Y"), ItemFactory(number="Z")
    BOMFactory(product=p1, number="OLD", lines=[line(ItemFactory(number="W"))])

    def new(product, parts, number="", default=None, status="draft", cancel=False, **spec):
        return NewBOM(
            spec=BOMSpec(
                product=product,
                components=[line(part, 2) for part in parts],
                operations=spec.pop("operations", []),
                number=number,
                is_default=default,
                **spec,
            ),
            version=spec.pop("version", 1),
            status=status,
            cancel=cancel,
        )

    boms = [
        new(p1, [x], "A", status="submitted"),  # P1 has its default: an alternate
        new(p1, [y], "B", default=True),  # takes the default over from OLD
        new(p1, [z], "C", default=True, status="submitted", cancel=True),  # refused
        new(p1, [z], "D", status="submitted", cancel=True),  # an alternate, then cancelled
        new(p1, [x, y], "E"),  # B stays P1's default: E is an alternate
        new(p2, [x], "F", operations=[op(wc, 5)]),  # P2's first BOM: the default
        new(p2, [y], "G", status="submitted"),
        new(x, [y], "H"),  # X uses Y ...
        new(y, [x], "I"),  # ... so Y cannot use X: circular within the batch
        new(p3, [x], "DUP"),
        new(p3, [y], "DUP"),  # a number taken earlier in the batch
        new(p3, [z], "OLD"),  # a stored number
        new(p4, [x]),  # numbered BOM-000001
        new(p4, [y], "N", cancel=True),  # a draft cannot be cancelled
        new(p4, [z]),  # BOM-000002: a refused BOM takes no number
        new(p3, [x], "Q", quantity=Decimal(0)),  # refused on its own
        new(p3, [x], "R", status="cancelled"),  # never created cancelled
        new(p2, [z], "S", default=True, operations=[op(wc, 7, name="Test")]),  # over from F
    ]
    return boms, make_user(username="importer")


def test_many_does_what_one_by_one_does(batch):
    boms, actor = batch
    with transaction.atomic():
        expected = outcome(one_by_one(boms, actor))
        transaction.set_rollback(True)

    got = outcome(bom_create_many(boms=boms, actor=actor))

    assert got == expected
    answers = dict(zip("ABCDEFGHI", got[0], strict=False))
    assert answers["C"][:2] == ("refused", "invalid_state")
    assert answers["I"][1] == "circular_reference"
    assert [a[1] for a in got[0][10:12]] == ["validation_error", "validation_error"]
    assert got[0][12] == ("created", "BOM-000001") and got[0][14] == ("created", "BOM-000002")
    defaults = {b[0]: b[6] for b in got[1]}
    assert defaults == {
        "OLD": False,
        "A": False,
        "B": True,
        "D": False,
        "E": False,
        "F": False,
        "G": False,
        "S": True,
        "H": True,
        "DUP": True,
        "BOM-000001": True,
        "BOM-000002": False,
    }


def test_many_does_what_the_code_before_it_did(batch):
    """The reference above now runs through `bom_create_many` too (bom_create is a batch of
    one). This pins the batch to the code before it: `data/bom_create_many_by_the_old_code.json`
    is the outcome of `one_by_one` on this batch run on the commit before bom_create_many
    (8afeb11), names aside (factory sequences) and content hashes (they hash random ids), with
    the one rule the batch added mirrored in the reference (a cancelled BOM asking to be the
    default is refused)."""
    boms, actor = batch
    got = outcome(bom_create_many(boms=boms, actor=actor))
    rows = [[r[0], *r[2:8], *r[9:]] for r in got[1]]
    frozen = json.loads(
        (Path(__file__).parent / "data/bom_create_many_by_the_old_code.json").read_text()
    )

    assert json.loads(json.dumps({"answers": got[0], "boms": rows}, default=str)) == frozen


def test_a_bom_taken_over_or_cancelled_in_the_batch_keeps_its_history(batch):
    boms, actor = batch

    bom_create_many(boms=boms, actor=actor)

    def log(number):
        bom = BOM.objects.get(number=number)
        return [(row["kind"], row["what"], row["summary"]) for row in bom_change_log(bom)]

    assert log("D") == [
        ("changed", "BOM D", "status: submitted → cancelled"),
        ("created", "Component Z", ""),
        ("created", "BOM D", ""),
    ]
    assert log("F")[0] == ("changed", "BOM F", "is_default: True → False")  # S took it over
    assert log("OLD")[0] == ("changed", "BOM OLD", "is_default: True → False")
    assert {row["user"] for row in bom_change_log(BOM.objects.get(number="D"))} == {"importer"}
    assert BOM.objects.get(number="D").status == BOMStatus.CANCELLED


def test_queries_do_not_grow_with_the_boms():
    wc = WorkcenterFactory()
    products = [ItemFactory() for _ in range(5)]
    for product in products:
        BOMFactory(product=product)  # each has its default
    parts = [ItemFactory() for _ in range(4)]

    def queries(count: int) -> int:
        boms = [
            NewBOM(
                spec=BOMSpec(
                    product=products[n % 5],
                    components=[line(part, n + 1) for part in parts],
                    operations=[op(wc, 5), op(wc, 10, name="Test")],
                    number=f"N{count}-{n}",
                    is_default=(None, True, False)[n % 3],
                ),
                status=("draft", "submitted", "submitted")[n % 3],
                cancel=n % 3 == 2,
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            results = bom_create_many(boms=boms)
            transaction.set_rollback(True)
        assert all(isinstance(r, BOM) for r in results), results
        return statements(captured)

    assert queries(50) == queries(5) <= 20
