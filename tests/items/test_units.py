from decimal import Decimal

import pytest

from config.exceptions import ValidationFailed
from items.units import quantize_qty


def test_quantities_round_to_six_places():
    assert quantize_qty(Decimal("1.23456789")) == Decimal("1.234568")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e30", "-1e25"])
def test_non_finite_or_huge_quantities_are_a_validation_error_not_a_crash(value):
    with pytest.raises(ValidationFailed) as caught:
        quantize_qty(Decimal(value))

    assert "quantity" in caught.value.extra["errors"]
