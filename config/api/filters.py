"""Query-parameter conventions: `sort`, `search`, strict filters, the `isActive` default and
inclusive `from` / `to` moments."""

import copy
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class FilterBackend(DjangoFilterBackend):
    """django-filter, never ignoring a filter (API.md, "bad parameters"): django-filter skips a
    parameter given with no value, so `?itemId=` or `?isActive=` listed everything. A typed
    parameter (id, choice, boolean, date) with no value is a 400 naming it; a text filter
    (`number`, `code`) may be empty. Every invalid value is a 400 naming its parameter, and so
    is a filter given twice.

    django-filter builds a new form class for every request (a field per filter, its label
    worked out again): a seventh of a small list's time. The class depends on the filterset's
    class only, so it is built once per filterset class (`form_class_of`); a filterset with a
    request-dependent filter (a queryset callable) keeps django-filter's own per-request
    class."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        form_class = form_class_of(filterset)
        if form_class is not None:
            filterset._form = form_class(filterset.data, prefix=filterset.form_prefix)
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name, field in filterset.filters.items()
            if not isinstance(field, django_filters.CharFilter)
            and name in request.query_params
            and not request.query_params[name].strip()
        }
        # Every filter takes one value: given twice, the last one silently won (a bad first
        # value passed unseen).
        repeated = {
            name: ["Give this parameter once."]
            for name in filterset.filters
            if len(request.query_params.getlist(name)) > 1
        }
        if blank or repeated:
            raise ValidationError({**blank, **repeated})
        if not filterset.is_valid():
            # The form's rendered messages, not django-filter's `translate_validation`, which
            # re-applies `%` formatting and crashed on a message quoting `?priority=50%`.
            raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
        return filterset.qs


_FORM_CLASSES: dict[type, type | None] = {}


def form_class_of(filterset) -> type | None:
    """The form class of `filterset`'s class, built on first use; None when a filter depends
    on the request (django_filters' QuerySetRequestMixin) or the class customises its form."""
    kind = type(filterset)
    if kind not in _FORM_CLASSES:
        static = type(
            filterset
        ).get_form_class is django_filters.FilterSet.get_form_class and not any(
            isinstance(f, QuerySetRequestMixin) for f in filterset.filters.values()
        )
        _FORM_CLASSES[kind] = filterset.get_form_class() if static else None
    return _FORM_CLASSES[kind]


class SearchFilter(filters.SearchFilter):
    """`?search=term`: case-insensitive match on the view's `search_fields`."""

    search_param = "search"


class SortFilter(filters.BaseFilterBackend):
    """`?sort=field,-other` over the view's `sort_fields` (API name → ORM expression).

    Unknown fields are a 400. Empty values sort last, ascending or descending. The primary key
    (a UUIDv7, so creation order) always ends the ordering, which makes every page stable.
    """

    param = "sort"

    def filter_queryset(self, request, queryset, view):
        sort_fields: dict = getattr(view, "sort_fields", {})
        raw = request.query_params.get(self.param)
        keys = [k.strip() for k in raw.split(",") if k.strip()] if raw else []
        if raw is not None and not keys:
            raise ValidationError({self.param: ["Give at least one field."]})
        if not keys:
            keys = list(getattr(view, "default_sort", ()))
        ordering = []
        for key in keys:
            desc = key.startswith("-")
            name = key.lstrip("-")
            if name not in sort_fields:
                allowed = ", ".join(sort_fields) or "none"
                raise ValidationError(
                    {self.param: [f"Unknown sort field '{name}'. Use: {allowed}."]}
                )
            expr = sort_fields[name]
            expr = F(expr) if isinstance(expr, str) else expr
            # Rows without a value (no due date) come last either way, on every database
            # (SQLite puts NULLs first when ascending, PostgreSQL last).
            ordering.append(expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True))
        ordering.append(F("pk").desc() if keys and keys[-1].startswith("-") else F("pk").asc())
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        sort_fields = list(getattr(view, "sort_fields", {}))
        if not sort_fields:
            return []
        return [
            {
                "name": self.param,
                "in": "query",
                "required": False,
                "description": "Comma-separated fields, `-` for descending. One of: "
                + ", ".join(sort_fields),
                "schema": {"type": "string"},
            }
        ]


class StrictBooleanField(forms.Field):
    TRUE = {"true", "1", "yes"}
    FALSE = {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).strip().lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise forms.ValidationError("Must be true or false.")


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, but its filters are copied shallowly for each request, not
    deep-copied: `copy.deepcopy` of a list's filters (their labels, choices and widgets) was a
    sixth of a small list's time. A filter's copy gets its own `parent` and `model`, and a
    method filter its own binding (django-filter's `FilterMethod` names the filter it serves);
    what the copies share (a form field made once) is read, never written, per request;
    `extra` is copied too (a request-dependent queryset is written into it). Every filterset of the API derives from this one."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _filter_copy(f, self) for name, f in self.base_filters.items()}


def _filter_copy(base: django_filters.Filter, parent: FilterSet) -> django_filters.Filter:
    copied = copy.copy(base)
    copied.extra = dict(base.extra)  # django-filter writes a request's queryset into it
    copied.model = parent.queryset.model
    copied.parent = parent
    if getattr(base, "_method", None) is not None:
        copied.method = base._method  # a FilterMethod bound to the copy, not to `base`
    return copied


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.Filter):
    """A boolean parameter that rejects junk (django-filter's own silently ignores it)."""

    field_class = StrictBooleanField


class SoftDeleteFilterSet(FilterSet):
    """`isActive` defaults to true: archived rows leave lists unless `isActive=false` is asked."""

    isActive = BooleanFilter(method="filter_is_active", label="isActive")

    def filter_is_active(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        active = self.form.cleaned_data.get("isActive")
        return queryset.filter(deleted_at__isnull=active is not False)


class DateOrDateTimeField(forms.Field):
    """A date (`2026-03-20`, a whole UTC day) or an ISO 8601 datetime (`2026-03-20T06:00:00Z`;
    without an offset it is UTC). Cleans to `(moment, is_date)`."""

    message = "Enter a date (YYYY-MM-DD) or an ISO 8601 datetime."
    out_of_range = "The moment is outside the years 1 to 9999 in UTC."

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            day = parse_date(text)
            if day is not None:
                return datetime.combine(day, time.min, tzinfo=UTC), True
            moment = parse_datetime(text)
        except ValueError:
            raise forms.ValidationError(self.message) from None
        if moment is None:
            raise forms.ValidationError(self.message)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        try:
            moment = moment.astimezone(UTC)  # what the databases compare; SQLite's adapter too
        except OverflowError:
            raise forms.ValidationError(self.out_of_range) from None
        return moment, False


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (a whole UTC day) or an ISO 8601 datetime (UTC without an offset); "
        "`from` and `to` are both inclusive.",
    }
)
class MomentFilter(django_filters.Filter):
    """`from` / `to`, both inclusive: `to=2026-03-20` includes that whole UTC day."""

    field_class = DateOrDateTimeField

    def __init__(self, *args, upper: bool = False, **kwargs):
        self.upper = upper
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        moment, is_date = value
        if not self.upper:
            return qs.filter(**{f"{self.field_name}__gte": moment})
        if is_date:
            if moment.date() == date.max:  # the calendar's last day: every moment is before
                return qs.filter(**{f"{self.field_name}__isnull": False})
            return qs.filter(**{f"{self.field_name}__lt": moment + timedelta(days=1)})
        return qs.filter(**{f"{self.field_name}__lte": moment})
