"""camelCase JSON for every response.

The camelCase library walks the whole response with a regular expression per key and an
`iter()` probe per value; on a list of a few hundred rows that walk costs about as much as
building the rows. `camelize` below gives the same output faster: each key is converted once per
process (cached), scalars are passed through without probing, and anything it does not know
goes to the library's own function. A view that builds its body with camelCase keys already
can hand over `Camelized(body)`: the renderer then skips the walk altogether.

Numbers are exact: a Decimal is written with every digit it has (`100000000000.000001`, not
`100000000000.0`). One that a float holds exactly is written as that float, as DRF always
did (`2.5`, `1.0`, `1e-06`), so ordinary bodies keep their bytes; `json_number` decides, and
the fast read paths (`*/representations.py`) call it where they called `float` before.

Every body can be encoded: a lone surrogate in a string (which UTF-8 cannot encode) becomes
U+FFFD instead of failing the whole response.

The body is encoded by orjson (five to ten times faster than `json`), with the same bytes as
`json.dumps` with DRF's encoder gave: Decimals, datetimes and anything else orjson does not
know go through `_orjson_default` (a Decimal becomes `orjson.Fragment`, its JSON text as the
`json` path writes it), and `json_number` keeps the floats orjson would write differently
(below 1e-4: `1e-6` where `json` writes `1e-06`) as Decimals for that. A body orjson refuses
(an integer beyond 64 bits, a lone surrogate, an indented rendering asked for) takes the
`json` path, unchanged. One difference: a float NaN or infinity put in a body as a float (a
Decimal one is refused on both paths) is written `null` where `json` raised.
"""

import datetime
import json
import math
import re
import secrets
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

import orjson
from django.utils.encoding import force_str
from django.utils.functional import Promise
from djangorestframework_camel_case import util
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from rest_framework.renderers import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.utils import encoders

# Values the library returns unchanged (not dicts, not iterable, or strings); a Decimal also
# becomes its `json_number` on the way.
_SCALARS = frozenset({str, int, float, bool, type(None), UUID, datetime.datetime, datetime.date})


SMALLEST_PLAIN_FLOAT = 1e-4  # below it, `json` writes `1e-05`, orjson `0.00001`


def float_of(value: Decimal) -> float | None:
    """The float of the same value as `value`, or None when no float holds it. Up to 15
    significant digits a float is always exact (the cheap test first)."""
    text = str(value)
    number = float(text)
    if (len(text) <= 15 and "E" not in text) or Decimal(repr(number)) == value:
        return number
    return None


def json_number(value: Decimal) -> float | Decimal:
    """`value` as the float of the same value when there is one (JSON then shows what DRF's
    encoder showed: `2.5`, `1.0`), else `value` itself, which the renderer writes digit for
    digit. A float below 1e-4 stays the Decimal too: the renderer writes it as `json` writes
    that float (`1e-06`), which orjson would not; so does a NaN or an infinity, which the
    renderer refuses (orjson would write `null`)."""
    number = float_of(value)
    if number is None or not math.isfinite(number) or 0 < abs(number) < SMALLEST_PLAIN_FLOAT:
        return value
    return number


class JSONNumbers(dict):
    """`json_number` of each distinct value once, for a body that repeats the same few
    quantities (`numbers[value]`). Only for values of one exponent (quantities at their
    column's places): `Decimal("1.0")` and `Decimal("1")` are one key."""

    def __missing__(self, value: Decimal):
        number = self[value] = json_number(value)
        return number


class JSONEncoder(encoders.JSONEncoder):
    """DRF's encoder, with exact Decimals (`json_number`).

    The C encoder writes floats and ints itself and has no hook for a number's own text, so a
    Decimal that is no float is handed to it as a placeholder string, and `encode` puts the
    digits in its place afterwards. The placeholder holds a random token made for this body
    after the body was built, so no string of the body can be taken for one."""

    def encode(self, o):
        self._exact: list[str] = []
        text = super().encode(o)
        if self._exact:
            exact = self._exact
            text = re.sub(f'"{self._token}:(\\d+)"', lambda m: exact[int(m[1])], text)
        return text

    def default(self, obj):
        if isinstance(obj, Decimal):
            number = float_of(obj)
            if number is not None:
                return number  # NaN / Infinity: refused as DRF does (allow_nan=False)
            if not self._exact:
                self._token = secrets.token_hex(16)
            self._exact.append(str(obj))
            return f"{self._token}:{len(self._exact) - 1}"
        return super().default(obj)


_drf_default = encoders.JSONEncoder().default


def _orjson_default(obj):
    """What orjson hands back: a Decimal as the JSON text the `json` path writes for it, the
    rest (datetimes, dates, times, lazy strings, sets, generators…) as DRF's encoder has it."""
    if isinstance(obj, Decimal):
        number = float_of(obj)
        if number is None:
            return orjson.Fragment(str(obj))
        if not math.isfinite(number):
            raise TypeError("NaN or infinity")  # the `json` path refuses it, as DRF does
        return orjson.Fragment(float.__repr__(number))
    return _drf_default(obj)


_ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME  # datetimes as DRF writes them (`Z`, not `+00:00`)
    | orjson.OPT_PASSTHROUGH_DATACLASS  # as `json` would: through DRF's encoder
    | orjson.OPT_NON_STR_KEYS
)
_LINE_SEPARATORS = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


_SURROGATES = re.compile("[\ud800-\udfff]")


class Camelized(dict):
    """A response body whose keys are camelCase already: rendered as is."""


@lru_cache(maxsize=8192)
def camel_key(key: str) -> str:
    """The library's key conversion (`snake_case` → `snakeCase`), computed once per key."""
    return util.camelize_re.sub(util.underscore_to_camel, key) if "_" in key else key


def camelize(data):
    """`djangorestframework_camel_case.util.camelize(data)` with the default options, faster."""
    kind = type(data)
    if kind in _SCALARS:
        return data
    if kind is Decimal:
        return json_number(data)
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if isinstance(key, Promise):
                key = force_str(key)
            if isinstance(key, str):
                key = camel_key(key)
            kind = type(value)
            if kind in _SCALARS:
                result[key] = value
            elif kind is Decimal:
                result[key] = json_number(value)
            else:
                result[key] = camelize(value)
        return result
    if isinstance(data, (list, tuple)):  # also DRF's ReturnList
        return [value if type(value) in _SCALARS else camelize(value) for value in data]
    return util.camelize(data)  # Promise, generators, sets…: the library's own rules


def _default_options(options: dict) -> bool:
    return not any(options.get(name) for name in ("ignore_fields", "ignore_keys"))


class JSONRenderer(CamelCaseJSONRenderer):
    """camelCase JSON; also serves `application/problem+json` error bodies."""

    charset = None
    encoder_class = JSONEncoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not _default_options(
            self.json_underscoreize
        ):  # pragma: no cover (not configured in this project)
            return super().render(data, accepted_media_type, renderer_context)
        if data is None:
            return b""
        body = data if type(data) is Camelized else camelize(data)
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is None and not self.ensure_ascii and self.compact:
            content = orjson_bytes(body)
            if content is not None:
                return content
        return self.json_bytes(body, indent)

    def json_bytes(self, body, indent=None) -> bytes:
        """DRF's JSONRenderer.render, with camelCase done before and an encoding that cannot
        fail: the `json` path, which orjson's must match byte for byte."""
        if indent is None:
            separators = SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        else:
            separators = INDENT_SEPARATORS
        text = json.dumps(
            body,
            cls=self.encoder_class,
            indent=indent,
            ensure_ascii=self.ensure_ascii,
            allow_nan=not self.strict,
            separators=separators,
        )
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        try:
            return text.encode()
        except UnicodeEncodeError:  # a lone surrogate: never a 500 for want of encoding it
            return _SURROGATES.sub("\ufffd", text).encode()


def orjson_bytes(body) -> bytes | None:
    """`body` (camelCase done) as compact JSON by orjson, or None where it refuses the body
    (the renderer then takes the `json` path)."""
    try:
        content = orjson.dumps(body, default=_orjson_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return None
    if not content.isascii():  # neither separator is ASCII: most bodies skip both scans
        for raw, escaped in _LINE_SEPARATORS:
            if raw in content:
                content = content.replace(raw, escaped)
    return content
