"""Bearer tokens: the token and its user are read with one statement on every request, and
nothing is kept between requests, so a deleted token or a deactivated user stops working on
the very next request (no cache may ever change that)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from config.api.authentication import BearerTokenAuthentication
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_deleted_token_is_refused_on_the_next_request(api):
    assert api.get("/api/items").status_code == 200

    Token.objects.filter(user=api.user).delete()

    response = api.get("/api/items")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_deactivated_user_is_refused_on_the_next_request(api):
    assert api.get("/api/items").status_code == 200

    api.user.is_active = False
    api.user.save(update_fields=["is_active"])

    response = api.get("/api/items")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_a_deleted_user_is_refused_on_the_next_request(api):
    assert api.get("/api/items").status_code == 200

    api.user.delete()  # its token goes with it

    assert api.get("/api/items").status_code == 401


def test_a_lost_permission_counts_on_the_next_request(make_user):
    user = make_user("items.view_item")
    client = client_for(user)
    assert client.get("/api/items").status_code == 200

    user.user_permissions.clear()

    assert client.get("/api/items").status_code == 403


def test_a_reissued_token_replaces_the_old_one_at_once(api):
    old = Token.objects.get(user=api.user).key
    Token.objects.filter(user=api.user).delete()
    new = Token.objects.create(user=api.user).key

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    assert api.get("/api/items").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {new}")
    assert api.get("/api/items").status_code == 200


def test_token_and_user_are_one_query_with_the_user_as_the_orm_loads_it(admin_user):
    key = Token.objects.create(user=admin_user).key
    loaded = Token.objects.select_related("user").get(key=key)

    with CaptureQueriesContext(connection) as queries:
        user, token = BearerTokenAuthentication().authenticate_credentials(key)

    assert len(queries) == 1
    for field in user._meta.concrete_fields:  # typed as the ORM types them (SQLite too)
        mine, orm = getattr(user, field.attname), getattr(loaded.user, field.attname)
        assert mine == orm and type(mine) is type(orm), field.attname
    assert (token.key, token.user_id, token.created) == (key, admin_user.pk, loaded.created)
    assert token.user is user and not user._state.adding


@pytest.mark.parametrize("key", ["", "x" * 41, "'; DROP TABLE authtoken_token; --", "ü"])
def test_any_other_key_is_a_401(anon, key):
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {key}x")

    assert anon.get("/api/items").status_code == 401
