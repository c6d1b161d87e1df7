import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.models import IdempotencyKey
from items.models import Item
from tests.api.test_conventions import assert_problem
from tests.conftest import client_for
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
BODY = {"number": "IDEM-1", "name": "Idempotent", "uom": "EA"}


def test_repeat_with_same_key_replays_without_doing_the_work_again(api):
    first = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Item.objects.filter(number="IDEM-1").count() == 1


def test_same_key_different_body_is_422(api):
    api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="k-2")

    response = api.post("/api/items", {**BODY, "name": "Other"}, HTTP_IDEMPOTENCY_KEY="k-2")

    assert_problem(response, 422, "idempotency_key_reused")
    assert Item.objects.get(number="IDEM-1").name == "Idempotent"


def test_keys_are_scoped_per_user(api, make_user):
    other = client_for(make_user(superuser=True))
    api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="shared")

    response = other.post("/api/items", {**BODY, "number": "IDEM-2"}, HTTP_IDEMPOTENCY_KEY="shared")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Item.objects.filter(number__startswith="IDEM-").count() == 2


def test_business_refusals_are_stored_and_replayed(api):
    taken = ItemFactory(number="IDEM-1")
    refused = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="k-3")
    assert_problem(refused, 400, "validation_error")

    taken.delete()
    replay = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="k-3")

    assert replay.status_code == 400
    assert replay.json() == refused.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert not Item.objects.filter(number="IDEM-1").exists()


def _raw_post(api, body: str, key: str):
    return api.generic(
        "POST",
        "/api/inventory/moves",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.parametrize(
    "first, retry",
    [("1", "1.0"), ("1", "1e0"), ("2.5", "2.50"), ("100", "1E+2"), ("0.000001", "1e-6")],
)
def test_a_retry_writing_the_same_number_differently_is_a_replay(api, first, retry):
    """The body was compared as parsed by float: `1` and `1.0` were different bodies (422
    `idempotency_key_reused`). Numbers are compared by value now."""
    from inventory.models import StockMove

    item = ItemFactory()
    template = '{"kind": "receipt", "itemId": "%s", "quantity": %s}'

    created = _raw_post(api, template % (item.pk, first), "num-1")
    replay = _raw_post(api, template % (item.pk, retry), "num-1")

    assert created.status_code == 201, created.content
    assert replay.status_code == 201, replay.content
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == created.content
    assert StockMove.objects.filter(item=item).count() == 1


@pytest.mark.parametrize(
    "first, retry",
    [
        ("1", '"1"'),
        ("1", "1.000001"),
        ("1", "true"),
        ("0.1", "0.1000000000000000055511151231257827"),
    ],
)
def test_a_retry_with_another_value_or_type_is_still_refused(api, first, retry):
    item = ItemFactory()
    template = '{"kind": "receipt", "itemId": "%s", "quantity": %s}'

    _raw_post(api, template % (item.pk, first), "num-2")
    response = _raw_post(api, template % (item.pk, retry), "num-2")

    assert_problem(response, 422, "idempotency_key_reused")


def test_the_fingerprint_of_a_body_without_fractions_is_the_one_stored_before():
    """Keys stored by the previous release (24 h) still match their retries when the body has
    only texts, integers, booleans and nulls."""
    import hashlib
    import json

    from config.idempotency import fingerprint

    data = {"number": "N-1", "qty": 3, "flags": [True, None], "nested": {"b": 1, "a": "x"}}
    old = json.dumps(
        {"method": "POST", "path": "/api/items", "body": data}, sort_keys=True, default=str
    )

    assert (
        fingerprint(method="POST", path="/api/items/", data=data)
        == hashlib.sha256(old.encode()).hexdigest()
    )


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "é"])
def test_invalid_keys_are_400(api, key):
    response = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY=key)

    assert_problem(response, 400, "validation_error")
    assert not Item.objects.filter(number="IDEM-1").exists()


def test_keys_expire_after_24_hours(api):
    api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    Item.objects.filter(number="IDEM-1").delete()

    again = api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="old")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again


def test_without_a_key_posts_are_not_recorded(api):
    api.post("/api/items", BODY)

    assert not IdempotencyKey.objects.exists()


def test_purge_command_deletes_only_old_keys(api):
    api.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="a")
    api.post("/api/items", {**BODY, "number": "IDEM-2"}, HTTP_IDEMPOTENCY_KEY="b")
    IdempotencyKey.objects.filter(key="a").update(created_at=timezone.now() - timedelta(hours=30))
    out = StringIO()

    call_command("purge_idempotency_keys", "--dry-run", stdout=out)
    assert "Would delete 1" in out.getvalue()
    assert IdempotencyKey.objects.count() == 2

    call_command("purge_idempotency_keys", stdout=StringIO())
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


def test_schema_documents_the_header(anon):
    schema = anon.get("/api/schema?format=json").json()

    params = schema["paths"]["/api/items"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_identical_posts_execute_once(make_user):
    user = make_user(superuser=True)
    barrier = threading.Barrier(20)
    results = []

    def post():
        client = client_for(user)
        barrier.wait()
        try:
            response = client.post("/api/items", BODY, HTTP_IDEMPOTENCY_KEY="race")
            results.append(
                (
                    response.status_code,
                    response.json()["id"] if response.status_code == 201 else None,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 20
    assert {status for status, _ in results} == {201}
    assert len({item_id for _, item_id in results}) == 1
    assert Item.objects.filter(number="IDEM-1").count() == 1
    assert IdempotencyKey.objects.filter(key="race").count() == 1
