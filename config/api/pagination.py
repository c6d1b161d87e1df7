import math
import threading

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import IntegerField, Subquery
from django.dispatch import receiver
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from config.api.renderers import Camelized, camel_key
from config.quantities import whole_number


def positive_int_param(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = whole_number(raw) or 0
    if value < 1:
        raise ValidationError({name: ["Must be a positive integer."]})
    return value


MAX_SQL_OFFSET = 2**63 - 1 - 200  # OFFSET and LIMIT are 64-bit integers in SQL


class _CountOf(Subquery):
    """`(SELECT COUNT(*) FROM (<the filtered rows>))`: the total rides along with the page, in
    the same statement (PostgreSQL runs the uncorrelated subquery once, as an InitPlan)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) page_total)"
    output_field = IntegerField()


class PageStatement:
    """A page's compiled statement (its SQL, parameters and the converters its columns need),
    run again as it is: the rows and the total are read from the database on every run."""

    __slots__ = ("alias", "converters", "params", "sql")

    def __init__(self, queryset) -> None:
        compiler = queryset.query.get_compiler(queryset.db)
        self.sql, self.params = compiler.as_sql()  # EmptyResultSet: nothing to cache
        self.alias = queryset.db
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        # (index, converters, expression): called with the connection of the thread running it.
        self.converters = tuple(
            (index, tuple(converters), expression)
            for index, (converters, expression) in compiler.get_converters(fields).items()
        )

    def rows(self) -> list[tuple]:
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, converters, expression in self.converters:
                for converter in converters:
                    row[index] = converter(row[index], expression, connection)
            converted.append(tuple(row))
        return converted


class PageStatements:
    """The page statements of list views, by view class and query parameters, the most
    recently stored `size` of them (per process: SQL text only, never a row or a total)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._statements: dict[tuple, PageStatement] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(view, request) -> tuple:
        params = tuple(
            sorted((name, tuple(values)) for name, values in request.query_params.lists())
        )
        return (type(view), getattr(view, "action", None), params)

    def get(self, key: tuple) -> PageStatement | None:
        return self._statements.get(key)

    def put(self, key: tuple, statement: PageStatement) -> None:
        with self._lock:
            if key not in self._statements and len(self._statements) >= self.size:
                del self._statements[next(iter(self._statements))]
            self._statements[key] = statement

    def clear(self) -> None:
        with self._lock:
            self._statements.clear()


PAGE_STATEMENTS = PageStatements()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """A test's `override_settings` may change what the parameters mean: compile anew."""
    PAGE_STATEMENTS.clear()


class PagePagination(BasePagination):
    """`?page=&limit=` → `{data, meta: {total, page, limit, totalPages}}`; limit clamps at 200,
    and a page past the end is an empty page, not a 404."""

    default_limit = 20
    max_limit = 200

    def paginate_queryset(
        self, queryset, request, view=None, *, values=None, store=None, total=None
    ):
        """The page's rows; with `values` (field names), as tuples of those values: the count
        still runs on `queryset` itself, without the joins the values would add to it (and
        `store`, a `PAGE_STATEMENTS` key, keeps the compiled statement: `paginate_rows`;
        `total`, given the count's expression, returns the one to read instead)."""
        offset = self._read_page(request)
        if values and not isinstance(queryset, list):
            return self._page_with_total(queryset, values, offset, store, total)
        self.total = len(queryset) if isinstance(queryset, list) else queryset.count()
        if offset >= self.total:
            return []
        if values:
            queryset = queryset.values_list(*values)
        return list(queryset[offset : offset + self.limit])

    def paginate_rows(self, build, request, view, *, values, total=None) -> list[tuple]:
        """`paginate_queryset(build(), request, view, values=values)` for a view whose filtered
        queryset `build()` is a function of its query parameters alone (no user, no clock, no
        lookup while building): building and compiling that queryset was half of the items
        list's Python time, and a request with the same parameters as one before builds the
        same statement. So the statement is compiled once
        per view and parameters (`PAGE_STATEMENTS`) and run again on each request; the rows and
        `meta.total` still come from the database every time, exact. A request that fails
        (a bad filter: a 400) stores nothing and fails the same way the next time."""
        key = PAGE_STATEMENTS.key(view, request)
        statement = PAGE_STATEMENTS.get(key)
        if statement is None:
            return self.paginate_queryset(
                build(), request, view, values=values, store=key, total=total
            )
        return self._page_of(statement.rows(), build, self._read_page(request))

    def _read_page(self, request) -> int:
        """Reads `page` and `limit` (400 when bad); returns the page's offset."""
        self.page = positive_int_param(request, "page", 1)
        self.limit = min(positive_int_param(request, "limit", self.default_limit), self.max_limit)
        return (self.page - 1) * self.limit

    def _page_with_total(
        self, queryset, values, offset: int, store=None, total=None
    ) -> list[tuple]:
        """One statement for the page and the total; a second one only when the page is empty.
        An offset no database integer holds is past the end of any table: only count."""
        if offset > MAX_SQL_OFFSET:
            self.total = queryset.count()
            return []
        count = _CountOf(queryset.order_by().values("pk"))
        counted = queryset.values_list(*values, count if total is None else total(count))[
            offset : offset + self.limit
        ]
        if store is None:
            return self._page_of(list(counted), lambda: queryset, offset)
        try:
            statement = PageStatement(counted)
        except EmptyResultSet:  # a filter that matches nothing by construction: not stored
            return self._page_of(list(counted), lambda: queryset, offset)
        PAGE_STATEMENTS.put(store, statement)
        return self._page_of(statement.rows(), lambda: queryset, offset)

    def _page_of(self, rows: list[tuple], build, offset: int) -> list[tuple]:
        """The page and `self.total` from rows ending in the total; an empty page past the
        end counts the rows of `build()` instead."""
        if rows:
            self.total = rows[0][-1]
            return [row[:-1] for row in rows]
        self.total = 0 if offset == 0 else build().count()
        return []

    def get_paginated_response(self, data, *, camelized: bool = False):
        """`camelized`: the rows have camelCase keys already (a representation's bodies), so
        the renderer takes the body as it is instead of walking every row for its keys."""
        if camelized:
            meta = {camel_key(name): value for name, value in self.meta().items()}
            return Response(Camelized({"data": data, "meta": meta}))
        return Response({"data": data, "meta": self.meta()})

    def meta(self) -> dict:
        return {
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "total_pages": math.ceil(self.total / self.limit) if self.total else 0,
        }

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "required": ["total", "page", "limit", "totalPages"],
                    "properties": {
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 200},
                        "totalPages": {"type": "integer", "minimum": 0},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "1-based page number.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Rows per page (default 20; values above 200 are clamped to 200).",
                "schema": {"type": "integer", "minimum": 1, "default": 20},
            },
        ]
