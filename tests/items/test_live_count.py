"""The live item count (`items.live_count`): the database keeps it exact through every kind of
write, the unfiltered items list reads it for `meta.total`, and where it is missing the list
counts as before."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.api.pagination import PAGE_STATEMENTS
from items.live_count import live_item_count_install
from items.models import Item, LiveItemCount
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgres://...)"
)


def kept() -> int:
    return LiveItemCount.objects.get(id=1).live


def assert_exact(api) -> None:
    live = Item.objects.count()
    assert kept() == live
    assert api.get("/api/items?limit=1").json()["meta"]["total"] == live
    assert api.get("/api/items?limit=1&sort=-name&page=2").json()["meta"]["total"] == live


def test_every_kind_of_write_keeps_the_count_exact(api):
    PAGE_STATEMENTS.clear()
    assert_exact(api)  # the demo-less test database: written by post_migrate

    created = api.post("/api/items", {"number": "LC-1", "name": "One", "uom": "EA"}).json()
    assert_exact(api)
    ItemFactory.create_batch(3)
    Item.objects.bulk_create(
        [Item(number=f"LC-B{n}", name="Bulk", uom=unit("EA")) for n in range(5)]
        + [Item(number="LC-DEAD", name="Born archived", uom=unit("EA"), deleted_at=timezone.now())]
    )
    assert_exact(api)

    assert api.delete(f"/api/items/{created['id']}").status_code == 204  # archived
    assert_exact(api)
    assert api.post(f"/api/items/{created['id']}/restore").status_code == 200
    assert_exact(api)

    Item.objects.filter(number__startswith="LC-B").update(deleted_at=timezone.now())
    Item.all_objects.filter(number="LC-DEAD").update(deleted_at=None)
    Item.all_objects.update(name=F("name"))  # every row rewritten, none archived or restored
    assert_exact(api)

    Item.all_objects.filter(number__startswith="LC-B").delete()  # archived rows: no change
    Item.objects.filter(number="LC-1").delete()  # a live one
    assert_exact(api)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Item._meta.db_table} WHERE id IN (SELECT id FROM"
            f" {Item._meta.db_table} WHERE deleted_at IS NULL ORDER BY number LIMIT 2)"
        )
    assert_exact(api)


class Refused(Exception):
    pass


def test_a_write_rolled_back_leaves_the_count_as_it_was(api):
    before = kept()
    with pytest.raises(Refused), transaction.atomic():
        ItemFactory.create_batch(2)
        Item.objects.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())
        raise Refused
    assert kept() == before == Item.objects.count()


def test_the_unfiltered_list_reads_the_count_and_a_filtered_one_counts(api):
    ItemFactory.create_batch(3)
    ItemFactory(name="Findable valve")
    PAGE_STATEMENTS.clear()
    with CaptureQueriesContext(connection) as unfiltered:
        assert api.get("/api/items?limit=2").json()["meta"]["total"] == 4
    with CaptureQueriesContext(connection) as searched:
        assert api.get("/api/items?limit=2&search=valve").json()["meta"]["total"] == 1

    page = unfiltered.captured_queries[-1]["sql"]
    assert LiveItemCount._meta.db_table in page
    assert LiveItemCount._meta.db_table not in searched.captured_queries[-1]["sql"]
    assert len(unfiltered) == len(searched)  # the total rides in the page's statement still


def test_without_its_row_the_list_counts_and_the_next_migrate_writes_it_anew(api):
    ItemFactory.create_batch(3)
    PAGE_STATEMENTS.clear()
    LiveItemCount.objects.all().delete()
    ItemFactory()  # the triggers find no row to change

    assert api.get("/api/items?limit=2").json()["meta"]["total"] == 4

    live_item_count_install(using="default")  # what post_migrate runs after migrate and flush
    assert kept() == 4
    ItemFactory()
    assert api.get("/api/items?limit=2").json()["meta"]["total"] == kept() == 5


def test_triggers_lost_with_a_rebuilt_table_come_back_with_the_next_migrate(api):
    """SQLite drops a table's triggers when a migration rebuilds the table."""
    with connection.cursor() as cursor:
        for name in ("insert", "update", "delete"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER items_live_count_{name} ON {Item._meta.db_table}")
            else:
                cursor.execute(f"DROP TRIGGER items_live_count_{name}")
    ItemFactory.create_batch(2)  # uncounted
    assert kept() != Item.objects.count()

    live_item_count_install(using="default")
    ItemFactory()
    assert_exact(api)


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_truncate_empties_the_count(api):
    ItemFactory.create_batch(2)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Item._meta.db_table} CASCADE")
    assert kept() == 0
    assert_exact(api)


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_and_archives_keep_the_count_exact():
    ItemFactory.create_batch(20)
    errors = []

    def work(n: int) -> None:
        try:
            for k in range(10):
                item = ItemFactory(number=f"RACE-{n}-{k}")
                if k % 3 == 0:
                    Item.objects.filter(pk=item.pk).update(deleted_at=timezone.now())
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert kept() == Item.objects.count() == 20 + 6 * 6


def test_a_row_loaded_by_loaddata_is_counted_again(api, tmp_path):
    from django.core.management import call_command

    ItemFactory.create_batch(3)
    dump = tmp_path / "items.json"
    call_command("dumpdata", "items.liveitemcount", output=str(dump), verbosity=0)
    ItemFactory.create_batch(2)

    call_command("loaddata", str(dump), verbosity=0)  # writes the row as it was: 3

    PAGE_STATEMENTS.clear()
    assert_exact(api)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_back_past_the_count_leaves_item_writes_working(api):
    from django.core.management import call_command

    ItemFactory()
    try:
        call_command("migrate", "items", "0003_item_history", verbosity=0)
        ItemFactory()  # no trigger left referring to the dropped table
        Item.objects.filter(number__isnull=False).update(deleted_at=timezone.now())
        Item.all_objects.all().delete()
    finally:
        call_command("migrate", "items", verbosity=0)
    ItemFactory.create_batch(2)
    PAGE_STATEMENTS.clear()
    assert_exact(api)


@on_postgresql
def test_the_count_is_not_run_while_the_row_is_there(api):
    """What the row saves: PostgreSQL evaluates COALESCE's second argument, the COUNT, only
    when the first is NULL (an InitPlan runs on first use)."""
    ItemFactory.create_batch(3)
    PAGE_STATEMENTS.clear()
    with CaptureQueriesContext(connection) as page:
        api.get("/api/items?limit=2")
    statement = page.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0][0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    counts = [n for n in nodes(plan) if n["Node Type"] == "Aggregate"]
    assert counts, "the COUNT is in the statement"
    assert all(n["Actual Loops"] == 0 for n in counts)  # never executed

    LiveItemCount.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)
        plan = cursor.fetchone()[0][0]["Plan"]
    assert any(n["Actual Loops"] == 1 for n in nodes(plan) if n["Node Type"] == "Aggregate")
