"""Real concurrency on PostgreSQL: two transactions racing to add opposite BOM edges."""

import time

import pytest

from manufacturing.boms import services as bom_services
from manufacturing.boms.graph import bom_graph_path
from manufacturing.boms.models import BOM
from manufacturing.boms.services import bom_sync_components
from manufacturing.exceptions import CircularReference
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.robustness.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(*jobs):
    """Run each job in its own thread (own connection), released together by a barrier."""
    return race(len(jobs), lambda index: jobs[index]())


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the window between the cycle check and the commit, so that without the graph lock
    both transactions would check before either commits."""
    original = bom_services._check_no_cycle

    def check_then_wait(**kwargs):
        original(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(bom_services, "_check_no_cycle", check_then_wait)


def _opposite_edges():
    a, b = ItemFactory(number="A"), ItemFactory(number="B")
    a_bom = BOMFactory(product=a, lines=[line(ItemFactory())])
    b_bom = BOMFactory(product=b, lines=[line(ItemFactory())])
    return a, b, a_bom, b_bom


def test_two_transactions_adding_a_uses_b_and_b_uses_a_cannot_both_commit(slow_check):
    a, b, a_bom, b_bom = _opposite_edges()

    results = _race(
        lambda: bom_sync_components(bom=a_bom, components=[line(b)]),
        lambda: bom_sync_components(bom=b_bom, components=[line(a)]),
    )

    assert sum(isinstance(r, BOM) for r in results) == 1
    assert sum(isinstance(r, CircularReference) for r in results) == 1
    # exactly one of the two edges was stored: a path one way, none the other
    forward = bom_graph_path(sources=[a.pk], target=b.pk)
    backward = bom_graph_path(sources=[b.pk], target=a.pk)
    assert (forward, backward) in (([a.pk, b.pk], None), (None, [b.pk, a.pk]))


def test_creates_race_too(slow_check):
    a, b, _, _ = _opposite_edges()

    results = _race(
        lambda: BOMFactory(product=a, lines=[line(b)]),
        lambda: BOMFactory(product=b, lines=[line(a)]),
    )

    assert sorted(type(r).__name__ for r in results) == ["BOM", "CircularReference"]


def test_without_the_graph_lock_the_race_stores_a_cycle(slow_check, monkeypatch):
    """The control experiment: the same race with the lock switched off commits both edges,
    so the tests above do exercise the lock."""
    monkeypatch.setattr(bom_services, "lock_bom_graph", lambda: None)
    a, b, a_bom, b_bom = _opposite_edges()

    results = _race(
        lambda: bom_sync_components(bom=a_bom, components=[line(b)]),
        lambda: bom_sync_components(bom=b_bom, components=[line(a)]),
    )

    assert all(isinstance(r, BOM) for r in results), results
    assert bom_graph_path(sources=[a.pk], target=b.pk) == [a.pk, b.pk]
    assert bom_graph_path(sources=[b.pk], target=a.pk) == [b.pk, a.pk]


def test_concurrent_creates_get_distinct_numbers():
    products = [ItemFactory() for _ in range(4)]

    results = _race(*[lambda p=p: BOMFactory(product=p) for p in products])

    numbers = [r.number for r in results]
    assert all(isinstance(r, BOM) for r in results), results
    assert sorted(numbers) == [f"BOM-{n:06d}" for n in range(1, 5)]
