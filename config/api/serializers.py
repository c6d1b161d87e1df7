"""The base of every input serializer: JSON bodies are typed as the schema says."""

from decimal import Decimal

from django.utils.datastructures import MultiValueDict
from rest_framework import serializers
from rest_framework.fields import empty

from config.quantities import (
    MINUTES,
    MONEY,
    NOT_A_NUMBER,
    PERCENT,
    QUANTITY,
    NumberKind,
    Sign,
    number_errors,
)

_NUMBER = (serializers.DecimalField, serializers.FloatField)
_STRING = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.UUIDField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.RelatedField,
)


def _json_type(field) -> tuple[tuple[type, ...], str] | None:
    if isinstance(field, serializers.BooleanField):
        return (bool,), "Must be true or false."
    if isinstance(field, _NUMBER):
        return (int, Decimal, float), NOT_A_NUMBER  # the parser reads Decimals
    if isinstance(field, serializers.IntegerField):
        return (int,), "Must be an integer."
    if isinstance(field, _STRING):
        return (str,), "Must be a string."
    return None


class InputSerializer(serializers.Serializer):
    """DRF coerces like an HTML form: `"name": 0` became "0", `"quantity": "5"` became 5,
    `"isDefault": "yes"` became true and `"productId": 5` a UUID. A JSON body must use the
    types the schema documents (API.md: quantities and money are JSON numbers), so a value of
    another JSON type is a 400 naming the field. (The API parses JSON only; were a form parser
    added, its all-string QueryDict would be left to DRF's own coercion.)

    A string holding a NUL character is refused, whatever the field. A text longer than the
    documented `maxLength` is refused as sent: DRF measured it after
    trimming the surrounding whitespace, so 201 characters starting with a space passed a
    200-character limit."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, MultiValueDict):
            errors = {}
            for field in self._writable_fields:
                value = field.get_value(data)
                if value is empty or value is None:
                    continue
                expected = _json_type(field)
                if expected is None:
                    continue
                types, message = expected
                if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                    errors[field.field_name] = [message]
                elif value == "" and isinstance(field, serializers.RelatedField):
                    # DRF turns "" into null for a relation: `"toWarehouseId": ""` meant the
                    # default warehouse. The schema says an id (or null where allowed).
                    errors[field.field_name] = ["Give a value, or null."]
                elif isinstance(value, str) and "\x00" in value:
                    # DRF checks CharFields only; a unit symbol (SlugRelatedField) with a NUL
                    # reached PostgreSQL, which cannot hold one in text (DataError, 500).
                    errors[field.field_name] = ["Null characters are not allowed."]
                elif (limit := getattr(field, "max_length", None)) and len(value) > limit:
                    errors[field.field_name] = [
                        f"Ensure this field has no more than {limit} characters."
                    ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class QuerySerializer(serializers.Serializer):
    """Query parameters read through a serializer. DRF treats an empty value of an optional
    field as absent (`?levels=` meant the default); API.md: an invalid query value is a 400
    naming the parameter, never ignored."""

    def to_internal_value(self, data):
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name in self.fields
            if name in data and not str(data.get(name)).strip()
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class NumberField(serializers.DecimalField):
    """A number under the one policy (config.quantities): a DecimalField for the schema (same
    `max_digits`, `decimal_places`, `minimum` as the column), parsed by `number_errors` — too
    many places refused, not rounded, and the same messages as the admin, the CSV import and the
    services."""

    def __init__(self, *, kind: NumberKind = QUANTITY, sign: Sign = "any", **kwargs):
        self.kind, self.sign = kind, sign
        kwargs.setdefault("max_digits", kind.integer_digits + kind.places)
        kwargs.setdefault("decimal_places", kind.places)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number, message = number_errors(data, kind=self.kind, sign=self.sign)
        if number is None:
            raise serializers.ValidationError(message, code="invalid")
        return number


def QuantityField(*, sign: Sign = "positive", **kwargs) -> NumberField:
    return NumberField(kind=QUANTITY, sign=sign, **kwargs)


def MoneyField(*, sign: Sign = "non_negative", **kwargs) -> NumberField:
    return NumberField(kind=MONEY, sign=sign, **kwargs)


def PercentField(*, sign: Sign = "non_negative", **kwargs) -> NumberField:
    return NumberField(kind=PERCENT, sign=sign, **kwargs)


def MinutesField(*, sign: Sign = "non_negative", **kwargs) -> NumberField:
    return NumberField(kind=MINUTES, sign=sign, **kwargs)
