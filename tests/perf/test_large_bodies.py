"""Large bodies are let go as soon as they are rendered (config.api.responses, middleware).

A DRF response refers to itself through its renderer context once rendered: left so, a body
of thousands of objects stayed alive until the cyclic collector's next pass, which walked all
of it. These tests call the views as a WSGI server does (no test client, whose response keeps
references of its own) with the collector off, and count what only it could free."""

import gc

import pytest
from django.test import RequestFactory
from django.urls import resolve
from rest_framework.authtoken.models import Token

from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line

pytestmark = pytest.mark.django_db


def _call(user, path: str):
    token, _ = Token.objects.get_or_create(user=user)
    request = RequestFactory().get(path, HTTP_AUTHORIZATION=f"Bearer {token.key}")
    match = resolve(request.path_info)
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()  # as Django's handler does; a rendered response is left as it is
    return response


def _left_for_the_collector(call) -> tuple[int, object]:
    """(objects still alive once the response is dropped, which only the cyclic collector
    would free, the response's status and body). A first call warms the caches up."""
    call()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        response = call()
        kept = (response.status_code, response.content)
        del response
        return len(gc.get_objects()) - before, kept
    finally:
        gc.enable()


@pytest.fixture
def wide_bom():
    """A BOM of 300 lines, each a sub-assembly of 2 parts: an explosion of 900 rows."""
    lines = []
    for _ in range(300):
        sub = ItemFactory()
        BOMFactory(product=sub, lines=[line(ItemFactory(), 1), line(ItemFactory(), 2)])
        lines.append(line(sub, 1))
    return BOMFactory(product=ItemFactory(), lines=lines)


def test_an_explosion_body_is_freed_without_the_collector(admin_user, wide_bom):
    path = f"/api/manufacturing/boms/{wide_bom.pk}/explosion?levels=all"

    left, (status, content) = _left_for_the_collector(lambda: _call(admin_user, path))

    assert status == 200
    assert content.count(b'"isLeaf"') == 900
    # The request and view objects DRF links together are about a hundred; the body was some
    # 3,400 more (a dict, a path and an id per row), left until the collector's next pass.
    assert left < 900


def test_the_explosion_answers_as_a_response_rendered_later_would(api, wide_bom):
    explosion = api.get(f"/api/manufacturing/boms/{wide_bom.pk}/explosion")
    detail = api.get(f"/api/manufacturing/boms/{wide_bom.pk}/compare")  # GET only too

    assert explosion.status_code == detail.status_code == 200
    for header in ("Content-Type", "Vary", "Allow", "Cache-Control", "X-Frame-Options"):
        assert explosion.headers.get(header) == detail.headers.get(header), header
    assert explosion.json()["bomId"] == str(wide_bom.pk)


def test_every_api_response_lets_go_of_its_body_once_rendered(api, wide_bom):
    response = api.get("/api/manufacturing/boms?limit=5")

    assert response.status_code == 200
    assert len(response.json()["data"]) == 5
    assert response.data is None
    assert response.renderer_context is None  # no cycle back to the response


def _collections_during(call) -> tuple[int, object]:
    """(passes the cyclic collector started during `call`, its result)."""
    started = []

    def count(phase, info):
        if phase == "start":
            started.append(info["generation"])

    call()  # warm caches up
    gc.collect()
    thresholds = gc.get_threshold()
    gc.set_threshold(50)  # a pass per 50 objects kept: a small test's rows count as many
    gc.callbacks.append(count)
    try:
        result = call()
        return len(started), result
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)


def test_where_used_builds_its_rows_with_the_collector_paused(admin_user):
    """Its rows hold no cycle: walking them again and again while they are built was most of
    the time the collector took from the request (a quarter of a second per 40 calls at
    10,000 nodes, in its full passes)."""
    shared = ItemFactory()
    for _ in range(250):
        BOMFactory(product=ItemFactory(), lines=[line(shared, 1)])
    path = f"/api/items/{shared.pk}/where-used?levels=all&limit=200"

    passes, response = _collections_during(lambda: _call(admin_user, path))

    assert response.status_code == 200
    assert response.content.count(b'"bomId"') == 200
    # At this threshold the request around the walk makes some ten passes; the walk itself
    # made some fifty more.
    assert passes <= 20
