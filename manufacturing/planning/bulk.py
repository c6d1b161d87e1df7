"""One INSERT for any number of rows: the rows travel as one JSON parameter, unpacked by the
database (SQLite `json_each`, PostgreSQL `jsonb_array_elements`: parsed once, where `json` re-parses each row at every field). `bulk_create` sends batches
whose number grows with the rows; a plan of 10,000 items must cost the same queries as one of
100 (docs/planning.md)."""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField
from django.utils import timezone

from config.ids import uuid7


def _sqlite_value(value):
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):  # Django stores datetimes in UTC, without offset, on SQLite
        return timezone.make_naive(value, UTC).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def _pg_value(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


def uuid7_texts(count: int) -> list[str]:
    """`count` distinct, increasing UUIDv7 ids as 32 hex digits (how SQLite stores a UUID;
    PostgreSQL reads them too), from one UUIDv7 whose low 40 random bits count up: a plan's
    many ids without a UUID object each."""
    base = uuid7().int & ~((1 << 40) - 1)
    return [f"{base + n:032x}" for n in range(count)]


def rows_insert(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (tuples of Python values, in `columns` order: field names) into `model`'s
    table with one statement."""
    connection = connections[DEFAULT_DB_ALIAS]
    sqlite = connection.vendor == "sqlite"
    payload = rows if isinstance(rows, list) else list(rows)
    if not payload:
        return
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    if sqlite:
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        source = "json_each(%s)"
    else:
        values = ", ".join(
            f"(r->{i})" if isinstance(f, JSONField) else f"(r->>{i})::{_pg_type(f)}"
            for i, f in enumerate(fields)
        )
        source = "jsonb_array_elements(%s::jsonb) AS r"
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {values} FROM {source}"
    with connection.cursor() as cursor:
        # The C encoders call `default` only for what JSON has no type for: the row loop stays
        # out of Python, the hot path of saving a large plan. orjson writes ids, dates and
        # datetimes itself, as PostgreSQL reads them; SQLite stores ids as 32 hex digits and
        # datetimes without offset, which only `_value` writes.
        if sqlite:
            encoded = json.dumps(payload, separators=(",", ":"), default=_sqlite_value)
        else:
            encoded = orjson.dumps(payload, default=_pg_value).decode()
        cursor.execute(sql, [encoded])


def _pg_type(field) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    kind = field.target_field if field.is_relation else field
    return kind.cast_db_type(connection)
