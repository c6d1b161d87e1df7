import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from config.api.filters import FilterSet, MomentFilter, SoftDeleteFilterSet
from manufacturing.orders.models import (
    OrderStatus,
    Priority,
    ProductionOrder,
    WorkOrder,
    WorkOrderStatus,
)


class ChoiceListField(forms.Field):
    """`a,b,c`, each one of `choices`; anything else is a 400 naming the parameter."""

    def __init__(self, *args, choices=(), **kwargs):
        self.valid = [value for value, _ in choices]
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        values = [part.strip() for part in str(value).split(",") if part.strip()]
        wrong = [v for v in values if v not in self.valid]
        if wrong or not values:
            raise forms.ValidationError(
                f"Unknown value {', '.join(wrong) or repr(value)}; use {', '.join(self.valid)}."
            )
        return values


@extend_schema_field({"type": "string", "description": "One value or a comma-separated list."})
class ChoiceListFilter(django_filters.Filter):
    field_class = ChoiceListField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class ProductionOrderFilter(SoftDeleteFilterSet):
    status = ChoiceListFilter(field_name="status", choices=OrderStatus.choices)
    productId = django_filters.UUIDFilter(field_name="product_id", label="productId")
    bomId = django_filters.UUIDFilter(field_name="bom_id", label="bomId")
    priority = ChoiceListFilter(field_name="priority", choices=Priority.choices)
    # `from` is a Python keyword: declared below.

    class Meta:
        model = ProductionOrder
        fields = []


ProductionOrderFilter.base_filters["from"] = MomentFilter(field_name="scheduled_date", label="from")
ProductionOrderFilter.base_filters["to"] = MomentFilter(
    field_name="scheduled_date", upper=True, label="to"
)


class WorkOrderFilter(FilterSet):
    status = ChoiceListFilter(field_name="status", choices=WorkOrderStatus.choices)
    workcenterId = django_filters.UUIDFilter(field_name="workcenter_id", label="workcenterId")
    productionOrderId = django_filters.UUIDFilter(field_name="order_id", label="productionOrderId")
    priority = ChoiceListFilter(field_name="order__priority", choices=Priority.choices)

    class Meta:
        model = WorkOrder
        fields = []
