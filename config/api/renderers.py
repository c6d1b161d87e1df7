"""camelCase JSON for every response.

The camelCase library walks the whole response with a regular expression per key and an
`iter()` probe per value; on a list of a few hundred rows that walk costs about as much as
building the rows. `camelize` below gives the same output faster: each key is converted once per
process (cached), scalars are passed through without probing, and anything it does not know
goes to the library's own function. A view that builds its body with camelCase keys already
can hand over `Camelized(body)`: the renderer then skips the walk altogether.

Every body can be encoded: a lone surrogate in a string (which UTF-8 cannot encode) becomes
U+FFFD instead of failing the whole response.
"""

import datetime
import json
import re
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

from django.utils.encoding import force_str
from django.utils.functional import Promise
from djangorestframework_camel_case import util
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from rest_framework.renderers import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS

# Values the library returns unchanged (not dicts, not iterable, or strings).
_SCALARS = frozenset(
    {str, int, float, bool, type(None), Decimal, UUID, datetime.datetime, datetime.date}
)

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
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if isinstance(key, Promise):
                key = force_str(key)
            if isinstance(key, str):
                key = camel_key(key)
            result[key] = value if type(value) in _SCALARS else camelize(value)
        return result
    if isinstance(data, (list, tuple)):  # also DRF's ReturnList
        return [value if type(value) in _SCALARS else camelize(value) for value in data]
    return util.camelize(data)  # Promise, generators, sets…: the library's own rules


def _default_options(options: dict) -> bool:
    return not any(options.get(name) for name in ("ignore_fields", "ignore_keys"))


class JSONRenderer(CamelCaseJSONRenderer):
    """camelCase JSON; also serves `application/problem+json` error bodies."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not _default_options(
            self.json_underscoreize
        ):  # pragma: no cover (not configured in this project)
            return super().render(data, accepted_media_type, renderer_context)
        if data is None:
            return b""
        body = data if type(data) is Camelized else camelize(data)
        # DRF's JSONRenderer.render, with camelCase done above and an encoding that cannot fail.
        indent = self.get_indent(accepted_media_type, renderer_context or {})
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
