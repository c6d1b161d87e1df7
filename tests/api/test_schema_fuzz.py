"""Schema fuzzing: schemathesis generates requests for every operation of `/api/schema` and
sends them in-process to the WSGI application, authenticated as a superuser with a bearer
token, against the demo data (items, stock, BOMs, production orders in every status) plus the
rows of tests/api/nullable_rows.py, in which every field the API may answer as `null` is null
(orders with no scheduled or due date, work orders never started, moves with no lot, no
warehouse on one side, no order and no user, a reservation for no order).

What it proves, for every operation: bad input never gives a 5xx; every status, content type and
body the API answers is the one the schema documents; and data the schema calls invalid is
refused (a 4xx), never accepted.

Checks enabled (zero failures is the bar):

- `not_a_server_error`            no 5xx, whatever the input (API.md: "No endpoint answers 500
                                  to bad input").
- `status_code_conformance`       every status is one the operation documents (errors 400, 401,
                                  403, 404, 409, 415, 422 and 429 as problem+json).
- `content_type_conformance`      `application/json` for data, `application/problem+json` for
                                  errors, as documented.
- `response_schema_conformance`   every body matches its response component (request and
                                  response components are split: COMPONENT_SPLIT_REQUEST),
                                  OpenAPI's `nullable` honoured: a null in a field the schema
                                  calls a plain string fails, which is why the data must hold
                                  those nulls (the queue's `dueDate` passed for want of one).
                                  tests/api/test_response_schema.py checks every GET response
                                  the same way without randomness, every row and record, and
                                  that the data has a null for every nullable field.
- `negative_data_rejection`       a request the schema calls invalid (wrong JSON type, out of
                                  range, too long, missing, malformed id, not an enum value…)
                                  is refused with a 4xx.
- `ignored_auth`                  an operation that answered 2xx is asked again with no
                                  credentials and with invalid ones, and must refuse (API.md
                                  "auth": 401).
- `unsupported_method`            a method the schema does not list for a path is a 405 with
                                  `Allow`.

Checks left off, each because it contradicts a documented rule of API.md:

- `positive_data_acceptance` expects a 2xx for every schema-valid request, but the schema
  cannot express the domain rules (API.md "Validation (same rules in API, admin and
  import)", state machines, stock): a well-formed BOM for a random product is 400
  `item_not_found`, a produce on a draft order is 409 `invalid_state`, a cycle is 422
  `circular_reference`, an issue beyond stock is 400 `insufficient_stock`. Those answers are
  the contract, they are documented, and `status_code_conformance` holds them to it.
- `use_after_free` expects a 404 after a DELETE, but API.md "soft delete": a deleted item,
  unit, warehouse, workcenter, BOM or order "stays readable by id with `isActive: false`".
- `ensure_resource_availability` and the other stateful checks need chains of calls; here
  each example runs alone against the demo data and is rolled back (see below), so that every
  example starts from the same, known state. (Order life cycles, stock and races have their
  own tests: tests/manufacturing, tests/robustness.)
- `missing_required_header`: no operation has a required header (`Idempotency-Key` is
  optional, API.md "idempotency"), so it would check nothing.

How:

- The schema is loaded from the running application (`/api/schema`), not from a file.
- The demo data and the nullable rows are seeded once per module inside a transaction that is
  rolled back at the end;
  every example runs inside a savepoint that is rolled back, so writes never leak from one
  example to the next (nor into the rest of the suite).
- Path ids and ids in bodies (`itemId`, `productId`, `bomId`, …) are random UUIDs that hit no
  record; in the fuzzing phase (the coverage phase keeps its own boundary values) a hook swaps
  about half of them for ids of real demo records (archived ones too),
  and likewise `productNumber`, `uom` and `workcenter` texts for real item numbers, unit
  symbols and workcenter codes, so the fuzzer reaches past the 404 / `item_not_found` into the
  services. Only a valid value is swapped, for another valid one, so whether an example is
  valid or invalid does not change.
- Django's test client closes no connection per request and neither do we: the WSGI handler's
  `close_old_connections` is disconnected while the module runs, as the test client does, so
  the requests run on the test's connection, inside its transaction.
- The action throttle is raised for the module (API.md: the rate is a setting); its counters
  are cleared around every test by tests/conftest.py.
- Budget: `FUZZ_MAX_EXAMPLES` (default below) examples per operation in the fuzzing phase, plus
  schemathesis's deterministic coverage and examples phases. Runs are derandomized, so CI is
  reproducible; `FUZZ_SEED=<n>` explores another part of the input space locally.
  `pytest -m "not fuzz"` deselects it; `make test` and CI run it.
"""

import os
import traceback
import uuid
from io import StringIO

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from config.wsgi import application
from inventory.models import Lot, StockMove, Warehouse
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders.models import ProductionOrder, WorkOrder
from manufacturing.planning.models import Demand, PlannedOrder, PlanningRun
from tests.api.nullable_rows import seed_nullable_rows

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "100"))
SEED = os.environ.get("FUZZ_SEED")

# Path prefix (or body key) → the model whose real ids may stand in for a random one.
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
}
BODY_MODELS = {
    "itemId": Item,
    "productId": Item,
    "uomId": UnitOfMeasure,
    "bomId": BOM,
    "workcenterId": Workcenter,
    "fromWarehouseId": Warehouse,
    "toWarehouseId": Warehouse,
    "sourceWarehouseId": Warehouse,
    "targetWarehouseId": Warehouse,
}

# Body key → the real values that may stand in for a generated text of 1-20 characters (valid
# wherever these keys appear: every such field takes 1 to ≥20 characters).
BODY_TEXTS = {
    "productNumber": (Item, "number"),
    "uom": (UnitOfMeasure, "symbol"),
    "workcenter": (Workcenter, "code"),
}

KNOWN: dict = {}  # model → [ids]; "work_orders" → [(order id, work order id)]; key → [texts]
SERVER_ERRORS: list[str] = []


def _ids(model) -> list[str]:
    manager = getattr(model, "all_objects", model._default_manager)
    return [str(pk) for pk in manager.order_by("pk").values_list("pk", flat=True)]


def _record_server_error(sender, request=None, **kwargs):
    SERVER_ERRORS.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")


@pytest.fixture(scope="module")
def bearer(django_db_setup, django_db_blocker):
    """The demo data and a superuser's token, for the whole module, rolled back after it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(_record_server_error)
    high_rate = override_settings(
        REST_FRAMEWORK={
            **django_settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"actions": "1000000/min"},
        }
    )
    high_rate.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            seed_nullable_rows()
            user = get_user_model().objects.create_superuser("fuzzer", "fuzzer@example.com", "pw")
            token = Token.objects.create(user=user)
            KNOWN.update(
                {model: _ids(model) for model in {*PATH_MODELS.values(), *BODY_MODELS.values()}}
            )
            for key, (model, field) in BODY_TEXTS.items():
                KNOWN[key] = list(model.objects.order_by(field).values_list(field, flat=True))
            KNOWN["work_orders"] = [
                (str(order), str(pk))
                for pk, order in WorkOrder.objects.values_list("pk", "order_id")
            ]
            assert all(KNOWN.values()), "the demo data should hold every kind of record"
            assert all(len(text) <= 20 for key in BODY_TEXTS for text in KNOWN[key])
            yield f"Bearer {token.key}"
            transaction.set_rollback(True)
    finally:
        KNOWN.clear()
        high_rate.disable()
        signals.got_request_exception.disconnect(_record_server_error)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _is_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _maybe_known(draw, value, model):
    """A well-formed UUID, half of the time replaced by a real record's id."""
    if not _is_uuid(value) or not KNOWN.get(model) or not draw(st.booleans()):
        return value
    return draw(st.sampled_from(KNOWN[model]))


def _maybe_known_text(draw, value, key):
    """A text of 1-20 characters, half of the time replaced by a real number, symbol or code
    (also 1-20 characters: the example stays as valid or invalid as it was)."""
    if not (isinstance(value, str) and 1 <= len(value) <= 20) or not draw(st.booleans()):
        return value
    return draw(st.sampled_from(KNOWN[key]))


@st.composite
def _path_with_known_ids(draw, path: str, params: dict):
    if "wo_id" in params:
        if all(_is_uuid(v) for v in params.values()) and draw(st.booleans()):
            order_id, wo_id = draw(st.sampled_from(KNOWN["work_orders"]))
            return {**params, "id": order_id, "wo_id": wo_id}
        return params
    model = next((m for prefix, m in PATH_MODELS.items() if path.startswith(prefix)), None)
    if model is None or "id" not in params:
        return params
    return {**params, "id": _maybe_known(draw, params["id"], model)}


@st.composite
def _body_with_known_ids(draw, body):
    def swap(value):
        if isinstance(value, list):
            return [swap(item) for item in value]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key in BODY_MODELS:
                    out[key] = _maybe_known(draw, item, BODY_MODELS[key])
                elif key in BODY_TEXTS:
                    out[key] = _maybe_known_text(draw, item, key)
                else:
                    out[key] = swap(item)
            return out
        return value

    return swap(body)


schema = schemathesis.openapi.from_wsgi("/api/schema", application)
if SEED is not None:
    schema.config.seed = int(SEED)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    return _path_with_known_ids(context.operation.path, path_parameters)


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    return _body_with_known_ids(body)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=SEED is None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
def test_every_operation_survives_fuzzing(case, bearer):
    SERVER_ERRORS.clear()
    try:
        with transaction.atomic():
            case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)
            transaction.set_rollback(True)
    finally:
        # A 5xx fails `not_a_server_error`; show the server's traceback with it.
        for error in SERVER_ERRORS:
            print(error)
