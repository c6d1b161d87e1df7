"""An order's refusals speak of the order: a deleted order is refused as deleted, in the order's
words (the work-order check once shadowed the order's and skipped that)."""

import pytest

from config.exceptions import InvalidState
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db


def test_a_deleted_draft_cannot_be_confirmed_and_says_so():
    order = make_order(make_plant(), "1")
    order_services.production_order_delete(order=order, actor=None)

    with pytest.raises(InvalidState) as refused:
        order_services.production_order_confirm(order=order, actor=None)

    assert refused.value.detail == f"{order.reference} is deleted; it cannot be confirmed."
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT and order.deleted_at is not None


def test_a_confirmed_order_cannot_be_edited_in_the_orders_words():
    order = make_order(make_plant(), "1")
    order_services.production_order_confirm(order=order, actor=None)

    with pytest.raises(InvalidState) as refused:
        order_services.production_order_delete(order=order, actor=None)

    assert refused.value.detail == (
        f"{order.reference} is confirmed; only draft orders can be deleted."
    )
