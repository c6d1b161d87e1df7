"""The one number policy (config.quantities): exact values in, refusals with one set of messages."""

from decimal import Decimal

import pytest

from config.exceptions import ValidationFailed
from config.quantities import MINUTES, MONEY, QUANTITY, number_parse, quantity_parse

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, D("1.000000")),
        ("2.5", D("2.500000")),
        (" 3 ", D("3.000000")),
        (D("0.000001"), D("0.000001")),
        (0.1, D("0.100000")),  # a float is read as the number it prints as, not its binary value
        ("1.0000000000", D("1.000000")),  # trailing zeros add no precision
        (D("999999999999.999999"), D("999999999999.999999")),
    ],
)
def test_valid_quantities_are_kept_exactly(value, expected):
    parsed = quantity_parse(value)
    assert parsed == expected
    assert parsed.as_tuple().exponent == -6


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.0000001", "At most 6 digits after the decimal point."),
        (D("100000000000.0000001"), "At most 6 digits after the decimal point."),
        (D("1000000000000"), "At most 12 digits before the decimal point."),
        ("1e30", "At most 12 digits before the decimal point."),
        ("-1e400", "At most 12 digits before the decimal point."),
        ("0", "Must be greater than zero."),
        ("-1", "Must be greater than zero."),
        ("abc", "A number is required."),
        ("", "A number is required."),
        ("NaN", "A number is required."),
        ("Infinity", "A number is required."),
        (None, "A number is required."),
        (True, "A number is required."),
        ([1], "A number is required."),
        ({"a": 1}, "A number is required."),
    ],
)
def test_bad_quantities_are_refused_with_one_message_on_the_field(value, message):
    with pytest.raises(ValidationFailed) as caught:
        quantity_parse(value, field="components[1].quantity")
    assert caught.value.errors == {"components[1].quantity": [message]}
    assert caught.value.detail == f"components[1].quantity: {message}"


def test_signs():
    assert quantity_parse("-2", sign="non_zero") == D("-2")
    assert quantity_parse("0", sign="non_negative") == D("0")
    with pytest.raises(ValidationFailed, match="Must not be zero"):
        quantity_parse("0", sign="non_zero")
    with pytest.raises(ValidationFailed, match="Must be zero or more"):
        quantity_parse("-0.5", sign="non_negative")


def test_other_kinds_have_their_own_places_and_range():
    assert number_parse("12.3456", field="standard_cost", kind=MONEY) == D("12.3456")
    with pytest.raises(ValidationFailed, match="At most 4 digits after"):
        number_parse("12.34567", field="standard_cost", kind=MONEY)
    with pytest.raises(ValidationFailed, match="At most 2 digits after"):
        number_parse("1.234", field="duration_minutes", kind=MINUTES)
    assert QUANTITY.step == D("0.000001")
