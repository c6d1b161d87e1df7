"""The project's camelCase renderer gives byte for byte what the library's would, for every
body the library could render: a lone surrogate does not fail the response here."""

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
