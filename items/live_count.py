"""The live item count (`LiveItemCount`), kept by the database itself.

Counting the live items on every request of the items list was most of its database time
(1.6 ms of a 3.6 ms request at 23,000 items, PostgreSQL's index-only scan included). Triggers on
`items_item` add each statement's change to one row instead, in the writing transaction:
inserts, archives and restores (`deleted_at` set or cleared), deletes, and PostgreSQL's
TRUNCATE, from the API, the admin, `bulk_create`, `update()` or raw SQL alike. A reader sees the
row as of its statement's snapshot, the same as the items it lists: the total is exact. (Not
covered: SQLite's `INSERT OR REPLACE`, whose implicit delete fires no trigger; Django never
issues it.) A row loaded by `loaddata` is counted again at once (`post_save`, raw).

The triggers are installed, and the row written from a real count, after every `migrate` and
`flush` (`post_migrate`): SQLite drops a table's triggers when a migration rebuilds the table,
and a flush empties the row's table. A write that changes the count holds the row until its
transaction ends: concurrent creates, archives and restores queue on it (the services change
one item per transaction; one that then waited on a lock held by a queued writer would be
a deadlock, which PostgreSQL breaks by failing one of them). Plain edits do not touch the row.
"""

from django.db import connections
from django.db.models import Subquery
from django.db.models.functions import Coalesce

from items.models import Item, LiveItemCount

_TABLE = Item._meta.db_table
_COUNT = LiveItemCount._meta.db_table

_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION items_live_count_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        delta bigint := 0;
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            UPDATE {_COUNT} SET live = 0 WHERE id = 1;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            delta := delta + (SELECT count(*) FROM new_rows WHERE deleted_at IS NULL);
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            delta := delta - (SELECT count(*) FROM old_rows WHERE deleted_at IS NULL);
        END IF;
        IF delta <> 0 THEN
            UPDATE {_COUNT} SET live = live + delta WHERE id = 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    *(
        statement
        for name, event, tables in (
            ("insert", "INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("update", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "DELETE", "REFERENCING OLD TABLE AS old_rows"),
            ("truncate", "TRUNCATE", ""),
        )
        for statement in (
            f"DROP TRIGGER IF EXISTS items_live_count_{name} ON {_TABLE}",
            f"CREATE TRIGGER items_live_count_{name} AFTER {event} ON {_TABLE} {tables}"
            " FOR EACH STATEMENT EXECUTE FUNCTION items_live_count_change()",
        )
    ),
]

_SQLITE_TRIGGERS = {
    "insert": f"""AFTER INSERT ON {_TABLE} WHEN NEW.deleted_at IS NULL
    BEGIN UPDATE {_COUNT} SET live = live + 1 WHERE id = 1; END""",
    "delete": f"""AFTER DELETE ON {_TABLE} WHEN OLD.deleted_at IS NULL
    BEGIN UPDATE {_COUNT} SET live = live - 1 WHERE id = 1; END""",
    "update": f"""AFTER UPDATE OF deleted_at ON {_TABLE}
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
    BEGIN UPDATE {_COUNT}
        SET live = live + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END) WHERE id = 1;
    END""",
}
_SQLITE = [
    statement
    for name, body in _SQLITE_TRIGGERS.items()
    for statement in (
        f"DROP TRIGGER IF EXISTS items_live_count_{name}",
        f"CREATE TRIGGER items_live_count_{name} {body}",
    )
]


def live_item_count_uninstall(*, using: str) -> None:
    """The triggers dropped (migrating back past the count's table: they would refer to it)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for name in ("insert", "update", "delete", "truncate"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS items_live_count_{name} ON {_TABLE}")
            elif name != "truncate":
                cursor.execute(f"DROP TRIGGER IF EXISTS items_live_count_{name}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS items_live_count_change()")


def live_item_count_install(*, using: str) -> None:
    """The triggers (again: each statement replaces or skips its own), then the row from a real
    count, in one transaction: no write is counted twice or missed meanwhile."""
    from django.db import transaction

    connection = connections[using]
    if not {_TABLE, _COUNT} <= set(connection.introspection.table_names()):
        return  # migrated back before the count (its migration dropped the triggers)
    statements = _POSTGRESQL if connection.vendor == "postgresql" else _SQLITE
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_TABLE} IN SHARE ROW EXCLUSIVE MODE")
        for statement in statements:
            cursor.execute(statement)
        live = Item.objects.using(using).count()
        LiveItemCount.objects.using(using).update_or_create(id=1, defaults={"live": live})


def live_item_count_recount(*, using: str) -> None:
    """The row written from a real count: after `loaddata` (or a test database restored) wrote
    it as it was when dumped. Items loaded after it are added by the triggers."""
    live = Item.objects.using(using).count()
    LiveItemCount.objects.using(using).filter(id=1).update(live=live)


def live_items_total(counted):
    """`meta.total` of the unfiltered items list: the live count's row, or, where it is
    missing, `counted` (the list's own COUNT, evaluated only then: both databases stop at the
    first value that is not NULL)."""
    return Coalesce(Subquery(LiveItemCount.objects.filter(id=1).values("live")[:1]), counted)
