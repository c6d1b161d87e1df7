"""Hand-computed plans: the numbers are written here, derived in the comments."""

from decimal import Decimal as D

import pytest
from django.db.models import Sum

from manufacturing.planning import services
from manufacturing.planning.models import Pegging, PlanException, PlanItem, PlannedOrder
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line
from tests.planning.fixtures import TODAY, day, make_bike, orders_of, run_now

pytestmark = pytest.mark.django_db


def _bike_with_demands():
    bike = make_bike()
    d1 = services.demand_create(item=bike.bike, quantity=D(10), due_date=day(20), reference="SO-1")
    d2 = services.demand_create(item=bike.bike, quantity=D(5), due_date=day(30), reference="SO-2")
    return bike, d1, d2


def test_three_levels_with_stock_safety_stock_lot_sizes_and_lead_times():
    bike, _, _ = _bike_with_demands()

    run = run_now()

    # BIKE (level 0), nothing on hand, lot-for-lot. Lead time = 1 fixed day + 240 min per bike
    # at 8 h a day: 10 bikes = 40 h = 5 days → 6 days; 5 bikes = 20 h → 3 days → 4 days.
    assert orders_of(run, bike.bike) == [
        ("make", D(10), day(14), day(20)),
        ("make", D(5), day(26), day(30)),
    ]
    # FRAME (level 1): 4 on hand, safety stock 2 → 2 free. Day 14 needs 10 (1 per bike):
    # 2 from stock, 8 planned; lead 2 days + 8 x 60 min = 8 h = 1 day → 3 days. Day 26 needs 5:
    # 5 planned, 2 + ceil(5 h / 8 h) = 3 days.
    assert orders_of(run, bike.frame) == [
        ("make", D(8), day(11), day(14)),
        ("make", D(5), day(23), day(26)),
    ]
    # WHEEL (level 1): 2 per bike = 20 and 10, multiples of 10, 5 days to buy.
    assert orders_of(run, bike.wheel) == [
        ("buy", D(20), day(9), day(14)),
        ("buy", D(10), day(21), day(26)),
    ]
    # BOLT (level 1, through the phantom KIT: 4 per bike): 30 on hand, safety stock 20 → 10 free.
    # Day 14 needs 40: 10 from stock, 30 planned; day 26 needs 20: 20 planned. 2 days to buy.
    assert orders_of(run, bike.bolt) == [
        ("buy", D(30), day(12), day(14)),
        ("buy", D(20), day(24), day(26)),
    ]
    # The phantom kit is never planned.
    assert orders_of(run, bike.kit) == []
    # TUBE (level 2): 3 per frame at 10 % scrap = 3.3; 8 frames → 26.4 on day 11, 5 frames →
    # 16.5 on day 23. At least 100: one order of 100 on day 11 (7 days → order by day 4) whose
    # surplus of 73.6 covers day 23.
    assert orders_of(run, bike.tube) == [("buy", D(100), day(4), day(11))]

    levels = dict(PlanItem.objects.filter(run=run).values_list("item__number", "level"))
    assert levels == {"BIKE": 0, "FRAME": 1, "WHEEL": 1, "BOLT": 1, "TUBE": 2}
    tube = PlanItem.objects.get(run=run, item=bike.tube)
    # [date, gross, scheduled receipts, projected on hand, net, planned]
    assert tube.projection == [
        [TODAY.isoformat(), "0", "0", "0", "0", "0"],
        [day(11).isoformat(), "26.4", "0", "73.6", "26.4", "100"],
        [day(23).isoformat(), "16.5", "0", "57.1", "0", "0"],
    ]
    assert run.counts["make"] == 4
    assert run.counts["buy"] == 5
    assert run.counts["exceptions"] == 0


def test_pegging_sums_equal_planned_quantities_and_chain_up_to_the_demand():
    bike, d1, _ = _bike_with_demands()
    run = run_now()

    for order in PlannedOrder.objects.filter(run=run):
        pegged = Pegging.objects.filter(planned_order=order).aggregate(s=Sum("quantity"))["s"]
        assert pegged == order.quantity, order
    tube = PlannedOrder.objects.get(run=run, item=bike.tube)
    pegs = list(tube.pegging.order_by("position").values_list("source", "quantity"))
    # 26.4 for the first frame order, 16.5 for the second, 57.1 of lot-size surplus.
    assert pegs == [
        ("planned_order", D("26.4")),
        ("planned_order", D("16.5")),
        ("surplus", D("57.1")),
    ]
    first_frame = tube.pegging.order_by("position")[0].parent
    assert (first_frame.item, first_frame.quantity) == (bike.frame, D(8))
    first_bike = first_frame.pegging.get().parent
    assert (first_bike.item, first_bike.quantity) == (bike.bike, D(10))
    assert first_bike.pegging.get().demand == d1


def test_the_same_data_gives_the_same_plan():
    _bike_with_demands()

    def snapshot(run):
        orders = PlannedOrder.objects.filter(run=run).order_by("position")
        return [
            (
                o.position,
                o.kind,
                o.item_id,
                o.quantity,
                o.start_date,
                o.due_date,
                [
                    (p.source, p.demand_id, p.parent.position if p.parent else None, p.quantity)
                    for p in o.pegging.order_by("position")
                ],
            )
            for o in orders
        ], list(
            PlanItem.objects.filter(run=run)
            .order_by("item__number")
            .values_list("item_id", "level", "projection")
        )

    first = snapshot(run_now())
    second = snapshot(run_now())
    assert first == second


def test_a_new_run_replaces_the_previous_plan():
    _bike_with_demands()
    old = run_now()
    new = run_now()
    old.refresh_from_db()
    assert (old.is_current, new.is_current) == (False, True)
    assert not PlannedOrder.objects.filter(run=old).exists()
    assert PlannedOrder.objects.filter(run=new).count() == 9


def test_late_start_unmet_demand_and_missing_bom_are_exceptions():
    bike = make_bike()
    # 2 bikes due tomorrow: 1 + ceil(8 h / 8 h) = 2 days → start yesterday: late. The demand
    # cannot be met in time; its frames (start earlier still) are late too.
    demand = services.demand_create(item=bike.bike, quantity=D(2), due_date=day(1))
    orphan = ItemFactory(number="ORPHAN")
    services.planning_parameters_set(item=orphan, procurement="make")
    services.demand_create(item=orphan, quantity=D(3), due_date=day(10))

    run = run_now()

    kinds = sorted(PlanException.objects.filter(run=run).values_list("item__number", "kind"))
    assert ("BIKE", "late") in kinds
    assert ("BIKE", "unmet_demand") in kinds
    assert ("ORPHAN", "no_bom") in kinds
    unmet = PlanException.objects.get(run=run, kind="unmet_demand")
    assert unmet.demand == demand
    assert orders_of(run, bike.bike) == [("make", D(2), day(-1), day(1))]
    assert orders_of(run, orphan) == [("make", D(3), day(10), day(10))]


def test_an_unplanned_item_reports_negative_stock_and_a_breached_safety_stock():
    item = ItemFactory(number="SCREW")
    services.planning_parameters_set(item=item, procurement="buy", planned=False, safety_stock=D(5))
    services.demand_create(item=item, quantity=D(3), due_date=day(4))

    run = run_now()

    kinds = sorted(PlanException.objects.filter(run=run).values_list("kind", flat=True))
    assert kinds == ["negative_stock", "safety_stock", "unmet_demand"]
    assert orders_of(run, item) == []


def test_defaults_plan_make_with_a_default_bom_and_buy_without():
    part = ItemFactory(number="PART")
    top = ItemFactory(number="TOP")
    BOMFactory(product=top, lines=[line(part, "2.5")], status="submitted")
    services.demand_create(item=top, quantity=D(4), due_date=day(10))

    run = run_now()

    assert orders_of(run, top) == [("make", D(4), day(10), day(10))]
    assert orders_of(run, part) == [("buy", D(10), day(10), day(10))]
