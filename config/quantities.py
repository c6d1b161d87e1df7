"""The one number policy: every quantity, cost, percentage and duration that enters the system
(API serializer, admin form, CSV row, command argument, service guard) is parsed here, once.

Rule (docs/quantities.md): a value with more decimal places than its column holds is refused,
never rounded — what a client or a planner typed is exactly what is stored, or they are told
why not. Rounding happens only where the system computes (unit conversion, scaling by a
BOM's quantity), in `items.units`.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, Literal

from config.exceptions import ValidationFailed

Sign = Literal["positive", "non_negative", "non_zero", "any"]


@dataclass(frozen=True)
class NumberKind:
    """A column's shape: digits before and after the decimal point."""

    integer_digits: int
    places: int

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    @property
    def limit(self) -> Decimal:
        return Decimal(10) ** self.integer_digits


QUANTITY = NumberKind(integer_digits=12, places=6)  # Decimal(18, 6)
MONEY = NumberKind(integer_digits=14, places=4)  # Decimal(18, 4)
PERCENT = NumberKind(integer_digits=5, places=4)  # Decimal(9, 4)
MINUTES = NumberKind(integer_digits=10, places=2)  # Decimal(12, 2)

NOT_A_NUMBER = "A number is required."
# A number as text: ASCII digits, one optional point, an optional exponent (what JSON writes).
DECIMAL_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
SIGN_MESSAGES = {
    "positive": "Must be greater than zero.",
    "non_negative": "Must be zero or more.",
    "non_zero": "Must not be zero.",
}


def too_many_places(kind: NumberKind) -> str:
    return f"At most {kind.places} digits after the decimal point."


def too_large(kind: NumberKind) -> str:
    return f"At most {kind.integer_digits} digits before the decimal point."


WHOLE_DIGITS = 100  # more is no count of anything (and `int` refuses 4,300 digits by raising)


def whole_number(text) -> int | None:
    """A whole number typed as text (a CSV cell, a query parameter): ASCII digits only, else
    None. `int` also takes `1_0`, `+4` and `١٢`, and raises on `²` (a digit to `isdigit`) or
    on thousands of digits."""
    text = str(text).strip()
    if text.isascii() and text.isdigit() and len(text) <= WHOLE_DIGITS:
        return int(text)
    return None


def number_errors(value: Any, *, kind: NumberKind, sign: Sign) -> tuple[Decimal | None, str]:
    """`(number, "")` for a valid value, `(None, message)` otherwise: the parse without the
    exception, for callers that collect errors (CSV rows, form fields)."""
    if isinstance(value, bool) or value is None:
        return None, NOT_A_NUMBER
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            if not DECIMAL_TEXT.fullmatch(value.strip()):
                return None, NOT_A_NUMBER  # `1_000`, `٣`: Decimal takes them, a person did not
            number = Decimal(value.strip())
        else:
            number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None, NOT_A_NUMBER
    if not number.is_finite():
        return None, NOT_A_NUMBER
    if abs(number) >= kind.limit:
        return None, too_large(kind)
    if number.as_tuple().exponent < -kind.places and number != number.quantize(
        kind.step, rounding=ROUND_DOWN
    ):
        return None, too_many_places(kind)
    number = number.quantize(kind.step)
    if sign == "positive" and number <= 0:
        return None, SIGN_MESSAGES[sign]
    if sign == "non_negative" and number < 0:
        return None, SIGN_MESSAGES[sign]
    if sign == "non_zero" and number == 0:
        return None, SIGN_MESSAGES[sign]
    return number, ""


def number_parse(value: Any, *, field: str, kind: NumberKind, sign: Sign = "any") -> Decimal:
    """`value` as a Decimal with exactly `kind.places` places, or `ValidationFailed` on `field`
    (a snake_case path such as `components[1].quantity`)."""
    number, message = number_errors(value, kind=kind, sign=sign)
    if number is None:
        raise ValidationFailed(f"{field}: {message}", errors={field: [message]})
    return number


def quantity_parse(value: Any, *, field: str = "quantity", sign: Sign = "positive") -> Decimal:
    """A quantity: positive unless said otherwise, 12 digits before and 6 after the point."""
    return number_parse(value, field=field, kind=QUANTITY, sign=sign)
