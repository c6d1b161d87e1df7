"""Rows in which every field the API may answer as `null` is null, added to the demo data for
the schema tests (tests/api/test_response_schema.py, tests/api/test_schema_fuzz.py): a schema
that calls such a field a plain string is caught only when a response actually holds the null.

Everything goes through the services, with no acting user (as `seed_demo` without
`--superuser`), so the ledger stays consistent and `createdBy` / history `user` are null too.
test_response_schema.py checks that these rows, with the demo's, give a null for every nullable
field of every GET response, so a new nullable field without a row here fails that test."""

from decimal import Decimal

from config.jobs.services import job_create
from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, Warehouse
from inventory.services.moves import stock_move_post
from inventory.services.reservations import stock_reserve
from items.models import Item
from manufacturing.boms.tasks import BOM_EXPORT
from manufacturing.orders import services as order_services

# The notes of the two orders (no scheduled date, no due date), and the reservation's owner.
UNDATED_CONFIRMED = "Schema test: confirmed, undated, no work order started"
UNDATED_DRAFT = "Schema test: draft, undated"
HOLD_REFERENCE = "SCHEMA/HOLD"


def seed_nullable_rows() -> dict[str, object]:
    """Add, to the demo data:

    - a confirmed order with no scheduled and no due date, priority `critical` (so its pending
      work orders, never started or finished, head the shop-floor queue's default sort);
    - a draft order with no dates (no requirements, no work orders yet);
    - an issue (no target warehouse, no lot, no production order, no user);
    - a reservation held under a reference, not for a production order;
    - a BOM export job queued by no user, never started (no total, times, error or file).

    Returns the created rows by name."""
    frame = Item.objects.get(number="SA-FRAME")
    bolt = Item.objects.get(number="HW-BOLT-M10")
    main = Warehouse.objects.get(code=DEFAULT_WAREHOUSE_CODE)
    confirmed = order_services.production_order_create(
        product=frame, quantity=Decimal(2), priority="critical", notes=UNDATED_CONFIRMED
    )
    confirmed = order_services.production_order_confirm(order=confirmed)
    draft = order_services.production_order_create(
        product=frame, quantity=Decimal(1), priority="low", notes=UNDATED_DRAFT
    )
    (issue,) = stock_move_post(
        kind=MoveKind.ISSUE, item=bolt, quantity=Decimal(3), from_warehouse=main, actor=None
    )
    (hold,) = stock_reserve(lines=[(bolt, main, Decimal(5))], reference=HOLD_REFERENCE, actor=None)
    job = job_create(kind=BOM_EXPORT, actor=None)  # enqueued on commit: never, here
    return {"confirmed": confirmed, "draft": draft, "issue": issue, "hold": hold, "job": job}
