import math

from django.db.models import IntegerField, Subquery
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

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


class PagePagination(BasePagination):
    """`?page=&limit=` → `{data, meta: {total, page, limit, totalPages}}`; limit clamps at 200,
    and a page past the end is an empty page, not a 404."""

    default_limit = 20
    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None, *, values=None):
        """The page's rows; with `values` (field names), as tuples of those values: the count
        still runs on `queryset` itself, without the joins the values would add to it."""
        self.page = positive_int_param(request, "page", 1)
        self.limit = min(positive_int_param(request, "limit", self.default_limit), self.max_limit)
        offset = (self.page - 1) * self.limit
        if values and not isinstance(queryset, list):
            return self._page_with_total(queryset, values, offset)
        self.total = len(queryset) if isinstance(queryset, list) else queryset.count()
        if offset >= self.total:
            return []
        if values:
            queryset = queryset.values_list(*values)
        return list(queryset[offset : offset + self.limit])

    def _page_with_total(self, queryset, values, offset: int) -> list[tuple]:
        """One statement for the page and the total; a second one only when the page is empty.
        An offset no database integer holds is past the end of any table: only count."""
        if offset > MAX_SQL_OFFSET:
            self.total = queryset.count()
            return []
        counted = queryset.values_list(*values, _CountOf(queryset.order_by().values("pk")))[
            offset : offset + self.limit
        ]
        rows = list(counted)
        if rows:
            self.total = rows[0][-1]
            return [row[:-1] for row in rows]
        self.total = 0 if offset == 0 else queryset.count()
        return []

    def get_paginated_response(self, data):
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
