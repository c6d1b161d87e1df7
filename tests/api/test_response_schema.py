"""Every GET response matches the schema `/api/schema` publishes for it, on data that holds a
null in every field the schema allows to be null (API.md "schema": it describes every body).

Deterministic, unlike the fuzzing of tests/api/test_schema_fuzz.py: on the demo data plus
tests/api/nullable_rows.py, every GET operation of the schema is called — every page of each
list (200 rows a page), each detail and sub-resource (`…/history`, `…/explosion`, `…/where-used`,
`…/work-orders`) for every record, archived ones too, and each documented value of their
enumerated query parameters — and each body is validated with jsonschema against the
operation's 200 response:

- OpenAPI 3.0's `nullable: true` becomes `anyOf: [schema, {type: null}]` (plain JSON Schema
  knows no `nullable`, and would otherwise ignore it and let nothing through but the type);
- an object's documented properties are all there is: a key the schema does not list is an
  error too (`additionalProperties: false` unless the schema says otherwise), so a fast read
  path cannot add an undocumented field;
- `uuid` and `date-time` formats are checked.

Then the data itself is checked: every nullable field of every component these responses use
must have been seen null at least once (otherwise its nullability was not tested), and every
operation must have answered at least one row. And the schema: every property of those
components is required (a field without a value is null, never left out).

Without data, a last test reads the output serializers: a field whose source crosses a
nullable column (`order.due_date`, `lot.number`) must allow null, so the schema says so.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import transaction
from jsonschema import Draft4Validator, FormatChecker
from rest_framework import serializers

import inventory.serializers
import items.serializers
import manufacturing.boms.serializers
import manufacturing.orders.serializers
import manufacturing.planning.serializers
from config.jobs.models import Job
from inventory.models import Lot, StockMove, Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders.models import ProductionOrder
from manufacturing.planning.models import Demand, PlannedOrder, PlanningRun
from tests.api.nullable_rows import seed_nullable_rows
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Path prefix → the model whose every record (archived too) is asked for by id.
PATH_MODELS = {
    "/api/uoms/": UnitOfMeasure,
    "/api/items/": Item,
    "/api/inventory/warehouses/": Warehouse,
    "/api/inventory/lots/": Lot,
    "/api/inventory/moves/": StockMove,
    "/api/manufacturing/workcenters/": Workcenter,
    "/api/manufacturing/boms/": BOM,
    "/api/manufacturing/orders/": ProductionOrder,
    "/api/planning/demands/": Demand,
    "/api/planning/items/": Item,
    "/api/planning/runs/": PlanningRun,
    "/api/planning/planned-orders/": PlannedOrder,
    "/api/jobs/": Job,
}
PAGE = 200  # the pagination's maximum limit
# Where the response serializers live (config.api's history entries are plain serializers).
SERIALIZER_MODULES = [
    items.serializers,
    inventory.serializers,
    manufacturing.boms.serializers,
    manufacturing.orders.serializers,
    manufacturing.planning.serializers,
]


# --- OpenAPI 3.0 schema object → JSON Schema (draft 4, which 3.0's schema object extends) ----

OPENAPI_ONLY = {
    "nullable",
    "readOnly",
    "writeOnly",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
}


def to_json_schema(node: dict) -> dict:
    """A JSON Schema that accepts exactly what the OpenAPI 3.0 schema `node` accepts, except that
    objects with listed properties accept no others unless `additionalProperties` says so."""
    out = {}
    for key, value in node.items():
        if key in OPENAPI_ONLY:
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(prop) for name, prop in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    # RFC 3339: a date, a `T`, a time and an offset (DRF writes `Z` for UTC).
    return not isinstance(value, str) or (
        "T" in value and datetime.fromisoformat(value).tzinfo is not None
    )


def validator_for(document: dict, schema: dict) -> Draft4Validator:
    components = {
        name: to_json_schema(component)
        for name, component in document["components"]["schemas"].items()
    }
    root = {"allOf": [to_json_schema(schema)], "components": {"schemas": components}}
    return Draft4Validator(root, format_checker=FORMATS)


def test_the_validator_honours_nullable_and_refuses_null_elsewhere():
    document = {
        "components": {
            "schemas": {
                "Ref": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Row": {
                    "type": "object",
                    "properties": {
                        "due": {"type": "string", "format": "date-time", "nullable": True},
                        "ref": {"allOf": [{"$ref": "#/components/schemas/Ref"}], "nullable": True},
                        "name": {"type": "string"},
                    },
                },
            }
        }
    }
    validator = validator_for(document, {"$ref": "#/components/schemas/Row"})
    assert validator.is_valid({"due": None, "ref": None, "name": "x"})
    assert validator.is_valid({"due": "2026-01-02T03:04:05Z", "ref": {"id": "a"}, "name": "x"})
    assert not validator.is_valid({"name": None})
    assert not validator.is_valid({"due": "2026-01-02"})  # a date is not a date-time
    assert not validator.is_valid({"ref": {"id": "a", "extra": 1}})  # undocumented key
    assert not validator.is_valid({"other": 1})


# --- the walk ---------------------------------------------------------------------------------


def _component(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _refs(node) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield _component(node["$ref"])
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(document: dict, schemas: list[dict]) -> set[str]:
    """The components the `schemas` use, directly or through other components."""
    seen: set[str] = set()
    todo = [name for schema in schemas for name in _refs(schema)]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(document["components"]["schemas"][name]))
    return seen


def _nullable_fields(document: dict, names: set[str]) -> set[tuple[str, str]]:
    return {
        (name, prop)
        for name in names
        for prop, schema in document["components"]["schemas"][name].get("properties", {}).items()
        if schema.get("nullable")
    }


def _record_nulls(document: dict, schema: dict, value, out: set, component: str = "") -> None:
    """Add (component, property) to `out` for every null `value` holds where `schema` has a
    property of that component."""
    if "$ref" in schema:
        name = _component(schema["$ref"])
        _record_nulls(document, document["components"]["schemas"][name], value, out, name)
        return
    for sub in schema.get("allOf", []):
        _record_nulls(document, sub, value, out, component)
    if isinstance(value, dict):
        for key, prop in schema.get("properties", {}).items():
            if key in value and value[key] is None:
                out.add((component, key))
            elif key in value:
                _record_nulls(document, prop, value[key], out, component)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _record_nulls(document, schema["items"], item, out, component)


def _schema_properties(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][_component(schema["$ref"])].get("properties", {})
    return schema.get("properties", {})


def _requests(path: str, operation: dict) -> Iterator[tuple[str, dict]]:
    """(url, query) for a list path; for a path with an id, every record (archived ones too),
    with the defaults and then each value of each enumerated query parameter."""
    if "{id}" not in path:
        yield path, {}
        return
    model = next((m for prefix, m in PATH_MODELS.items() if path.startswith(prefix)), None)
    assert model is not None, f"{path}: add its model to PATH_MODELS"
    variants = [{}] + [
        {param["name"]: value}
        for param in operation.get("parameters", [])
        if param["in"] == "query"
        for value in param.get("schema", {}).get("enum", [])
    ]
    manager = getattr(model, "all_objects", model._default_manager)
    for pk in manager.order_by("pk").values_list("pk", flat=True):
        for query in variants:
            yield path.replace("{id}", str(pk)), query


@dataclass
class Walk:
    document: dict
    schemas: list[dict] = field(default_factory=list)  # the GET operations' 200 schemas
    errors: list[str] = field(default_factory=list)
    nulls: set[tuple[str, str]] = field(default_factory=set)  # (component, property) seen null
    rows: dict[str, int] = field(default_factory=dict)  # path → rows (or bodies) answered
    requests: int = 0

    def __repr__(self) -> str:  # pytest shows the fixture's value on failure
        return f"Walk({self.requests} requests, {len(self.errors)} errors)"

    def operation(self, client, path: str, operation: dict) -> None:
        """Every page of every request of one GET operation, each body validated. A file
        download (`/api/jobs/{id}/download`, text/csv) has no JSON body to hold to a schema."""
        if "application/json" not in operation["responses"]["200"]["content"]:
            return
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        self.schemas.append(schema)
        validator = validator_for(self.document, schema)
        paged = "meta" in _schema_properties(self.document, schema)
        self.rows[path] = 0
        for url, query in _requests(path, operation):
            page = 1
            while True:
                params = {**query, "page": page, "limit": PAGE} if paged else query
                response = client.get(url, params)
                self.requests += 1
                label = f"GET {url} {params or ''}".rstrip()
                if response.status_code != 200:
                    self.errors.append(f"{label}: {response.status_code} {response.content[:300]}")
                    break
                body = response.json()
                for error in validator.iter_errors(body):
                    self.errors.append(f"{label}: {error.json_path}: {error.message}")
                _record_nulls(self.document, schema, body, self.nulls)
                if not paged:
                    self.rows[path] += 1
                    break
                self.rows[path] += len(body["data"])
                if page >= body["meta"]["totalPages"]:
                    break
                page += 1


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker) -> Iterator[Walk]:
    """Seed the demo data and the nullable rows, call every GET operation of the schema, validate
    every body. Rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        seed_nullable_rows()
        user = get_user_model().objects.create_superuser("schema", "schema@example.com", "pw")
        client = client_for(user)
        response = client.get("/api/schema", {"format": "json"})
        assert response.status_code == 200
        result = Walk(document=response.json())
        for path, item in result.document["paths"].items():
            if "get" in item:
                result.operation(client, path, item["get"])
        yield result
        transaction.set_rollback(True)


def test_every_get_response_matches_its_schema(walk):
    assert len(walk.rows) >= 25  # every GET operation of the schema was walked
    errors = walk.errors
    assert not errors, f"{len(errors)} schema violations:\n" + "\n".join(errors)


def test_every_get_operation_answered_rows(walk):
    assert [path for path, rows in walk.rows.items() if not rows] == []


def test_the_data_has_a_null_in_every_nullable_response_field(walk):
    document = walk.document
    nullable = _nullable_fields(document, _reachable(document, walk.schemas))
    assert nullable, "the schema should have nullable response fields"
    never_null = sorted(nullable - walk.nulls)
    assert not never_null, f"no row of the data has these null: {never_null}"


def test_every_get_response_field_is_always_present(walk):
    """A field with no value is there as null, never left out: the schema lists every property
    of a response component as required."""
    document = walk.document
    optional = sorted(
        (name, prop)
        for name in _reachable(document, walk.schemas)
        for prop in document["components"]["schemas"][name].get("properties", {})
        if prop not in document["components"]["schemas"][name].get("required", [])
    )
    assert not optional, f"documented as optional: {optional}"


# --- without data: a field read through a nullable column must say it can be null ------------


def _model_serializers() -> Iterator[type[serializers.ModelSerializer]]:
    for module in SERIALIZER_MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, serializers.ModelSerializer)
                and value.__module__ == module.__name__
            ):
                yield value


def _nullable_path(model, source: str) -> bool | None:
    """Whether `source` (a dotted path from `model`) crosses a column that may be NULL: a
    nullable foreign key on the way or a nullable last field. None when the path leaves the
    model's fields (a property, a method) or is a list: nothing to judge."""
    for name in source.split("."):
        if model is None:
            return None
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if model_field.one_to_many or model_field.many_to_many:
            return None  # a nested list (many=True), never null
        if model_field.null:
            return True
        model = model_field.related_model
    return False


def test_output_fields_read_through_nullable_columns_allow_null():
    """Without data: an output field whose source crosses a nullable column (`order.due_date`,
    `lot.number`) must allow null, which is what makes drf-spectacular call it `nullable`."""
    checked, wrong = 0, []
    for cls in _model_serializers():
        for name, output in cls().fields.items():
            if output.write_only or output.source == "*":
                continue
            nullable = _nullable_path(cls.Meta.model, output.source)
            checked += nullable is not None
            if nullable and not output.allow_null:
                wrong.append(f"{cls.__module__}.{cls.__name__}.{name} (source {output.source})")
    assert checked > 100
    assert not wrong, "read through a nullable column, yet not allow_null: " + ", ".join(wrong)


def test_a_stock_posting_matches_its_schema_which_documents_its_moves(walk):
    """POST /moves answers a StockPosting: its `moves` are StockMove rows and `lotId` a uuid
    or null, as the schema now says (it said "array of objects" and "string")."""
    properties = walk.document["components"]["schemas"]["StockPosting"]["properties"]
    assert properties["moves"]["items"] == {"$ref": "#/components/schemas/StockMove"}
    assert properties["lotId"] == {
        "type": "string",
        "format": "uuid",
        "nullable": True,
        "readOnly": True,
    }
    schema = walk.document["paths"]["/api/inventory/moves"]["post"]["responses"]["201"]
    validator = validator_for(walk.document, schema["content"]["application/json"]["schema"])
    client = client_for(get_user_model().objects.get(username="schema"))
    issue = client.post(
        "/api/inventory/moves",
        {"kind": "issue", "itemId": str(Item.objects.get(number="HW-BOLT-M10").pk), "quantity": 2},
        format="json",
    )
    receipt = client.post(
        "/api/inventory/moves",
        {
            "kind": "receipt",
            "itemId": str(Item.objects.get(number="PCB-001").pk),
            "quantity": 3,
            "lotNumber": "PCB-SCHEMA",
        },
        format="json",
    )
    assert (issue.status_code, receipt.status_code) == (201, 201)
    assert (issue.json()["lotId"], issue.json()["toWarehouse"]) == (None, None)
    assert receipt.json()["lotId"] == str(Lot.objects.get(number="PCB-SCHEMA").pk)
    for response in (issue, receipt):
        assert [error.message for error in validator.iter_errors(response.json())] == []
