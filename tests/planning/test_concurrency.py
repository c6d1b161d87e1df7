"""PostgreSQL races: two firms of one planned order make one production order; runs started at
once: one is accepted, the others get 409 `run_in_progress`."""

from datetime import date
from decimal import Decimal as D

import pytest

from manufacturing.orders.models import ProductionOrder
from manufacturing.planning import services
from manufacturing.planning.models import PlannedOrder, PlanningRun
from tests.conftest import client_for
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.robustness.concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _plan():
    part, top = ItemFactory(number="PART"), ItemFactory(number="TOP")
    BOMFactory(product=top, lines=[line(part, 2)], status="submitted")
    services.demand_create(item=top, quantity=D(4), due_date=date(2026, 5, 1))
    run = services.mrp_run_start(actor=None, today=date(2026, 4, 1), background=False)
    return services.mrp_run(run=run)


def test_two_firms_at_once_make_exactly_one_draft_order(make_user):
    run = _plan()
    planned = PlannedOrder.objects.get(run=run, kind="make")
    user = make_user(superuser=True)

    responses = race(
        8, lambda i: client_for(user).post(f"/api/planning/planned-orders/{planned.pk}/firm")
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7
    assert all(r.json()["code"] == "already_firmed" for r in responses if r.status_code == 409)
    assert ProductionOrder.objects.count() == 1


def test_runs_started_at_once_one_is_accepted(make_user):
    user = make_user(superuser=True)

    responses = race(8, lambda i: client_for(user).post("/api/planning/runs", {}, format="json"))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] + [409] * 7
    assert PlanningRun.objects.count() == 1
