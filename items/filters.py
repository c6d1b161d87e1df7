import django_filters

from config.api.filters import SoftDeleteFilterSet
from items.models import Item, ItemType, UnitCategory, UnitOfMeasure


class ItemFilter(SoftDeleteFilterSet):
    type = django_filters.ChoiceFilter(choices=ItemType.choices)
    number = django_filters.CharFilter(field_name="number")

    class Meta:
        model = Item
        fields = []


class UnitOfMeasureFilter(SoftDeleteFilterSet):
    category = django_filters.ChoiceFilter(choices=UnitCategory.choices)

    class Meta:
        model = UnitOfMeasure
        fields = []
