"""Rewriting the stock projections (levels, lot balances, reserved) from the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from config.exceptions import InvalidState
from inventory.models import (
    LotBalance,
    StockLevel,
)
from inventory.selectors import (
    Drift,
    stock_drift,
    stock_expected,
    stock_snapshot,
)
from inventory.services.ledger import (
    pairs_q,
)

# ---------------------------------------------------------------------------------------------
# Projections


def _lock_projections() -> None:
    """Stop every stock writer until we commit: they all lock `StockLevel` rows first, and an
    EXCLUSIVE table lock conflicts with those row locks (plain reads go on). On SQLite the
    IMMEDIATE transaction already holds the database's only write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {StockLevel._meta.db_table} IN EXCLUSIVE MODE")


def stock_rebuild(*, dry_run: bool = False, actor=None) -> list[Drift]:
    """Rewrite stock levels (on hand, reserved) and lot balances from the ledger and the
    reservations; returns the differences found (with `dry_run`, only reports them, read from
    one consistent snapshot as check_stock does). Refused (409 `invalid_state`) when the ledger
    itself breaks an invariant the projections must keep (negative stock, more reserved than on
    hand): that needs a correcting move, not a rebuild."""
    if dry_run:
        with stock_snapshot():
            return stock_drift(stock_expected())
    return _stock_rebuild_locked()


@transaction.atomic
def _stock_rebuild_locked() -> list[Drift]:
    _lock_projections()
    expected = stock_expected()
    drift = stock_drift(expected)
    if not drift:
        return drift

    broken = [
        key
        for key, want in expected.levels.items()
        if want["on_hand"] < 0 or want["reserved"] < 0 or want["reserved"] > want["on_hand"]
    ]
    broken += [key for key, quantity in expected.lots.items() if quantity < 0]
    if broken:
        raise InvalidState(
            f"The ledger and reservations give impossible stock for {len(broken)} row(s); "
            "record correcting moves or release reservations first (see check_stock)."
        )

    level_keys = {(d.item_id, d.warehouse_id) for d in drift}
    lot_items = {d.lot_id: d.item_id for d in drift if d.lot_id}
    existing = {
        (level.item_id, level.warehouse_id): level
        for level in StockLevel.objects.filter(pairs_q(level_keys, "item_id", "warehouse_id"))
    }
    stored = list(existing.values())
    missing = []
    for key in sorted(level_keys):
        want = expected.levels.get(key, {"on_hand": Decimal(0), "reserved": Decimal(0)})
        level = existing.get(key)
        if level is None:
            level = existing[key] = StockLevel(item_id=key[0], warehouse_id=key[1])
            missing.append(level)
        level.on_hand, level.reserved = want["on_hand"], want["reserved"]
    StockLevel.objects.bulk_update(stored, ["on_hand", "reserved"])
    StockLevel.objects.bulk_create(missing)

    lot_keys = {(d.lot_id, d.warehouse_id) for d in drift if d.lot_id}
    balances = {
        (b.lot_id, b.warehouse_id): b
        for b in LotBalance.objects.filter(pairs_q(lot_keys, "lot_id", "warehouse_id"))
    }
    fresh = []
    for lot_id, wh_id in sorted(lot_keys):
        level = existing[(lot_items[lot_id], wh_id)]
        balance = balances.get((lot_id, wh_id))
        if balance is None:
            balance = LotBalance(lot_id=lot_id, warehouse_id=wh_id)
            fresh.append(balance)
        balance.level = level
        balance.quantity = expected.lots.get((lot_id, wh_id), Decimal(0))
    LotBalance.objects.bulk_update(list(balances.values()), ["quantity", "level"])
    LotBalance.objects.bulk_create(fresh)
    return drift
