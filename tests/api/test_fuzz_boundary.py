"""The request body boundary, fuzzed over every write operation of `/api/schema`.

For each POST, PUT and PATCH the schema lists (found at run time, so a new endpoint is covered
the day it is added), against the demo data with real ids in the path, as a superuser:

- a body nested past the limit (33 and 5,000 levels) is 400 `parse_error`;
- a lone surrogate (`"\\ud800"`) in each string or enum field of the operation's request
  schema, nested fields (`components[0].productNumber`) included, is 400 `validation_error`
  naming that field; an operation without a request body gets one in a key of its own;
- a body one byte over `DATA_UPLOAD_MAX_MEMORY_SIZE` is 413 `payload_too_large`, a status the
  operation documents; an operation that takes only a multipart upload (`…/boms/imports`)
  refuses each of those JSON bodies with 415 and a file one byte over `JOBS_UPLOAD_MAX_BYTES`
  with 413 `payload_too_large`;

always as problem+json, never stored by a cache, and with not one row of the database changed
(every table of the project's apps compared, history and idempotency keys included). Every
operation is refused before its view reads or does anything: a write action that takes no body
(`confirm`, `submit`…) parses what it is sent all the same (config.api.viewsets).

Found by an outside attack (issue 10): 474 levels were a RecursionError, a surrogate in a choice
field a UnicodeEncodeError, both 500s; an oversize body was Django's HTML page.
"""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from config.api.parsers import MAX_DEPTH
from inventory.models import Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders.models import ProductionOrder, WorkOrder
from manufacturing.planning.models import Demand, PlannedOrder, PlanningRun
from tests.api.test_request_bodies import snapshot
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
WRITES = ("post", "put", "patch")
SURROGATE = "\ud800"
SURROGATE_MESSAGE = "Surrogate characters are not allowed: U+D800."

# Path prefix → the model whose first live record fills `{id}`.
PATH_MODELS = {
    "/api/uoms/": UnitOfMeasure,
    "/api/items/": Item,
    "/api/inventory/warehouses/": Warehouse,
    "/api/manufacturing/workcenters/": Workcenter,
    "/api/manufacturing/boms/": BOM,
    "/api/manufacturing/orders/": ProductionOrder,
    "/api/planning/demands/": Demand,
    "/api/planning/items/": Item,
    "/api/planning/runs/": PlanningRun,
    "/api/planning/planned-orders/": PlannedOrder,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, the schema and a superuser, for the whole module, rolled back after it;
    each test runs in a savepoint of its own inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        user = get_user_model().objects.create_superuser("boundary", "b@example.com", "pw")
        client = client_for(user)
        schema = client.get("/api/schema?format=json").json()
        work_order = WorkOrder.objects.order_by("pk").first()
        ids = {
            prefix: str(model.objects.order_by("pk").first().pk)
            for prefix, model in PATH_MODELS.items()
        }
        yield {"user": user, "schema": schema, "ids": ids, "work_order": work_order}
        transaction.set_rollback(True)


def _url(path: str, demo) -> str:
    if "{wo_id}" in path:
        work_order = demo["work_order"]
        return path.format(id=work_order.order_id, wo_id=work_order.pk)
    for prefix, pk in demo["ids"].items():
        if path.startswith(prefix):
            return path.format(id=pk)
    assert "{" not in path, f"no record to put in {path}: add its model to PATH_MODELS"
    return path


def operations(demo) -> list[tuple[str, str, str, dict | None]]:
    """(method, path template, url, request schema or None) of every write operation."""
    found = []
    for path, item in demo["schema"]["paths"].items():
        for method, operation in item.items():
            if method in WRITES:
                content = operation.get("requestBody", {}).get("content", {})
                body = content.get("application/json", {}).get("schema")
                found.append((method, path, _url(path, demo), body, operation))
    return found


def file_upload(operation) -> bool:
    """An operation that takes only a multipart upload (`POST …/boms/imports`): a JSON body is
    refused before anything is parsed (415), whatever it holds; its own limit is the upload's."""
    content = operation.get("requestBody", {}).get("content", {})
    return "multipart/form-data" in content and "application/json" not in content


def _json_refusal(response, operation, status: int, code: str) -> str | None:
    if file_upload(operation):
        return _refusal(response, 415, "unsupported_media_type")
    return _refusal(response, status, code)


def _resolve(schema: dict, components: dict) -> dict:
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        elif any(k in schema for k in ("allOf", "oneOf", "anyOf")):
            options = schema.get("allOf") or schema.get("oneOf") or schema.get("anyOf")
            real = [s for s in options if _resolve(s, components).get("enum") != [None]]
            schema = real[0]
        else:
            return schema


def string_fields(schema: dict, components: dict, steps=()):
    """The path (`["components", 0, "productNumber"]`) of every string or enum field of a
    request schema, at every depth."""
    schema = _resolve(schema, components)
    if "enum" in schema or schema.get("type") == "string":
        yield list(steps)
    elif schema.get("type") == "array" and "items" in schema:
        yield from string_fields(schema["items"], components, (*steps, 0))
    elif "properties" in schema:
        for name, prop in schema["properties"].items():
            if not prop.get("readOnly"):
                yield from string_fields(prop, components, (*steps, name))


def _body(steps: list, value):
    body = value
    for step in reversed(steps):
        body = [body] if isinstance(step, int) else {step: body}
    return body


def _path(steps: list) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _send(demo, method: str, url: str, raw: str):
    client = client_for(demo["user"])
    return client.generic(method.upper(), url, raw, content_type="application/json")


def _send_upload(demo, method: str, url: str, size: int):
    """A multipart upload whose file is `size` bytes."""
    client = client_for(demo["user"])
    upload = SimpleUploadedFile("big.csv", b"n" * size, content_type="text/csv")
    return client.generic(method.upper(), url, **_multipart({"file": upload}))


def _multipart(data: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}


def _refusal(response, status: int, code: str) -> str | None:
    """What is wrong with a refusal, or None."""
    if response.status_code != status:
        return f"{response.status_code} instead of {status}: {response.content[:300]!r}"
    if response["Content-Type"] != PROBLEM:
        return f"Content-Type {response['Content-Type']}"
    if response.get("Cache-Control") != "no-store":
        return f"Cache-Control {response.get('Cache-Control')!r}"
    body = response.json()
    if body.get("code") != code or body.get("status") != status:
        return f"code {body.get('code')!r} instead of {code!r}"
    return None


def test_the_schema_lists_every_write_operation(demo):
    """So that the tests below cannot pass by testing nothing."""
    ops = {(method, path) for method, path, *_ in operations(demo)}

    assert len(ops) >= 32
    assert {
        ("post", "/api/items"),
        ("patch", "/api/uoms/{id}"),
        ("put", "/api/manufacturing/boms/{id}/components"),
        ("post", "/api/manufacturing/orders/{id}/confirm"),
        ("post", "/api/manufacturing/orders/{id}/work-orders/{wo_id}/done"),
        ("post", "/api/inventory/moves"),
    } <= ops
    bodies = {path: body for method, path, _, body, _ in operations(demo) if method == "post"}
    components = demo["schema"]["components"]["schemas"]
    fields = [_path(s) for s in string_fields(bodies["/api/manufacturing/boms"], components)]
    assert {"productId", "type", "components[0].productNumber", "operations[0].name"} <= set(fields)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_a_body_nested_too_deep_is_refused_by_every_write(demo, depth):
    failures = []
    for method, path, url, _, operation in operations(demo):
        before = snapshot()
        response = _send(demo, method, url, '{"x": %s}' % ("[" * (depth - 1) + "]" * (depth - 1)))
        problem = _json_refusal(response, operation, 400, "parse_error")
        if problem is None and snapshot() != before:
            problem = "the database changed"
        if problem:
            failures.append(f"{method.upper()} {path}: {problem}")

    assert failures == []


def test_a_lone_surrogate_in_any_string_field_is_refused_by_every_write(demo):
    components = demo["schema"]["components"]["schemas"]
    failures, sent = [], 0
    for method, path, url, body_schema, operation in operations(demo):
        fields = list(string_fields(body_schema, components)) if body_schema else [["note"]]
        for steps in fields:
            before = snapshot()
            response = _send(demo, method, url, json.dumps(_body(steps, SURROGATE)))
            sent += 1
            problem = _json_refusal(response, operation, 400, "validation_error")
            if (
                problem is None
                and not file_upload(operation)
                and response.json()["errors"] != {_path(steps): [SURROGATE_MESSAGE]}
            ):
                problem = f"errors {response.json()['errors']}"
            if problem is None and snapshot() != before:
                problem = "the database changed"
            if problem:
                failures.append(f"{method.upper()} {path} {_path(steps)}: {problem}")

    assert failures == []
    assert sent >= 100  # every string and enum field of every write


def test_a_body_over_the_size_limit_is_a_documented_413_for_every_write(demo):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = json.dumps({"x": "n" * limit})[: limit + 1]  # one byte too many (not even JSON)
    failures = []
    for method, path, url, _, operation in operations(demo):
        before = snapshot()
        if file_upload(operation):
            response = _send_upload(demo, method, url, settings.JOBS_UPLOAD_MAX_BYTES + 1)
        else:
            response = _send(demo, method, url, raw)
        problem = _refusal(response, 413, "payload_too_large")
        if problem is None and "413" not in operation["responses"]:
            problem = "413 is not in the schema's responses"
        if problem is None and snapshot() != before:
            problem = "the database changed"
        if problem:
            failures.append(f"{method.upper()} {path}: {problem}")

    assert failures == []
