"""Database triggers that make the stock ledger append-only for every client, not only Django.

Installed by migration 0003. On SQLite, a later migration that rebuilds the stock move table
(Django's SQLite schema editor copies a table to alter it) drops these triggers with the old table:
such a migration must call `install()` again. `tests/inventory/test_ledger.py` checks they exist.

A consequence on SQLite: `flush` (used between `transaction=True` tests) deletes row by row and is
refused while stock moves exist. PostgreSQL's flush uses TRUNCATE, which row triggers ignore.
"""

TABLE = "inventory_stockmove"
MESSAGE = "stock moves are immutable: record a correcting move instead"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION inventory_stockmove_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS inventory_stockmove_immutable ON {TABLE}",
    f"""
    CREATE TRIGGER inventory_stockmove_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION inventory_stockmove_immutable()
    """,
]
POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS inventory_stockmove_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS inventory_stockmove_immutable()",
]

SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_update",
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_delete",
    f"""
    CREATE TRIGGER inventory_stockmove_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END
    """,
    f"""
    CREATE TRIGGER inventory_stockmove_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_update",
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_delete",
]

SQL = {
    "postgresql": (POSTGRES_INSTALL, POSTGRES_UNINSTALL),
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
}


def _run(schema_editor, which: int) -> None:
    statements = SQL.get(schema_editor.connection.vendor)
    if statements is None:  # another database: the model and the admin still refuse
        return
    for statement in statements[which]:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def uninstall(apps, schema_editor) -> None:
    _run(schema_editor, 1)


def installed(connection) -> set[str]:
    """The names of the ledger triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}
