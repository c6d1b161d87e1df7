"""The MRP engine: a plan computed in memory from loaded inputs (`selectors.planning_inputs`),
deterministic (every tie broken by item number, date and a stable key).

Rules (docs/planning.md):
- Low-level codes: an item's level is one more than the deepest parent using it through a
  default BOM (phantom kits exploded through, as the explosion does); items are planned level by
  level, so every gross requirement of an item is known before it is netted.
- Netting, per item, by date: available = on hand - reserved; each date's receipts (open
  production orders of the item) come in, its gross requirements go out; while the projected
  stock would fall below the safety stock, a planned order covers the shortfall.
- Lot sizing: at least `lot_minimum`, rounded up to a multiple of `lot_multiple`.
- Lead time: buy: `lead_time_days`; make: `lead_time_days` + the BOM's operation minutes for the
  quantity at `hours_per_day`, rounded up to whole days. Start = due - lead time.
- A planned make order's components are gross requirements of its components on its start
  date (the explosion's line rule: scrap, units, phantoms).
- Pegging: requirements consume supply first in, first out (available stock, then receipts,
  then planned orders, whose lot-size surplus serves later requirements); what a planned order
  covers is pegged to the requirement it serves, so its pegging sums to its quantity.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from items.units import quantize_qty
from manufacturing.boms.explosion import bom_component_ids, bom_components, units_built
from manufacturing.exceptions import CircularReference
from manufacturing.planning.models import ExceptionKind, PegSource, Procurement

ZERO = Decimal(0)


@dataclass
class PlanningItem:
    """One item as planned: the item instance (with its unit), its parameters and stock."""

    item: object
    procurement: str
    planned: bool
    lead_time_days: int
    safety_stock: Decimal
    lot_minimum: Decimal
    lot_multiple: Decimal
    bom: object | None  # the default BOM (live, not cancelled), or None
    available: Decimal = ZERO

    @property
    def id(self):
        return self.item.pk

    @property
    def number(self) -> str:
        return self.item.number


@dataclass(frozen=True)
class Requirement:
    """A gross requirement: `quantity` of an item on `date`, from `source` (`ref` is the demand
    or production order id, or the parent planned order's index)."""

    date: date
    quantity: Decimal
    source: str
    ref: object
    key: str  # the tie-breaker within a date


@dataclass
class Peg:
    source: str
    quantity: Decimal
    date: date
    ref: object = None


@dataclass
class Planned:
    index: int
    item: PlanningItem
    kind: str
    bom: object | None
    level: int
    quantity: Decimal
    start: date
    due: date
    pegs: list[Peg] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


@dataclass
class PlanIssue:
    kind: str
    item: PlanningItem
    date: date
    message: str
    quantity: Decimal = ZERO
    planned: int | None = None  # a planned order's index
    demand: object = None


@dataclass
class ItemPlan:
    item: PlanningItem
    level: int
    rows: list  # [date, gross, receipts, projected, net, planned]


@dataclass
class Plan:
    items: list[ItemPlan]
    orders: list[Planned]
    exceptions: list[PlanIssue]
    levels: int

    def counts(self) -> dict:
        make = sum(1 for o in self.orders if o.kind == Procurement.MAKE)
        return {
            "items": len(self.items),
            "levels": self.levels,
            "plannedOrders": len(self.orders),
            "make": make,
            "buy": len(self.orders) - make,
            "exceptions": len(self.exceptions),
        }


def lot_size(net: Decimal, *, minimum: Decimal, multiple: Decimal) -> Decimal:
    quantity = max(net, minimum)
    if multiple > 0:
        quantity = (quantity / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
    return quantize_qty(quantity)


def _days(minutes: Decimal, hours_per_day: Decimal) -> int:
    if minutes <= 0:
        return 0
    return int((minutes / 60 / hours_per_day).to_integral_value(rounding=ROUND_CEILING))


def low_level_codes(items: dict, tree) -> dict:
    """{item id: level}: 0 for items no BOM uses, else one more than the deepest parent. Kahn's
    order over the make edges; a cycle (a corrupt graph) is refused."""
    children: dict = defaultdict(set)
    for item in items.values():
        if item.procurement == Procurement.MAKE and item.bom is not None:
            children[item.id].update(bom_component_ids(tree, item.bom))
    parents_left: dict = defaultdict(int)
    for kids in children.values():
        for kid in kids:
            parents_left[kid] += 1
    level = dict.fromkeys(items, 0)
    frontier = sorted((i for i in items if parents_left[i] == 0), key=str)
    seen = 0
    while frontier:
        seen += len(frontier)
        following = []
        for parent in frontier:
            for kid in children.get(parent, ()):
                level[kid] = max(level.get(kid, 0), level[parent] + 1)
                parents_left[kid] -= 1
                if parents_left[kid] == 0:
                    following.append(kid)
        frontier = following
    if seen < len(level):
        raise CircularReference("The default BOMs form a circular structure; MRP cannot level it.")
    return level


def mrp_plan(
    *,
    items: dict,
    tree,
    demands: dict,
    receipts: dict,
    order_requirements: dict,
    today: date,
    hours_per_day: Decimal,
    progress=None,
) -> Plan:
    """`items`: {id: PlanningItem}; `demands` / `order_requirements`: {item id: [Requirement]};
    `receipts`: {item id: {date: quantity}}. Returns the plan."""
    levels = low_level_codes(items, tree)
    gross: dict = defaultdict(list)
    for item_id, reqs in order_requirements.items():
        gross[item_id].extend(reqs)
    for item_id, reqs in demands.items():
        gross[item_id].extend(reqs)
    order = sorted(items.values(), key=lambda i: (levels[i.id], i.number, str(i.id)))
    orders: list[Planned] = []
    exceptions: list[PlanIssue] = []
    plans: list[ItemPlan] = []
    total = len(order)
    if progress is not None:
        progress(0, total)
    for done, item in enumerate(order, 1):
        reqs = gross.pop(item.id, [])
        item_receipts = receipts.get(item.id, {})
        if reqs or item_receipts or item.safety_stock > item.available:
            plans.append(
                _net(
                    item,
                    levels[item.id],
                    reqs,
                    item_receipts,
                    today,
                    hours_per_day,
                    tree,
                    orders,
                    exceptions,
                    gross,
                )
            )
        if progress is not None and done % 500 == 0:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    _unmet_demands(orders, exceptions, today)
    return Plan(
        items=plans,
        orders=orders,
        exceptions=exceptions,
        levels=max(levels.values(), default=0) + 1,
    )


def _net(item, level, reqs, receipts, today, hours_per_day, tree, orders, exceptions, gross):
    reqs = sorted(reqs, key=lambda r: (r.date, r.key))
    by_date: dict = defaultdict(list)
    for req in reqs:
        by_date[req.date].append(req)
    dates = sorted({today, *by_date, *receipts})
    stock: deque = deque()  # [quantity, planned index or None], first in first out
    uncovered: list[Peg] = []
    free = item.available - item.safety_stock
    if free > 0:
        stock.append([free, None])
    elif free < 0:
        uncovered.append(Peg(PegSource.SAFETY_STOCK, -free, today))
        exceptions.append(
            PlanIssue(
                ExceptionKind.SAFETY_STOCK,
                item,
                today,
                f"{item.number}: {_q(item.available)} available, below the safety stock of "
                f"{_q(item.safety_stock)}.",
                quantity=-free,
            )
        )
    projected = item.available
    negative_reported = False
    rows = []
    for day in dates:
        received = receipts.get(day, ZERO)
        if received:
            stock.append([received, None])
        day_gross = ZERO
        for req in by_date.get(day, ()):
            day_gross += req.quantity
            need = req.quantity
            while need > 0 and stock:
                head = stock[0]
                take = min(head[0], need)
                if head[1] is not None:
                    orders[head[1]].pegs.append(Peg(req.source, take, day, req.ref))
                head[0] -= take
                need -= take
                if head[0] == 0:
                    stock.popleft()
            if need > 0:
                uncovered.append(Peg(req.source, need, day, req.ref))
        net = sum((peg.quantity for peg in uncovered), ZERO)
        planned_qty = ZERO
        if uncovered and item.planned:
            planned = _plan_order(
                item, level, net, day, today, hours_per_day, tree, orders, exceptions, gross
            )
            planned.pegs.extend(uncovered)
            planned_qty = planned.quantity
            if planned_qty > net:
                stock.append([planned_qty - net, planned.index])
            uncovered = []
        projected += received - day_gross + planned_qty
        if projected < 0 and not negative_reported:
            negative_reported = True
            exceptions.append(
                PlanIssue(
                    ExceptionKind.NEGATIVE_STOCK,
                    item,
                    day,
                    f"{item.number} is not planned and its projected stock falls to "
                    f"{_q(projected)} on {day.isoformat()}.",
                    quantity=-projected,
                )
            )
        rows.append([day, day_gross, received, projected, net, planned_qty])
    if not item.planned:
        for peg in uncovered:
            if peg.source == PegSource.DEMAND:
                exceptions.append(
                    PlanIssue(
                        ExceptionKind.UNMET_DEMAND,
                        item,
                        peg.date,
                        f"{_q(peg.quantity)} of {item.number} due {peg.date.isoformat()} is not "
                        "covered: the item is not planned.",
                        quantity=peg.quantity,
                        demand=peg.ref,
                    )
                )
    for head in stock:  # what lot sizing made beyond every requirement
        if head[1] is not None:
            orders[head[1]].pegs.append(Peg(PegSource.SURPLUS, head[0], dates[-1]))
    return ItemPlan(item=item, level=level, rows=rows)


def _plan_order(item, level, net, due, today, hours_per_day, tree, orders, exceptions, gross):
    quantity = lot_size(net, minimum=item.lot_minimum, multiple=item.lot_multiple)
    bom = item.bom if item.procurement == Procurement.MAKE else None
    components, minutes = [], ZERO
    if bom is not None:
        components, minutes = bom_components(tree, bom, units_built(quantity, item.item, bom))
    lead = item.lead_time_days + (_days(minutes, hours_per_day) if bom is not None else 0)
    start = due - timedelta(days=lead)
    planned = Planned(
        index=len(orders),
        item=item,
        kind=item.procurement,
        bom=bom,
        level=level,
        quantity=quantity,
        start=start,
        due=due,
    )
    orders.append(planned)
    if start < today:
        planned.exceptions.append(ExceptionKind.LATE)
        exceptions.append(
            PlanIssue(
                ExceptionKind.LATE,
                item,
                start,
                f"{'Start' if bom is not None else 'Order'} {item.number} by "
                f"{start.isoformat()} ({(today - start).days} day(s) ago) to have it on "
                f"{due.isoformat()}.",
                quantity=quantity,
                planned=planned.index,
            )
        )
    if item.procurement == Procurement.MAKE and item.bom is None:
        planned.exceptions.append(ExceptionKind.NO_BOM)
        exceptions.append(
            PlanIssue(
                ExceptionKind.NO_BOM,
                item,
                due,
                f"{item.number} is planned as make but has no default BOM: its components are "
                "not planned.",
                quantity=quantity,
                planned=planned.index,
            )
        )
    summed: dict = {}
    for component, needed in components:
        known = summed.get(component.pk)
        summed[component.pk] = (component, needed + (known[1] if known else ZERO))
    for component_id, (_component, needed) in summed.items():
        gross[component_id].append(
            Requirement(
                date=start,
                quantity=needed,
                source=PegSource.PLANNED_ORDER,
                ref=planned.index,
                key=f"2{item.number}\x00{planned.index:09d}",
            )
        )
    return planned


def _unmet_demands(orders: list[Planned], exceptions: list, today: date) -> None:
    """A demand served by a late planned order, at any depth below it, cannot be met in time."""
    late = [bool(o.exceptions and ExceptionKind.LATE in o.exceptions) for o in orders]
    for planned in reversed(orders):  # children are planned after their parents
        if late[planned.index]:
            for peg in planned.pegs:
                if peg.source == PegSource.PLANNED_ORDER:
                    late[peg.ref] = True
    reported = set()
    for planned in orders:
        if not late[planned.index]:
            continue
        for peg in planned.pegs:
            if peg.source == PegSource.DEMAND and peg.ref not in reported:
                reported.add(peg.ref)
                exceptions.append(
                    PlanIssue(
                        ExceptionKind.UNMET_DEMAND,
                        planned.item,
                        peg.date,
                        f"{_q(peg.quantity)} of {planned.item.number} due "
                        f"{peg.date.isoformat()} cannot be met in time: a planned order it "
                        "needs should have started before today.",
                        quantity=peg.quantity,
                        planned=planned.index,
                        demand=peg.ref,
                    )
                )


def _q(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"
