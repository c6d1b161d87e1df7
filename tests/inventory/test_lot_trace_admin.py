"""The lot admin's Trace page: both directions on one page, reached from the lot's page and the
lot list, CSP-safe, refusing bad ids with a 404 and readers without `view_lot` with a 403."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.lot_pyramid import lot_pyramid_build
from inventory.models import Lot
from tests.config.test_csp import POLICY, Page, directives
from tests.inventory.genealogy_fixtures import make_genealogy

pytestmark = pytest.mark.django_db


def trace_url(lot) -> str:
    return reverse("admin:inventory_lot_trace", args=[lot.pk])


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def viewer_client(make_user) -> Client:
    """A staff member in the viewer role."""
    user = make_user()
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="viewer"))
    client = Client()
    client.force_login(user)
    return client


def sections(html: str) -> tuple[str, str]:
    back = html.split('id="trace-back"')[1].split('id="trace-forward"')[0]
    return back, html.split('id="trace-forward"')[1]


def test_the_trace_page_shows_both_directions_with_orders_and_whereabouts(viewer_client):
    g = make_genealogy()

    response = viewer_client.get(trace_url(g.lot("SUB-A")))

    assert response.status_code == 200
    back, forward = sections(response.content.decode())
    assert "Made of: 3 lots over 2 levels" in back
    for number in ("R1", "R2", "P1", g.orders["sub-a"].reference, g.orders["resin"].reference):
        assert number in back
    assert "FIN-1" not in back
    assert "Went into: 2 lots over 1 level" in forward
    assert "FIN-1" in forward and "FIN-2" in forward and "issued 4 EA from WH (SO-1001)" in forward
    assert "WH: 8 EA" in forward
    # Every lot links to its own trace, every order to its moves in the ledger.
    assert trace_url(g.lot("FIN-2")) in forward
    assert f"/admin/inventory/stockmove/?production_order_id={g.orders['fin-1'].pk}" in forward


def test_a_lot_without_genealogy_says_so(admin_client):
    g = make_genealogy()
    back, forward = sections(admin_client.get(trace_url(g.lot("P1"))).content.decode())
    assert "No production order made this lot from other lots." in back
    assert "R1" in forward


def test_the_lot_page_and_the_lot_list_link_to_the_trace(admin_client):
    g = make_genealogy()
    lot = g.lot("SUB-B")
    page = admin_client.get(reverse("admin:inventory_lot_change", args=[lot.pk]))
    assert page.status_code == 200 and trace_url(lot) in page.content.decode()
    listing = admin_client.get(reverse("admin:inventory_lot_changelist"))
    assert trace_url(lot) in listing.content.decode()


def test_the_trace_page_loads_only_own_files_and_runs_nothing_inline(admin_client):
    g = make_genealogy()
    response = admin_client.get(trace_url(g.lot("R2")))
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    page = Page(response.content.decode())
    assert page.inline == [] and page.outside() == []
    assert "/static/inventory/lot-trace.css" in page.loads


@pytest.mark.parametrize(
    "pk", ["not-a-uuid", "01a24200-0000-7000-8000-000000000000", "%00", "1' OR '1'='1"]
)
def test_a_malformed_or_unknown_lot_is_404(admin_client, pk):
    assert admin_client.get(f"/admin/inventory/lot/{pk}/trace/").status_code == 404


def test_a_staff_user_who_may_not_view_lots_is_refused(make_user):
    g = make_genealogy()
    user = make_user()
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get(trace_url(g.lot("R1"))).status_code == 403
    anonymous = Client().get(trace_url(g.lot("R1")))
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]


def test_queries_do_not_grow_with_the_number_of_lots(admin_client):
    counts = []
    for fan, prefix in ((2, "S"), (8, "L")):  # 15 and 585 lots, each way
        back = lot_pyramid_build(fan=fan, levels=4, direction="back", prefix=prefix)
        lot = Lot.objects.get(pk=back.root_lot_id)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(trace_url(lot)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_order_link_lists_that_orders_moves(admin_client):
    g = make_genealogy()
    order = g.orders["sub-b"]
    response = admin_client.get(f"/admin/inventory/stockmove/?production_order_id={order.pk}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2  # R2 consumed, SUB-B produced
