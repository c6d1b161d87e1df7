"""Property-based test of the stock ledger: hypothesis drives random sequences of receipts, issues,
transfers (between WH and a second warehouse) and production orders (create, confirm, produce,
close, cancel) over a small BOM, through the services.

Every step is checked against a model of its effect, two ways round: when the model says the step
must be refused (not enough available stock, wrong state, over-production, a missing lot number),
it must raise exactly that domain error and change nothing; otherwise it must succeed and move
exactly the predicted quantities. After every step the invariants hold: the ledger sums equal the
levels and lot balances (what `check_stock` computes), 0 <= reserved <= on hand, reserved equals
the open reservations, and each order's reservations, consumption and production match its
components and produced quantity.

Each example runs inside a transaction that is rolled back afterwards, so examples start from the
same database (the default units and WH of the data migrations) on SQLite and PostgreSQL alike.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from config.exceptions import DomainError, InvalidState, ValidationFailed
from inventory.exceptions import InsufficientStock
from inventory.models import LotBalance, MoveKind, Reservation, StockLevel, StockMove
from inventory.selectors import stock_drift, stock_expected
from inventory.services.moves import stock_move_post
from items.units import quantize_qty
from manufacturing.exceptions import OverProduction
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus, ProductionOrder, ProductionOrderComponent
from tests.inventory.factories import WarehouseFactory, main_warehouse
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, line

D = Decimal
ZERO = D(0)
# The BOM of P, per unit: 1 A, 2 B (lot-tracked), 0.333333 C (so partial production rounds).
PER_UNIT = {"A": D(1), "B": D(2), "C": D("0.333333")}
LOT_TRACKED = {"B", "P"}
ITEMS = st.sampled_from(["A", "B", "C", "P"])
WAREHOUSES = st.sampled_from(["WH", "W2"])
SOURCES = st.sampled_from(["WH", "WH", "W2"])  # mostly where the opening stock is
LOTS = st.sampled_from([None, None, "L1", "L2"])
QUANTITIES = st.one_of(
    st.integers(min_value=1, max_value=6).map(D),
    st.decimals(min_value=D("0.001"), max_value=D(3), places=3),
)
# Opening stock in WH, so that confirms and production happen and then run short.
OPENING = {"A": (D(8), None), "B": (D(6), "L1"), "C": (D(2), None), "P": (D(2), "L1")}
ORDER_QUANTITIES = st.sampled_from([D(2), D(1), D(3), D("2.5")])
PRODUCE_QUANTITIES = st.sampled_from([D(1), D("0.5"), D(2), D(3)])
ACTIONS = ["confirm", "produce", "close", "cancel"]
LIFECYCLE = {  # an order's next steps, weighted towards production
    OrderStatus.DRAFT: ["confirm"] * 4 + ["cancel"],
    OrderStatus.CONFIRMED: ["produce"] * 6 + ["close", "cancel"],
    OrderStatus.IN_PROGRESS: ["produce"] * 6 + ["close", "cancel"],
}
MAX_ORDERS = 4


@dataclass(frozen=True)
class Snapshot:
    """Everything a step may change, keyed by names so a failure reads well."""

    levels: dict  # (item, warehouse) -> (on hand, reserved)
    lots: dict  # (item, lot, warehouse) -> quantity
    reservations: dict  # (order reference, item, warehouse) -> quantity
    moves: int
    orders: dict  # reference -> (status, produced)
    components: dict  # (reference, item) -> (required, reserved, consumed)
    postings: dict  # (reference, kind, item) -> sum of the order's moves


def _nonzero(levels: dict) -> dict:
    return {key: value for key, value in levels.items() if value != (ZERO, ZERO)}


class LedgerMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.warehouses = {"WH": main_warehouse(), "W2": WarehouseFactory(code="W2")}
        self.items = {
            name: ItemFactory(
                number=f"SM-{name}", tracking="lot" if name in LOT_TRACKED else "none"
            )
            for name in ("A", "B", "C", "P")
        }
        BOMFactory(
            product=self.items["P"],
            lines=[line(self.items[name], quantity) for name, quantity in PER_UNIT.items()],
            status="submitted",
        )
        self.item_names = {item.pk: name for name, item in self.items.items()}
        self.wh_names = {wh.pk: code for code, wh in self.warehouses.items()}
        self.order_count = 0
        self.current: Snapshot | None = None  # the state after the last step, for the invariants

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- reading the database ----------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        item, wh = self.item_names, self.wh_names
        refs = dict(ProductionOrder.all_objects.values_list("pk", "reference"))
        return Snapshot(
            levels={
                (item[i], wh[w]): (on_hand, reserved)
                for i, w, on_hand, reserved in StockLevel.objects.values_list(
                    "item_id", "warehouse_id", "on_hand", "reserved"
                )
            },
            lots={
                (item[i], number, wh[w]): quantity
                for i, number, w, quantity in LotBalance.objects.values_list(
                    "lot__item_id", "lot__number", "warehouse_id", "quantity"
                )
            },
            reservations={
                (refs.get(o, o), item[i], wh[w]): quantity
                for o, i, w, quantity in Reservation.objects.values_list(
                    "production_order_id", "item_id", "warehouse_id", "quantity"
                )
            },
            moves=StockMove.objects.count(),
            orders={
                ref: (status, produced)
                for ref, status, produced in ProductionOrder.all_objects.values_list(
                    "reference", "status", "produced_qty"
                )
            },
            components={
                (ref, item[i]): (required, reserved, consumed)
                for ref, i, required, reserved, consumed in (
                    ProductionOrderComponent.objects.values_list(
                        "order__reference", "item_id", "required", "reserved", "consumed"
                    )
                )
            },
            postings={
                (refs[o], kind, item[i]): total
                for o, kind, i, total in StockMove.objects.filter(production_order_id__isnull=False)
                .values_list("production_order_id", "kind", "item_id")
                .annotate(total=Sum("quantity"))
                .order_by()
            },
        )

    @staticmethod
    def available(state: Snapshot, item: str, wh: str) -> Decimal:
        on_hand, reserved = state.levels.get((item, wh), (ZERO, ZERO))
        return max(on_hand - reserved, ZERO)

    @staticmethod
    def lot_exists(state: Snapshot, item: str, lot: str) -> bool:
        # Lots are created only by receipts and production, which always write a balance row.
        return any(key[:2] == (item, lot) for key in state.lots)

    # --- running a step against the model ----------------------------------------------------

    def attempt(self, name: str, action, predict) -> Snapshot | None:
        """Run `action`. `predict(state)` gives the refusal the model expects (a DomainError
        class) or None. With a refusal, the step must raise exactly that error and change
        nothing (returns None); without, it must succeed (returns the snapshot from before)."""
        before = self.snapshot()
        refusal = predict(before)
        try:
            action()
        except DomainError as exc:
            self.current = self.snapshot()
            assert refusal is not None, f"{name} refused unexpectedly: {exc!r}"
            assert type(exc) is refusal, f"{name}: expected {refusal.__name__}, got {exc!r}"
            assert self.current == before, f"{name} was refused but changed something"
            event(f"{name}: refused ({refusal.__name__})")
            return None
        self.current = self.snapshot()
        assert refusal is None, f"{name}: expected {refusal.__name__}, but it succeeded"
        event(f"{name}: done")
        return before

    def expect_levels(self, before: Snapshot, deltas: dict) -> Snapshot:
        """Every level moved by exactly `deltas` {(item, wh): (on hand, reserved)}, no other."""
        levels = dict(before.levels)
        for key, (d_on_hand, d_reserved) in deltas.items():
            on_hand, reserved = levels.get(key, (ZERO, ZERO))
            levels[key] = (on_hand + d_on_hand, reserved + d_reserved)
        assert _nonzero(self.current.levels) == _nonzero(levels)
        return self.current

    def order_of(self, pk) -> ProductionOrder:
        return ProductionOrder.all_objects.get(pk=pk)

    # --- stock moves ---------------------------------------------------------------------------

    @initialize(
        target=orders,
        extra_b=st.sampled_from([D(0), D(4)]),
        quantity=ORDER_QUANTITIES,
        target_wh=WAREHOUSES,
    )
    def opening(self, extra_b, quantity, target_wh):
        """Opening stock in WH and one order confirmed against it, so that every example starts
        with reservations that outgoing moves and other orders must not take."""
        for name, (opening, lot) in OPENING.items():
            stock_move_post(
                kind=MoveKind.RECEIPT,
                item=self.items[name],
                quantity=opening,
                lot_number=lot,
                actor=None,
            )
        if extra_b:
            stock_move_post(
                kind=MoveKind.RECEIPT,
                item=self.items["B"],
                quantity=extra_b,
                lot_number="L2",
                actor=None,
            )
        pk = self._create_order(quantity, "WH", target_wh)
        self.confirm(pk)
        return pk

    @rule(
        kind=st.sampled_from(["receive", "issue", "issue", "transfer", "transfer"]),
        item=ITEMS,
        wh=SOURCES,
        qty=QUANTITIES,
        lot=LOTS,
        amount=st.sampled_from(["drawn", "drawn", "on_hand", "available"]),
    )
    def stock_move(self, kind, item, wh, qty, lot, amount):
        """A receipt into, an issue out of, or a transfer out of `wh` (to the other warehouse).
        Few rules, weighted arguments: hypothesis's swarm testing switches whole rules off per
        example, so one rule per verb would leave many examples with only refusals to test.

        Outgoing moves sometimes ask for exactly the stock on hand (more than is available while
        orders hold reservations: must be refused) or exactly what is available (must pass)."""
        if kind != "receive" and amount != "drawn":
            on_hand, reserved = (
                StockLevel.objects.filter(item=self.items[item], warehouse=self.warehouses[wh])
                .values_list("on_hand", "reserved")
                .first()
            ) or (ZERO, ZERO)
            wanted = on_hand if amount == "on_hand" else on_hand - reserved
            qty = wanted if wanted > 0 else qty
        getattr(self, kind)(item, wh, qty, lot)

    def receive(self, item, wh, qty, lot):
        before = self.attempt(
            "receive",
            lambda: stock_move_post(
                kind=MoveKind.RECEIPT,
                item=self.items[item],
                quantity=qty,
                to_warehouse=self.warehouses[wh],
                lot_number=lot,
                actor=None,
            ),
            lambda state: ValidationFailed if item in LOT_TRACKED and lot is None else None,
        )
        if before is not None:
            after = self.expect_levels(before, {(item, wh): (qty, ZERO)})
            assert after.moves == before.moves + 1
            if lot:
                key = (item, lot, wh)
                assert after.lots[key] == before.lots.get(key, ZERO) + qty

    def _outgoing(self, item, wh, qty, lot):
        """The refusal an issue or transfer of `qty` out of `wh` must meet, if any."""

        def predict(state):
            if lot is not None and not self.lot_exists(state, item, lot):
                return ValidationFailed
            available = self.available(state, item, wh)
            if lot is not None:
                available = min(available, state.lots.get((item, lot, wh), ZERO))
            return InsufficientStock if qty > available else None

        return predict

    def issue(self, item, wh, qty, lot):
        before = self.attempt(
            "issue",
            lambda: stock_move_post(
                kind=MoveKind.ISSUE,
                item=self.items[item],
                quantity=qty,
                from_warehouse=self.warehouses[wh],
                lot_number=lot,
                actor=None,
            ),
            self._outgoing(item, wh, qty, lot),
        )
        if before is not None:
            after = self.expect_levels(before, {(item, wh): (-qty, ZERO)})
            assert after.moves > before.moves

    def transfer(self, item, source, qty, lot):
        target = "W2" if source == "WH" else "WH"
        before = self.attempt(
            "transfer",
            lambda: stock_move_post(
                kind=MoveKind.TRANSFER,
                item=self.items[item],
                quantity=qty,
                from_warehouse=self.warehouses[source],
                to_warehouse=self.warehouses[target],
                lot_number=lot,
                actor=None,
            ),
            self._outgoing(item, source, qty, lot),
        )
        if before is not None:
            after = self.expect_levels(
                before, {(item, source): (-qty, ZERO), (item, target): (qty, ZERO)}
            )
            # Lots travel with the stock: the item's total held in lots is unchanged.
            in_lots = [sum(q for k, q in s.lots.items() if k[0] == item) for s in (before, after)]
            assert in_lots[0] == in_lots[1]

    # --- production orders ---------------------------------------------------------------------

    def _create_order(self, quantity, source, target_wh):
        order = order_services.production_order_create(
            product=self.items["P"],
            quantity=quantity,
            source_warehouse=self.warehouses[source],
            target_warehouse=self.warehouses[target_wh],
        )
        self.order_count += 1
        self.current = None
        return order.pk

    @precondition(lambda self: self.order_count < MAX_ORDERS)
    @rule(target=orders, quantity=ORDER_QUANTITIES, source=SOURCES, target_wh=WAREHOUSES)
    def create_order(self, quantity, source, target_wh):
        return self._create_order(quantity, source, target_wh)

    @staticmethod
    def requirements(quantity: Decimal) -> dict[str, Decimal]:
        return {name: quantize_qty(per_unit * quantity) for name, per_unit in PER_UNIT.items()}

    @rule(
        pk=orders,
        pick=st.integers(min_value=0, max_value=9),
        stray=st.sampled_from([None, None, None, *ACTIONS]),
        qty=PRODUCE_QUANTITIES,
        lot=st.sampled_from(["P1", "P2", None]),
    )
    def order_step(self, pk, pick, stray, qty, lot):
        """Mostly a next step the order's status allows (`LIFECYCLE`), so examples get far into
        production; with `stray`, any action at all, to meet the refusals too."""
        status, quantity, produced = ProductionOrder.all_objects.values_list(
            "status", "quantity", "produced_qty"
        ).get(pk=pk)
        sensible = LIFECYCLE.get(status)
        action = stray or (sensible[pick % len(sensible)] if sensible else ACTIONS[pick % 4])
        if action == "produce" and not stray:
            # A planned step produces at most what is left, and closes a finished order.
            qty = min(qty, quantity - produced)
            action = "produce" if qty else "close"
        if action == "produce":
            self.produce(pk, qty, lot)
        else:
            getattr(self, action)(pk)

    def confirm(self, pk):
        order = self.order_of(pk)
        source = self.wh_names[order.source_warehouse_id]
        needed = self.requirements(order.quantity)

        def predict(state):
            if order.status != OrderStatus.DRAFT:
                return InvalidState
            if any(q > self.available(state, name, source) for name, q in needed.items()):
                return InsufficientStock
            return None

        before = self.attempt(
            "confirm", lambda: order_services.production_order_confirm(order=order), predict
        )
        if before is not None:
            after = self.expect_levels(
                before, {(name, source): (ZERO, q) for name, q in needed.items()}
            )
            ref = order.reference
            assert after.orders[ref][0] == OrderStatus.CONFIRMED
            assert {k[1]: v for k, v in after.reservations.items() if k[0] == ref} == needed
            assert {k[1]: v for k, v in after.components.items() if k[0] == ref} == {
                name: (q, q, ZERO) for name, q in needed.items()
            }

    def produce(self, pk, qty, lot):
        order = self.order_of(pk)
        source = self.wh_names[order.source_warehouse_id]
        target = self.wh_names[order.target_warehouse_id]
        produced = order.produced_qty + qty

        def predict(state):
            if order.status not in (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS):
                return InvalidState
            if produced > order.quantity:
                return OverProduction
            return ValidationFailed if lot is None else None

        before = self.attempt(
            "produce",
            lambda: order_services.production_order_produce(order=order, qty=qty, lot_number=lot),
            predict,
        )
        if before is None:
            return
        # Pro rata, the last posting taking exactly what is left (API.md, produce).
        ref = order.reference
        deltas = defaultdict(lambda: [ZERO, ZERO])
        consumed = {}
        for (owner, name), (required, reserved, done) in before.components.items():
            if owner != ref:
                continue
            goal = (
                required
                if produced == order.quantity
                else quantize_qty(required * produced / order.quantity)
            )
            take = max(goal - done, ZERO)
            deltas[(name, source)][0] -= take
            deltas[(name, source)][1] -= min(take, reserved)
            consumed[name] = done + take
        deltas[("P", target)][0] += qty
        after = self.expect_levels(before, {k: tuple(v) for k, v in deltas.items()})
        assert after.orders[ref] == (OrderStatus.IN_PROGRESS, produced)
        assert {k[1]: v[2] for k, v in after.components.items() if k[0] == ref} == consumed
        assert after.lots[("P", lot, target)] == before.lots.get(("P", lot, target), ZERO) + qty

    def _finish(self, name, pk, service, allowed, status):
        order = self.order_of(pk)
        source = self.wh_names[order.source_warehouse_id]
        before = self.attempt(
            name,
            lambda: service(order=order),
            lambda state: None if order.status in allowed else InvalidState,
        )
        if before is not None:
            ref = order.reference
            released = {k[1]: v for k, v in before.reservations.items() if k[0] == ref}
            after = self.expect_levels(
                before, {(item, source): (ZERO, -q) for item, q in released.items()}
            )
            assert after.orders[ref] == (status, before.orders[ref][1])
            assert after.moves == before.moves

    def close(self, pk):
        self._finish(
            "close",
            pk,
            order_services.production_order_close,
            (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS),
            OrderStatus.DONE,
        )

    def cancel(self, pk):
        self._finish(
            "cancel",
            pk,
            order_services.production_order_cancel,
            (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS),
            OrderStatus.CANCELLED,
        )

    # --- invariants, after every step ----------------------------------------------------------

    @invariant()
    def ledger_equals_levels_and_lot_balances(self):
        drift = stock_drift(stock_expected())  # exactly what check_stock computes
        assert not drift, [d.describe({}) for d in drift]

    @invariant()
    def projections_and_orders_are_consistent(self):
        state = self.current or self.snapshot()
        self.current = state

        # 0 <= reserved <= on hand; lots never negative nor more than on hand.
        in_lots = defaultdict(lambda: ZERO)
        for (item, _lot, wh), quantity in state.lots.items():
            assert quantity >= 0
            in_lots[(item, wh)] += quantity
        for (item, wh), (on_hand, reserved) in state.levels.items():
            assert 0 <= reserved <= on_hand, (item, wh, on_hand, reserved)
            assert in_lots[(item, wh)] <= on_hand
            if item in LOT_TRACKED:
                assert in_lots[(item, wh)] == on_hand, "lot-tracked stock outside any lot"

        # Reserved equals the open reservations, per level and per order.
        by_level = defaultdict(lambda: ZERO)
        for (_order, item, wh), quantity in state.reservations.items():
            assert quantity > 0
            by_level[(item, wh)] += quantity
        assert {k: v[1] for k, v in state.levels.items() if v[1]} == dict(by_level)
        for ref, (status, produced) in state.orders.items():
            held = {k[1]: q for k, q in state.reservations.items() if k[0] == ref}
            components = {k[1]: v for k, v in state.components.items() if k[0] == ref}
            assert held == {name: v[1] for name, v in components.items() if v[1]}, ref
            if status in (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS):
                assert all(req == res + con for req, res, con in components.values()), ref
            else:
                assert not held, f"{ref} is {status} but still holds stock"

            # The order's ledger rows are its production and its consumption, nothing else.
            posted = {k[1:]: q for k, q in state.postings.items() if k[0] == ref}
            expected = {("consumption", name): v[2] for name, v in components.items() if v[2]}
            if produced:
                expected[("production", "P")] = produced
            assert posted == expected, ref


@pytest.mark.django_db
def test_random_stock_and_order_sequences_keep_the_ledger_consistent():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            database=None,
            # No shrinking: with a database behind every step it can take minutes. A failure
            # prints its steps and a seed (`--hypothesis-seed=`) to replay and shrink locally.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
