"""The planner's home: cards with counts and links above the app list, one page load in a
fixed number of queries, and the registry an area (MRP) plugs its own card into."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.admin_home import _PROVIDERS as PROVIDERS
from config.admin_home import CardLine, HomeCard, home_card_keys, home_card_register
from config.jobs.models import Job, JobStatus
from manufacturing.boms.services import bom_copy, bom_set_default, bom_submit
from manufacturing.orders import services as order_services
from manufacturing.orders.models import WorkOrder
from manufacturing.planning import services as planning
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def card(html: str, key: str) -> str:
    match = re.search(rf'<article[^>]*id="home-card-{key}"(.*?)</article>', html, re.S)
    assert match, key
    return match[1]


def count_of(html: str, key: str) -> int:
    return int(re.search(r'<span class="home-count">(\d+)</span>', card(html, key))[1])


def make_attention(plant, n: int) -> None:
    """n of everything a planner should see: late orders, orders due this week, draft BOMs,
    running work orders, failed jobs, and one confirmed order whose product got a new default
    BOM (a new version, submitted) since."""
    for i in range(n):
        make_order(plant, "1", due_date=NOW - timedelta(days=2 + i))
        order = make_order(plant, "1", due_date=NOW + timedelta(days=2))
        order_services.production_order_confirm(order=order, actor=None)
        work_order = WorkOrder.objects.filter(order=order).first()
        order_services.work_order_start(order=order, work_order_id=work_order.pk, actor=None)
        BOMFactory(product=ItemFactory(), lines=[line(plant.frame)], status="draft")
        Job.objects.create(kind="bom_export", status=JobStatus.FAILED, error="boom")
    product = ItemFactory()
    old = BOMFactory(product=product, lines=[line(plant.frame)], status="submitted")
    order = order_services.production_order_create(
        product=product, bom=old, quantity=Decimal(1), due_date=NOW + timedelta(days=30)
    )
    order_services.production_order_confirm(order=order, actor=None)
    new = bom_copy(bom=old, actor=None)
    bom_submit(bom=new, actor=None)
    bom_set_default(bom=new, actor=None)
    # n demands for unstocked items bought in 5 days, due tomorrow: their buy orders are late.
    for _ in range(n):
        item = ItemFactory()
        planning.planning_parameters_set(item=item, procurement="buy", lead_time_days=5)
        planning.demand_create(item=item, quantity=Decimal(3), due_date=NOW.date() + timedelta(1))
    planning.mrp_run(run=planning.mrp_run_start(actor=None, background=False))


def test_the_home_shows_what_needs_attention_with_links(admin_client):
    plant = make_plant()
    make_attention(plant, 2)

    html = admin_client.get("/admin/").content.decode()

    assert count_of(html, "orders-due") == 4
    due = card(html, "orders-due")
    assert "2 late" in due and "2 due in the next 7 days" in due
    assert "status__in=draft%2Cconfirmed%2Cin_progress" in due
    assert count_of(html, "draft-boms") == 2
    assert "?status__exact=draft" in card(html, "draft-boms")
    assert count_of(html, "changed-boms") == 1
    assert "new default BOM-" in card(html, "changed-boms")
    assert count_of(html, "workcenters") == 2
    assert "LINE-A · Line A" in card(html, "workcenters")
    assert "2 in progress" in card(html, "workcenters")
    assert count_of(html, "jobs") == 2
    assert count_of(html, "orders-short") == 0
    assert "Every confirmed order has its stock reserved." in card(html, "orders-short")
    mrp = card(html, "mrp-exceptions")
    assert count_of(html, "mrp-exceptions") >= 2
    assert "planexception/?kind__exact=" in mrp
    assert 'id="content-main"' in html and "Bills of materials" in html  # the app list


def test_the_links_of_the_home_open_the_lists_they_count(admin_client):
    plant = make_plant()
    make_attention(plant, 2)
    html = admin_client.get("/admin/").content.decode()

    exceptions = count_of(html, "mrp-exceptions")
    for key, expected in [
        ("orders-due", "4 production orders"),
        ("draft-boms", "2 bills"),
        ("mrp-exceptions", f"{exceptions} plan exception"),
    ]:
        url = re.search(r'<h2><a href="([^"]+)"', card(html, key))[1].replace("&amp;", "&")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), (key, url)


def test_a_requirement_no_longer_fully_reserved_shows_its_order_as_short(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    order_services.production_order_confirm(order=order, actor=None)
    # Reservations of the order released behind its back (an operator's stock correction).
    from inventory.models import Reservation
    from inventory.services.reservations import stock_release

    stock_release(production_order_id=order.pk, actor=None)
    assert not Reservation.objects.filter(production_order_id=order.pk).exists()

    html = admin_client.get("/admin/").content.decode()

    assert count_of(html, "orders-short") == 1
    short = card(html, "orders-short")
    assert order.reference in short and "shortest:" in short


def test_the_home_page_costs_the_same_queries_for_few_and_many_rows(admin_client):
    plant = make_plant()
    make_attention(plant, 1)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get("/admin/").status_code == 200

    make_attention(plant, 4)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get("/admin/").status_code == 200

    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(few) <= 16


def test_a_user_without_rights_sees_no_cards_of_that_area(make_user):
    user = make_user("manufacturing.view_bom")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    html = client.get("/admin/").content.decode()

    assert 'id="home-card-draft-boms"' in html
    assert 'id="home-card-orders-due"' not in html


def test_an_area_registers_its_own_card(admin_client):
    """Registering a key again replaces its provider: the card shows the new one's content, and
    the registry is back as it was afterwards."""
    saved = list(PROVIDERS)

    def area_card(request):
        return HomeCard(
            key="area-x",
            title="Area X",
            count=1,
            lines=[CardLine("Reschedule in: MO/2026/0001")],
        )

    try:
        home_card_register("area-x", area_card, order=35)
        assert home_card_keys().index("area-x") == home_card_keys().index("changed-boms") + 1
        html = admin_client.get("/admin/").content.decode()
    finally:
        PROVIDERS[:] = saved

    assert count_of(html, "area-x") == 1
    assert "Reschedule in: MO/2026/0001" in html
    assert "area-x" not in admin_client.get("/admin/").content.decode()


def test_planning_registers_the_mrp_exceptions_card(admin_client):
    assert "mrp-exceptions" in home_card_keys()
    html = admin_client.get("/admin/").content.decode()
    assert "The current plan has no exceptions" in card(html, "mrp-exceptions")
