import django_filters
from django.db.models import Q

from config.api.filters import FilterSet, MomentFilter, SoftDeleteFilterSet
from inventory.models import Lot, MoveKind, Reservation, StockLevel, StockMove, Warehouse


class WarehouseFilter(SoftDeleteFilterSet):
    code = django_filters.CharFilter(field_name="code")

    class Meta:
        model = Warehouse
        fields = []


class LotFilter(FilterSet):
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    number = django_filters.CharFilter(field_name="number")

    class Meta:
        model = Lot
        fields = []


class StockLevelFilter(FilterSet):
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    warehouseId = django_filters.UUIDFilter(field_name="warehouse_id", label="warehouseId")

    class Meta:
        model = StockLevel
        fields = []


class StockMoveFilter(FilterSet):
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    warehouseId = django_filters.UUIDFilter(method="filter_warehouse", label="warehouseId")
    productionOrderId = django_filters.UUIDFilter(
        field_name="production_order_id", label="productionOrderId"
    )
    kind = django_filters.ChoiceFilter(choices=MoveKind.choices)

    class Meta:
        model = StockMove
        fields = []

    def filter_warehouse(self, queryset, name, value):
        """Moves into or out of the warehouse."""
        return queryset.filter(Q(from_warehouse_id=value) | Q(to_warehouse_id=value))


# `from` is a Python keyword, so these two are added by name.
StockMoveFilter.base_filters["from"] = MomentFilter(field_name="created_at", label="from")
StockMoveFilter.base_filters["to"] = MomentFilter(field_name="created_at", label="to", upper=True)


class ReservationFilter(FilterSet):
    productionOrderId = django_filters.UUIDFilter(
        field_name="production_order_id", label="productionOrderId"
    )
    itemId = django_filters.UUIDFilter(field_name="item_id", label="itemId")
    warehouseId = django_filters.UUIDFilter(field_name="warehouse_id", label="warehouseId")

    class Meta:
        model = Reservation
        fields = []
