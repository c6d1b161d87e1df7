"""The API's one body parser: camelCase JSON in, snake_case keys out, bounded before parsing.

What it refuses, before anything reads the data (docs/api.md, "Request bodies"):

- a body over `DATA_UPLOAD_MAX_MEMORY_SIZE`: Django refuses it before reading it (DRF hands a
  JSON parser `request.body`, which checks `Content-Length`); the exception handler answers
  413 `payload_too_large`;
- nesting deeper than `MAX_DEPTH` arrays and objects: 400 `parse_error`. Counted on the text,
  strings skipped, before `json.loads`: the camelCase library's recursive key walk raised
  `RecursionError` (a 500) from about 474 levels, `json` itself from about 1,000;
- a lone surrogate (`"\\ud800"`) in any string or key: 400 `validation_error` naming the field,
  as DRF's CharField does. Such a string is valid JSON syntax but not Unicode text: it cannot be
  stored (the database drivers fail to encode it) nor rendered back in an error message;
- `NaN`, `Infinity` (not JSON, RFC 8259; DRF's own parser refuses them too): 400 `parse_error`.

Numbers are read exactly: an integer as `int`, anything with a fraction or an exponent as
`Decimal` (never `float`), so `100000000000.000001` reaches the precision rules of the
serializers as the client wrote it, instead of being rounded to `100000000000.0` first.
"""

import json
import re
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from djangorestframework_camel_case.settings import api_settings as camel_settings
from djangorestframework_camel_case.util import camel_to_underscore
from rest_framework import exceptions, parsers

MAX_DEPTH = 32
"""Arrays and objects inside each other. The deepest body of the API (a BOM with its component
lines) nests 3 deep: 32 leaves room for any future body and stays far from Python's recursion
limit."""

_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_MESSAGE = "Surrogate characters are not allowed: U+{code_point:X}."  # DRF's CharField's


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON `text` nests arrays and objects more than `limit` deep (brackets inside
    strings do not count). Linear, and free for the usual body with few brackets."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


@lru_cache(maxsize=8192)
def snake_key(key: str) -> str:
    """The camelCase library's key conversion (`productId` → `product_id`), once per key."""
    return camel_to_underscore(key)


class _LoneSurrogate(Exception):
    """Raised from the depth of the walk; each level adds its step to `path` on the way out."""

    def __init__(self, char: str):
        self.char = char
        self.path: list[str | int] = []


def _check(text: str) -> None:
    if not text.isascii() and (found := _SURROGATE.search(text)):
        raise _LoneSurrogate(found[0])


def _underscoreize(data):
    """snake_case keys at every depth (the nesting is bounded already) and no lone surrogate in
    any key or string. The path of a refusal is built only when there is one."""
    kind = type(data)
    if kind is str:
        _check(data)
        return data
    if kind is dict:
        result = {}
        for key, value in data.items():
            try:
                _check(key)
                result[snake_key(key)] = _underscoreize(value)
            except _LoneSurrogate as exc:
                exc.path.append(key)
                raise
        return result
    if kind is list:
        result = []
        for index, value in enumerate(data):
            try:
                result.append(_underscoreize(value))
            except _LoneSurrogate as exc:
                exc.path.append(index)
                raise
        return result
    return data  # int, Decimal, bool, None


def _field_path(steps: list[str | int]) -> str:
    """`["components", 0, "name"]` → `components[0].name`, any surrogate in a key escaped."""
    path = ""
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
        else:
            step = _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", step)
            path += f".{step}" if path else step
    return path


class JSONParser(parsers.JSONParser):
    """camelCase JSON, parsed within the bounds above. A subclass of DRF's JSONParser on
    purpose: DRF gives those `request.body`, whose size Django checks before reading it."""

    def parse(self, stream, media_type=None, parser_context=None):
        if any(camel_settings.JSON_UNDERSCOREIZE.values()):  # pragma: no cover
            raise ImproperlyConfigured("JSON_CAMEL_CASE options are not supported by the parser.")
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = stream.read().decode(encoding)
        except LookupError:  # `charset=bz2_codec`: not a text encoding
            raise exceptions.ParseError(
                f"Unsupported charset in Content-Type: {encoding}."
            ) from None
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(
                f"JSON parse error - not {encoding} text: {exc.reason}"
            ) from None
        if too_deep(text):
            raise exceptions.ParseError(
                f"JSON parse error - nested deeper than {MAX_DEPTH} arrays and objects."
            )
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_not_json)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:  # pragma: no cover (too_deep refuses such a body first)
            raise exceptions.ParseError("JSON parse error - nested too deep.") from None
        try:
            return _underscoreize(data)
        except _LoneSurrogate as exc:
            message = SURROGATE_MESSAGE.format(code_point=ord(exc.char))
            path = _field_path(exc.path[::-1])
            raise exceptions.ValidationError({path: [message]} if path else [message]) from None
