"""Unit conversion: one rule, used by stock moves, BOM lines and explosions alike."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from config.exceptions import ValidationFailed
from items.exceptions import UomMismatch
from items.models import UnitOfMeasure

QTY_STEP = Decimal("0.000001")


def quantize_qty(value: Decimal, field: str = "quantity") -> Decimal:
    """Six decimal places. Infinity, NaN and numbers too large to hold six decimals (a huge
    quantity, or one multiplied by a large unit factor) are a validation error, never a crash."""
    try:
        if value.is_finite():
            return value.quantize(QTY_STEP, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        pass
    raise ValidationFailed(
        f"{field}: {value} is not a quantity this system can hold.",
        errors={field: ["Must be a finite number below 10^12 in the stock unit."]},
    )


def conversion_factor(from_uom: UnitOfMeasure, to_uom: UnitOfMeasure) -> Decimal:
    """How many `to_uom` make one `from_uom` (1 kg → 1000 g). Different categories: UomMismatch."""
    if from_uom.pk == to_uom.pk:
        return Decimal(1)
    if from_uom.category != to_uom.category:
        raise UomMismatch(
            f"Cannot convert {from_uom.symbol} ({from_uom.category}) "
            f"into {to_uom.symbol} ({to_uom.category})."
        )
    return from_uom.factor / to_uom.factor


def convert(quantity: Decimal, from_uom: UnitOfMeasure, to_uom: UnitOfMeasure) -> Decimal:
    return quantize_qty(Decimal(quantity) * conversion_factor(from_uom, to_uom))
