"""Gap-free reference counters (`BOM-000001`, later `MO/2026/0001`), safe across app servers."""

from django.db import IntegrityError, transaction
from django.db.models import F

from manufacturing.models import Sequence


@transaction.atomic
def sequence_next(*, name: str) -> int:
    """Take the next value of counter `name` under a row lock held until the caller commits, so
    two transactions never get the same value and a rolled-back one leaves no gap."""
    row = Sequence.objects.select_for_update().filter(name=name).first()
    if row is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(name=name, next_value=1)
        except IntegrityError:
            pass  # a concurrent transaction created it first: take its lock below
        row = Sequence.objects.select_for_update().get(name=name)
    value = row.next_value
    Sequence.objects.filter(pk=row.pk).update(next_value=F("next_value") + 1)
    return value
