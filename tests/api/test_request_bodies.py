"""The request body boundary (config.api.parsers, docs/api.md "Request bodies"): a body too
large, nested too deep or holding a lone surrogate is refused as problem+json before any view
reads it, and nothing is written; numbers are read exactly."""

import json
from decimal import Decimal

import pytest
from django.apps import apps

from config.api.parsers import MAX_DEPTH, too_deep
from inventory.models import StockMove
from items.models import Item
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, UnitOfMeasureFactory
from tests.manufacturing.factories import BOMFactory
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
SURROGATE = "Surrogate characters are not allowed: U+D800."


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table of the project's apps (history and idempotency keys too)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for label in ("config", "items", "inventory", "manufacturing")
        for model in apps.get_app_config(label).get_models()
    }


def send(api, method: str, url: str, raw: str | bytes, **extra):
    """A body exactly as given: the test client would encode a dict with our renderer, which
    replaces a lone surrogate instead of sending it."""
    return api.generic(method.upper(), url, raw, content_type="application/json", **extra)


def nested(depth: int) -> str:
    """A JSON array `depth` levels deep."""
    return "[" * depth + "]" * depth


# --- nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 474, 1000, 100_000])
def test_a_body_nested_past_the_limit_is_a_400_and_writes_nothing(api, depth):
    """474 levels were a RecursionError in the camelCase parser's key walk, ~1,000 one in
    `json` itself: 500s."""
    before = snapshot()
    body = f'{{"number": "DEEP-1", "name": "n", "uom": "EA", "description": {nested(depth - 1)}}}'

    response = send(api, "post", "/api/items", body)

    problem = assert_problem(response, 400, "parse_error")
    assert problem["detail"] == "JSON parse error - nested deeper than 32 arrays and objects."
    assert snapshot() == before


def test_a_patch_nested_past_the_limit_changes_nothing(api):
    item = ItemFactory(name="Kept")
    before = snapshot()

    response = send(api, "patch", f"/api/items/{item.pk}", f'{{"name": {nested(600)}}}')

    assert_problem(response, 400, "parse_error")
    assert snapshot() == before


def test_an_action_that_takes_no_body_refuses_a_malformed_one_before_running(api):
    """`confirm` never read its body, so one nested 5,000 deep (or not JSON at all) was
    ignored and the order confirmed: every write parses its body first now."""
    plant = make_plant()
    order = make_order(plant)
    before = snapshot()

    for body in (f'{{"x": {nested(5000)}}}', "{not json"):
        response = send(api, "post", f"/api/manufacturing/orders/{order.pk}/confirm", body)
        assert_problem(response, 400, "parse_error")

    assert snapshot() == before
    order.refresh_from_db()
    assert order.status == "draft"


def test_a_body_nested_exactly_to_the_limit_reaches_the_serializer(api):
    inner = nested(MAX_DEPTH - 1)
    body = f'{{"number": "DEEP-2", "name": "n", "uom": "EA", "description": {inner}}}'

    problem = assert_problem(send(api, "post", "/api/items", body), 400, "validation_error")

    assert problem["errors"] == {"description": ["Must be a string."]}


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    name = '[{"\\' + "[" * 150

    response = api.post("/api/items", {"number": "BR-1", "name": name, "uom": "EA"})

    assert response.status_code == 201, response.content
    assert Item.objects.get(number="BR-1").name == name


@pytest.mark.parametrize(
    "text, deep",
    [
        ("[]" * 500, False),  # many brackets, one level
        (nested(32), False),
        (nested(33), True),
        ('["' + "[" * 40 + '"]', False),  # inside a string
        ('["\\"' + "[" * 40 + '"]', False),  # after an escaped quote, still inside
        ('["\\\\"' + ", [" * 40, True),  # an escaped backslash ends the string
        ('{"a": ' * 33 + "1" + "}" * 33, True),
    ],
)
def test_too_deep_counts_brackets_outside_strings(text, deep):
    assert too_deep(text) is deep


# --- lone surrogates --------------------------------------------------------------------------


def _choice_writes():
    """Every choice field of a write (the attack found all of them answering 500)."""
    item = ItemFactory()
    unit = UnitOfMeasureFactory(symbol="bx")
    bom = BOMFactory(product=ItemFactory())
    return [
        ("post", "/api/inventory/moves", {"itemId": str(item.pk), "quantity": 1}, "kind"),
        (
            "post",
            "/api/manufacturing/orders",
            {"productId": str(item.pk), "quantity": 1},
            "priority",
        ),
        ("post", "/api/items", {"number": "S-1", "name": "n", "uom": "EA"}, "type"),
        ("post", "/api/items", {"number": "S-1", "name": "n", "uom": "EA"}, "tracking"),
        ("post", "/api/uoms", {"symbol": "sx", "name": "n"}, "category"),
        ("post", "/api/manufacturing/boms", {"productId": str(item.pk), "components": []}, "type"),
        ("patch", f"/api/items/{item.pk}", {}, "type"),
        ("patch", f"/api/items/{item.pk}", {}, "tracking"),
        ("patch", f"/api/uoms/{unit.pk}", {}, "category"),
        ("patch", f"/api/manufacturing/boms/{bom.pk}", {}, "type"),
    ]


CHOICE_FIELDS = [
    "moves.kind",
    "orders.priority",
    "items.type",
    "items.tracking",
    "uoms.category",
    "boms.type",
    "patch items.type",
    "patch items.tracking",
    "patch uoms.category",
    "patch boms.type",
]


@pytest.mark.parametrize("case", range(len(CHOICE_FIELDS)), ids=CHOICE_FIELDS)
@pytest.mark.parametrize("value", ["\ud800", "stock\udfffable", "\ud800\ud800"])
def test_a_lone_surrogate_in_a_choice_field_is_a_400_naming_it(api, case, value):
    """The "not a valid choice" message echoed the value, which the renderer could not encode
    (UnicodeEncodeError, 500). Refused at parse time, with DRF's CharField's own message."""
    method, url, body, field = _choice_writes()[case]
    before = snapshot()

    response = send(api, method, url, json.dumps({**body, field: value}))

    problem = assert_problem(response, 400, "validation_error")
    code_point = f"U+{ord(next(c for c in value if 0xD800 <= ord(c) <= 0xDFFF)):X}"
    assert problem["errors"] == {field: [f"Surrogate characters are not allowed: {code_point}."]}
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, path",
    [
        ({"number": "S-2", "name": "\ud800", "uom": "EA"}, "name"),
        ({"number": "S-2", "name": "n", "uom": "EA", "description": "a\udc00b"}, "description"),
        ({"number": "\ud800", "name": "n", "uom": "EA"}, "number"),
        ({"number": "S-2", "name": "n", "uom": "\ud800"}, "uom"),
        (
            {"number": "S-2", "name": "n", "uom": "EA", "unknownKey": ["x", "\ud800"]},
            "unknownKey[1]",
        ),
        ({"number": "S-2", "name": "n", "uom": "EA", "na\ud800me": "x"}, "na\\ud800me"),
    ],
)
def test_a_lone_surrogate_in_any_string_or_key_is_a_400_and_writes_nothing(api, body, path):
    before = snapshot()

    response = send(api, "post", "/api/items", json.dumps(body))

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == [path]
    assert problem["errors"][path][0].startswith("Surrogate characters are not allowed: U+D")
    assert snapshot() == before


def test_a_lone_surrogate_deep_in_a_bom_line_names_its_path(api):
    product = ItemFactory()
    body = {"productId": str(product.pk), "components": [{}, {"productNumber": "\ud800"}]}
    before = snapshot()

    response = send(api, "post", "/api/manufacturing/boms", json.dumps(body))

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"components[1].productNumber": [SURROGATE]}
    assert snapshot() == before


def test_a_surrogate_pair_is_one_character_and_welcome(api):
    """`\\ud83d\\ude00` is how JSON escapes 😀: valid text, stored as the one character."""
    body = json.dumps({"number": "EMO-1", "name": "Smile \U0001f600", "uom": "EA"})
    assert "\\ud83d\\ude00" in body

    response = send(api, "post", "/api/items", body)

    assert response.status_code == 201, response.content
    assert Item.objects.get(number="EMO-1").name == "Smile \U0001f600"


@pytest.mark.parametrize(
    "query, param",
    [
        ("/api/items?type=%ED%A0%80", "type"),
        ("/api/items?tracking=%ED%A0%80", "tracking"),
        ("/api/uoms?category=%ED%A0%80", "category"),
        ("/api/manufacturing/orders?priority=%ED%A0%80", "priority"),
        ("/api/manufacturing/boms?type=%ED%A0%80", "type"),
        ("/api/inventory/moves?kind=%ED%A0%80", "kind"),
    ],
)
def test_a_surrogate_encoded_in_a_query_value_never_gives_a_500(api, query, param):
    """A query string is bytes: UTF-8 cannot hold a lone surrogate, so Django decodes the bytes
    of one as U+FFFD, which an error message may quote and the renderer encodes."""
    response = api.get(query)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert list(assert_problem(response, 400, "validation_error")["errors"]) == [param]
    response.content.decode("utf-8")


def test_a_surrogate_in_a_search_is_a_plain_search(api):
    ItemFactory(name="Plain")

    response = api.get("/api/items?search=%ED%A0%80")

    assert response.status_code == 200
    assert response.json()["data"] == []


# --- other unreadable bodies ------------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(api, constant):
    before = snapshot()
    body = f'{{"number": "NAN-1", "name": "n", "uom": "EA", "standardCost": {constant}}}'

    problem = assert_problem(send(api, "post", "/api/items", body), 400, "parse_error")

    assert problem["detail"] == f"JSON parse error - {constant} is not a JSON number"
    assert snapshot() == before


def test_a_body_in_a_charset_that_is_no_text_encoding_is_a_400(api):
    """`charset=bz2_codec` passes Django's codec lookup but no text decodes with it (it was a
    LookupError, a 500, in the camelCase parser)."""
    response = api.generic(
        "POST", "/api/items", b"{}", content_type="application/json; charset=bz2_codec"
    )

    assert_problem(response, 400, "parse_error")


def test_a_body_that_is_not_utf8_is_a_400(api):
    response = send(api, "post", "/api/items", b'{"number": "\xed\xa0\x80"}')

    problem = assert_problem(response, 400, "parse_error")
    assert problem["detail"].startswith("JSON parse error - not utf-8 text")


# --- size -------------------------------------------------------------------------------------


@pytest.mark.parametrize("megabytes", [3, 20])
def test_a_body_over_the_size_limit_is_a_413_problem_and_writes_nothing(api, megabytes):
    """It was Django's 400 text/html page."""
    before = snapshot()
    body = json.dumps({"number": "BIG-1", "name": "n" * (megabytes << 20), "uom": "EA"})

    response = send(api, "post", "/api/items", body)

    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == (
        "The request body is larger than 2621440 bytes, the most this API reads."
    )
    assert response["Cache-Control"] == "no-store"
    assert snapshot() == before


def test_the_size_limit_is_the_setting(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = json.dumps({"number": "BIG-2", "name": "n" * 50, "uom": "EA"})
    assert 90 < len(body) <= 100

    assert send(api, "post", "/api/items", body).status_code == 201
    response = send(api, "post", "/api/items", json.dumps({"number": "BIG-3", "name": "n" * 90}))
    assert assert_problem(response, 413, "payload_too_large")["detail"] == (
        "The request body is larger than 100 bytes, the most this API reads."
    )
    assert list(
        Item.objects.filter(number__startswith="BIG-").values_list("number", flat=True)
    ) == ["BIG-2"]


def test_a_host_not_allowed_is_a_problem_400_under_api(api):
    """Django's own 400s (here DisallowedHost, raised by a middleware) are problem+json under
    /api/ like every other error; elsewhere they stay Django's page."""
    response = api.get("/api/items", HTTP_HOST="evil.example")

    problem = assert_problem(response, 400, "bad_request")
    assert problem["detail"] == "The request could not be read."
    assert api.get("/admin/", HTTP_HOST="evil.example")["Content-Type"].startswith("text/html")


# --- numbers ----------------------------------------------------------------------------------


def test_a_quantity_with_more_places_than_allowed_is_refused_not_rounded_away(api):
    """`10000000000.0000001` (7 places) became the float 10000000000.0, which passed the
    6-place rule (201); `0.1000001` was refused. Both are refused now."""
    item = ItemFactory()
    before = snapshot()

    for text in ("10000000000.0000001", "0.1000001"):
        body = f'{{"kind": "receipt", "itemId": "{item.pk}", "quantity": {text}}}'
        response = send(api, "post", "/api/inventory/moves", body)

        problem = assert_problem(response, 400, "validation_error")
        assert problem["errors"] == {"quantity": ["At most 6 digits after the decimal point."]}
    assert snapshot() == before


@pytest.mark.postgres  # SQLite keeps 15 significant digits of a NUMERIC column (its REAL)
def test_a_quantity_is_stored_and_answered_with_every_digit_sent(api):
    """`100000000000.000001` went through a float: stored as 100000000000.0 (201)."""
    item = ItemFactory()
    body = f'{{"kind": "receipt", "itemId": "{item.pk}", "quantity": 100000000000.000001}}'

    response = send(api, "post", "/api/inventory/moves", body)

    assert response.status_code == 201, response.content
    assert StockMove.objects.get(item=item).quantity == Decimal("100000000000.000001")
    assert b'"quantity":100000000000.000001,' in response.content
    assert (
        api.get(f"/api/inventory/moves?itemId={item.pk}").content.count(
            b'"quantity":100000000000.000001,'
        )
        == 1
    )


def test_a_cost_with_more_places_than_money_has_is_refused_not_rounded(api):
    """`999999999999.999999` became the float 1000000000000.0, which passed the 4-place rule
    and was stored (201): the rule now sees what the client sent."""
    body = '{"number": "COST-1", "name": "n", "uom": "EA", "standardCost": 999999999999.999999}'

    response = send(api, "post", "/api/items", body)

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"standardCost": ["At most 4 digits after the decimal point."]}
    assert not Item.objects.filter(number="COST-1").exists()


@pytest.mark.parametrize("text", ["2.5", "2.50", "25e-1", "2.5E0"])
def test_a_number_in_any_json_spelling_is_the_same_quantity(api, text):
    item = ItemFactory()

    response = send(
        api,
        "post",
        "/api/inventory/moves",
        f'{{"kind": "receipt", "itemId": "{item.pk}", "quantity": {text}}}',
    )

    assert response.status_code == 201, response.content
    assert StockMove.objects.get(item=item).quantity == Decimal("2.5")
    assert b'"quantity":2.5,' in response.content


@pytest.mark.parametrize("sequence", ["1.5", "1.0", "1e1"])
def test_an_integer_field_still_takes_only_integers(api, sequence):
    """Numbers with a fraction or an exponent are Decimals now, never ints."""
    product = ItemFactory()
    before = snapshot()
    body = (
        f'{{"productId": "{product.pk}", "components": [], "operations": [{{"name": "Cut", '
        f'"workcenter": "X", "durationMinutes": 5, "sequence": {sequence}}}]}}'
    )

    response = send(api, "post", "/api/manufacturing/boms", body)

    problem = assert_problem(response, 400, "validation_error")
    assert problem["errors"] == {"operations[0].sequence": ["Must be an integer."]}
    assert snapshot() == before
