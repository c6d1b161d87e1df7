"""The plan's save path: one INSERT per table whatever the rows (`planning.bulk.rows_insert`,
orjson on PostgreSQL, the stdlib encoder on SQLite) must store every value exactly, and the
run's paused garbage collector must be running again afterwards, also when the run fails."""

import gc
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from config.ids import uuid7
from manufacturing.planning import services
from manufacturing.planning.bulk import rows_insert, uuid7_texts
from manufacturing.planning.models import PlanItem, PlanningRun, RunStatus
from tests.items.factories import ItemFactory
from tests.planning.fixtures import make_bike, run_now

pytestmark = pytest.mark.django_db

PLAN_ITEM_COLUMNS = (
    "id",
    "run",
    "item",
    "level",
    "procurement",
    "planned",
    "available",
    "safety_stock",
    "lead_time_days",
    "projection",
)


def test_rows_insert_stores_ids_decimals_dates_and_json_exactly():
    # 14 significant digits: what SQLite's NUMERIC column holds exactly, through the ORM too.
    run = PlanningRun.objects.create(
        status=RunStatus.SUCCEEDED, finished_at=datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)
    )
    items = [ItemFactory(), ItemFactory()]
    ids = uuid7_texts(2)
    projection = [["2026-12-07", "0.000001", "12345678.123456", "-5", "0", "7.5"]]
    rows_insert(
        PlanItem,
        PLAN_ITEM_COLUMNS,
        [
            (ids[0], run.pk, items[0].pk, 3, "make", True, D("12345678.123456"), D(0), 7, []),
            (ids[1], run.pk, items[1].pk, 0, "buy", False, D("-0.000001"), D("2.5"), 0, projection),
        ],
    )
    stored = {
        p.item_id: p for p in PlanItem.objects.filter(run=run).order_by("level").select_related()
    }
    first, second = stored[items[0].pk], stored[items[1].pk]
    assert first.pk == uuid.UUID(ids[0]) and second.pk == uuid.UUID(ids[1])
    assert (first.level, first.procurement, first.planned) == (3, "make", True)
    assert first.available == D("12345678.123456")
    assert (second.available, second.safety_stock) == (D("-0.000001"), D("2.5"))
    assert (first.projection, second.projection) == ([], projection)


def test_rows_insert_takes_uuid_objects_and_dates_as_the_orm_stores_them():
    """Item ids come as UUID objects, dates as `date`: stored as the ORM would store them, so
    lookups by the ORM find the rows on both databases."""
    run = PlanningRun.objects.create(status=RunStatus.SUCCEEDED)
    item = ItemFactory()
    row_id = uuid7()
    rows_insert(
        PlanItem,
        PLAN_ITEM_COLUMNS,
        [
            (
                row_id,
                run.pk,
                item.pk,
                1,
                "buy",
                True,
                D("1.5"),
                D(0),
                2,
                [[date(2026, 12, 7).isoformat()]],
            )
        ],
    )
    assert PlanItem.objects.get(pk=row_id, item=item, run=run).available == D("1.5")


def test_a_run_leaves_the_garbage_collector_running():
    make_bike()
    assert gc.isenabled()
    run_now()
    assert gc.isenabled()


def test_a_failed_run_leaves_the_garbage_collector_running_and_the_old_plan(monkeypatch):
    make_bike()
    old = run_now()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_plan_save", boom)
    run = services.mrp_run_start(actor=None, background=False)
    with pytest.raises(RuntimeError):
        services.mrp_run(run=run)
    assert gc.isenabled()
    run.refresh_from_db()
    old.refresh_from_db()
    assert (run.status, old.is_current) == (RunStatus.FAILED, True)
