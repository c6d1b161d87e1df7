import django_filters
from django.db.models import Q

from config.api.filters import BooleanFilter, FilterSet, SoftDeleteFilterSet
from manufacturing.orders.filters import ChoiceListFilter
from manufacturing.planning.models import (
    Demand,
    DemandKind,
    ExceptionKind,
    PlanException,
    PlannedOrder,
    Procurement,
)


class DemandFilter(SoftDeleteFilterSet):
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    kind = ChoiceListFilter(field_name="kind", choices=DemandKind.choices)
    dueFrom = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="dueFrom")
    dueTo = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="dueTo")

    class Meta:
        model = Demand
        fields = []


class ExceptionCodesFilter(ChoiceListFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        match = Q()
        for code in value:
            match |= Q(exception_codes__regex=rf"(^|,){code}(,|$)")
        return qs.filter(match)


class PlannedOrderFilter(FilterSet):
    kind = ChoiceListFilter(field_name="kind", choices=Procurement.choices)
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    dueFrom = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="dueFrom")
    dueTo = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="dueTo")
    exception = ExceptionCodesFilter(
        field_name="exception_codes",
        choices=[(ExceptionKind.LATE, "late"), (ExceptionKind.NO_BOM, "no_bom")],
        label="exception",
    )
    firmed = BooleanFilter(method="filter_firmed", label="firmed")

    class Meta:
        model = PlannedOrder
        fields = []

    def filter_firmed(self, queryset, name, value):
        return queryset.filter(production_order__isnull=not value)


class PlanExceptionFilter(FilterSet):
    kind = ChoiceListFilter(field_name="kind", choices=ExceptionKind.choices)
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")

    class Meta:
        model = PlanException
        fields = []
