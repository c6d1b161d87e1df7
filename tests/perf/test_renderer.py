"""The project's camelCase renderer gives byte for byte what the library's would, for every
body the library could render right: Decimals are exact here (the library's encoder made them
floats) and a lone surrogate does not fail the response."""

import datetime
from collections import OrderedDict
from decimal import Decimal
from uuid import UUID

import pytest
from django.utils.functional import lazy
from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from config.api.renderers import Camelized, JSONRenderer, camelize

lazy_text = lazy(lambda text: text, str)

SAMPLES = [
    None,
    "snake_case",
    [1, 2.5, True, None],
    {"snake_case": 1, "already": 2, "_leading": 3, "trailing_": 4, "a_1_b": 5, "x__y": 6},
    {"nested_list": [{"inner_key": Decimal("1.500000")}, ("tuple_item", {"deep_key": None})]},
    {
        "uuid_value": UUID(int=7),
        "when_at": datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
    },
    {"day_only": datetime.date(2026, 1, 2), 3: "int key", "set_value": {"a_b"}},
    OrderedDict([("ordered_key", [OrderedDict([("more_keys", 1)])])]),
    ReturnDict(
        {"return_dict": {"errors_by_field": {"components[1].scrap_percent": ["x"]}}},
        serializer=None,
    ),
    {lazy_text("lazy_key"): lazy_text("lazy_value"), "gen_value": (n for n in range(3))},
    ReturnList([{"list_row": 1}, ReturnDict({"dict_row": [2]}, serializer=None)], serializer=None),
    {"unicode_text": "Ünïcode \u2013 ✓", "line_sep": "a\u2028b"},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_same_json_as_the_library(data):
    import copy

    try:
        mine, theirs = copy.deepcopy(data), copy.deepcopy(data)
    except TypeError:  # generators: build twice
        mine, theirs = data, {**data, "gen_value": (n for n in range(3))}
    assert JSONRenderer().render(mine) == CamelCaseJSONRenderer().render(theirs)


def test_camelize_converts_keys_at_every_depth():
    assert camelize({"a_b": [{"c_d": {"e_f": 1}}]}) == {"aB": [{"cD": {"eF": 1}}]}


def test_a_camelized_body_is_rendered_as_is():
    assert JSONRenderer().render(Camelized({"snake_case": 1})) == b'{"snake_case":1}'


def test_decimals_a_float_holds_keep_the_bytes_they_always_had():
    body = {
        "a": Decimal("2.500000"),
        "b": Decimal("1.000000"),
        "c": Decimal("0.000001"),
        "d": Decimal("1234567.1234"),
        "e": Decimal("-0.5"),
        "f": Decimal("1E+20"),
        "g": [Decimal("0"), Decimal("123456789012.345")],
    }

    assert JSONRenderer().render(body) == (
        b'{"a":2.5,"b":1.0,"c":1e-06,"d":1234567.1234,"e":-0.5,"f":1e+20,'
        b'"g":[0.0,123456789012.345]}'
    )


@pytest.mark.parametrize(
    "value, text",
    [
        ("100000000000.000001", b"100000000000.000001"),
        ("999999999999.999999", b"999999999999.999999"),
        ("-123456789012.345678", b"-123456789012.345678"),
        ("0.1000000000000000055511151231257827", b"0.1000000000000000055511151231257827"),
        ("1E-400", b"1E-400"),
    ],
)
def test_decimals_no_float_holds_are_written_digit_for_digit(value, text):
    """They were rounded through float (`100000000000.000001` → `100000000000.0`)."""
    import json

    for body in ({"snake_key": Decimal(value)}, Camelized(q=[Decimal(value)])):
        out = JSONRenderer().render(body)

        assert text in out
        assert Decimal(value) in _numbers(json.loads(out, parse_float=Decimal))


def _numbers(data):
    if isinstance(data, dict):
        return [n for v in data.values() for n in _numbers(v)]
    if isinstance(data, list):
        return [n for v in data for n in _numbers(v)]
    return [data]


def test_an_exact_decimal_beside_strings_that_look_like_numbers():
    """A Decimal no float holds is put in place after encoding: no string of the body is
    touched, however it looks."""
    body = {"a": "0:0", "b": Decimal("100000000000.000001"), "c": '"0:0"', "d": ["x:1", "0"]}

    out = JSONRenderer().render(body)

    assert out == (b'{"a":"0:0","b":100000000000.000001,"c":"\\"0:0\\"","d":["x:1","0"]}')


def test_a_lone_surrogate_is_rendered_as_the_replacement_character():
    """UTF-8 cannot encode it: the renderer raised UnicodeEncodeError, a 500 whose cause was a
    client's input echoed in an error message."""
    out = JSONRenderer().render({"detail": '"\ud800" is not a valid choice.', "ok": "é"})

    assert out == '{"detail":"\\"\ufffd\\" is not a valid choice.","ok":"é"}'.encode()


def test_an_error_quoting_a_surrogate_is_still_a_problem_body():
    from rest_framework.exceptions import ValidationError

    from config.api.exceptions import problem_exception_handler

    response = problem_exception_handler(
        ValidationError({"kind": ['"\udfff" is not a valid choice.']}), {}
    )

    body = JSONRenderer().render(response.data).decode()
    assert response.status_code == 400
    assert '"errors":{"kind":["\\"\ufffd\\" is not a valid choice."]}' in body


# --- orjson: the same bytes as the `json` path ------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from config.api.renderers import json_number, orjson_bytes  # noqa: E402

_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 40
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    _decimals,
    _decimals.map(json_number),  # what the representations put in a body
    st.text(),
    st.uuids(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.dates(),
)
_bodies = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _json_path(body) -> bytes:
    return JSONRenderer().json_bytes(camelize(body))


@settings(max_examples=300, deadline=None)
@given(_bodies)
def test_orjson_writes_the_bytes_the_json_path_writes(body):
    """Numbers, strings (surrogates aside), ids, datetimes at any depth: byte for byte, so
    every golden body and stored idempotent response keeps its bytes."""
    fast = orjson_bytes(camelize(body))

    assert fast is None or fast == _json_path(body)
    if fast is None:  # only for what orjson cannot encode: a lone surrogate
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in repr(body))


@pytest.mark.parametrize("data", SAMPLES)
def test_orjson_matches_the_json_path_on_the_library_samples(data):
    import copy

    try:
        body = copy.deepcopy(data)
    except TypeError:  # generators: the json path would find it consumed
        return
    fast = orjson_bytes(camelize(body))
    assert fast == _json_path(copy.deepcopy(data))


def test_small_floats_keep_the_json_spelling():
    """orjson writes 1e-6 and 0.00001 where `json` writes 1e-06 and 1e-05: such values stay
    Decimals until the renderer writes them."""
    assert isinstance(json_number(Decimal("0.000001")), Decimal)
    assert json_number(Decimal("0.0001")) == 0.0001
    body = {"a": json_number(Decimal("0.000001")), "b": Decimal("0.00001"), "c": Decimal("1E-9")}

    assert JSONRenderer().render(body) == b'{"a":1e-06,"b":1e-05,"c":1e-09}'


def test_what_orjson_refuses_takes_the_json_path():
    assert JSONRenderer().render({"big": 2**70}) == b'{"big":1180591620717411303424}'
    with pytest.raises(ValueError):  # a NaN is refused, as DRF's strict encoder refuses it
        JSONRenderer().render({"q": Decimal("NaN")})
    with pytest.raises(ValueError):
        JSONRenderer().render({"q": Decimal("Infinity")})


def test_an_indented_rendering_is_the_json_paths():
    out = JSONRenderer().render({"a_b": [1]}, "application/json; indent=2")

    assert out == b'{\n  "aB": [\n    1\n  ]\n}'


def test_line_separators_are_escaped_on_the_orjson_path():
    assert orjson_bytes({"t": "a\u2028b\u2029c"}) == b'{"t":"a\\u2028b\\u2029c"}'


def test_line_separators_are_escaped_beside_other_non_ascii_text_and_ascii_is_left_as_is():
    assert orjson_bytes({"t": "Ü\u2028é"}) == '{"t":"Ü\\u2028é"}'.encode()
    assert orjson_bytes({"t": "Ünïcode ✓"}) == '{"t":"Ünïcode ✓"}'.encode()
    assert orjson_bytes({"t": "plain \\u2028"}) == b'{"t":"plain \\\\u2028"}'
