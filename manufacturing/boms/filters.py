import django_filters
from django.db.models import Exists, OuterRef

from config.api.filters import BooleanFilter, FilterSet, SoftDeleteFilterSet
from manufacturing.boms.models import BOM, BOMComponent, BOMStatus, BOMType, Workcenter


class WorkcenterFilter(SoftDeleteFilterSet):
    class Meta:
        model = Workcenter
        fields = []


class BOMFieldsFilter(FilterSet):
    """Every BOM filter but `isActive`: the archived list uses these alone."""

    productId = django_filters.UUIDFilter(field_name="product_id", label="productId")
    productNumber = django_filters.CharFilter(field_name="product__number", label="productNumber")
    componentId = django_filters.UUIDFilter(method="filter_component", label="componentId")
    type = django_filters.ChoiceFilter(choices=BOMType.choices)
    status = django_filters.ChoiceFilter(choices=BOMStatus.choices)
    isDefault = BooleanFilter(field_name="is_default", label="isDefault")

    class Meta:
        model = BOM
        fields = []

    def filter_component(self, queryset, name, value):
        # EXISTS rather than a join: one row per BOM, no DISTINCT needed.
        uses = BOMComponent.objects.filter(bom=OuterRef("pk"), item_id=value)
        return queryset.filter(Exists(uses))


class BOMFilter(SoftDeleteFilterSet, BOMFieldsFilter):
    class Meta:
        model = BOM
        fields = []
