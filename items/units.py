"""Unit conversion: one rule, used by stock moves, BOM lines and explosions alike."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from config.exceptions import ValidationFailed
from config.quantities import QUANTITY, SIGN_MESSAGES, Sign, quantity_parse, too_large
from items.exceptions import UomMismatch
from items.models import UnitOfMeasure

QTY_STEP = Decimal("0.000001")


def quantize_qty(value: Decimal, field: str = "quantity") -> Decimal:
    """A computed quantity (a conversion, a scaling) at six decimal places, rounded half up —
    never input, which `config.quantities.quantity_parse` refuses rather than rounds. Infinity,
    NaN and numbers too large to hold six decimals (a huge quantity, or one multiplied by a
    large unit factor) are a validation error, never a crash."""
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


def quantity_parse_in(
    value: Any,
    *,
    unit: UnitOfMeasure | None,
    stock_unit: UnitOfMeasure,
    field: str = "quantity",
    sign: Sign = "positive",
) -> Decimal:
    """The unit-aware sibling of `quantity_parse`: `value` is parsed in `unit` (the policy:
    at most six places, refused not rounded), converted into `stock_unit` (a computed value,
    rounded to six places) and the converted figure range-checked with the same messages —
    5 t is a fine input but 5,000,000 kg may not fit the column."""
    number = quantity_parse(value, field=field, sign=sign)
    if unit is None or unit.pk == stock_unit.pk:
        return number
    converted = number * conversion_factor(unit, stock_unit)
    message = ""
    if abs(converted) >= QUANTITY.limit:
        message = too_large(QUANTITY)
    else:
        converted = converted.quantize(QTY_STEP, rounding=ROUND_HALF_UP)
        if (sign == "positive" and converted <= 0) or (sign == "non_zero" and converted == 0):
            message = SIGN_MESSAGES[sign]
    if message:
        raise ValidationFailed(f"{field}: {message}", errors={field: [message]})
    return converted
