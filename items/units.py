"""Unit conversion: one rule, used by stock moves, BOM lines and explosions alike."""

from decimal import ROUND_HALF_UP, Decimal

from items.exceptions import UomMismatch
from items.models import UnitOfMeasure

QTY_STEP = Decimal("0.000001")


def quantize_qty(value: Decimal) -> Decimal:
    return value.quantize(QTY_STEP, rounding=ROUND_HALF_UP)


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
