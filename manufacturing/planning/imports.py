"""CSV imports of demands and planning parameters: each row becomes the same values the API
gives the services (numbers by config.quantities, items by the one resolver), every row's
problems collected and refused together; all or nothing."""

from datetime import date

from django.db import transaction

from config.csv import DictReader
from config.exceptions import DomainError, ValidationFailed
from config.quantities import QUANTITY, number_errors, whole_number
from manufacturing.boms.references import References
from manufacturing.planning import services
from manufacturing.planning.models import DemandKind, Procurement

DEMAND_COLUMNS = ("item_number", "quantity", "due_date", "kind", "reference", "notes")
PARAMETER_COLUMNS = (
    "item_number",
    "procurement",
    "planned",
    "lead_time_days",
    "safety_stock",
    "lot_minimum",
    "lot_multiple",
)
TRUE, FALSE = {"1", "true", "yes", "y"}, {"0", "false", "no", "n"}


class ImportRefused(ValidationFailed):
    def __init__(self, row_errors: list[str]):
        super().__init__(
            f"{len(row_errors)} problem(s); nothing was imported. First: {row_errors[0]}",
            errors={"rows": row_errors[:100]},
        )
        self.row_errors = row_errors


def _rows(file, required: tuple[str, ...]) -> list[dict]:
    reader = DictReader(file, strip=True)
    missing = [c for c in required if c not in (reader.fieldnames or ())]
    if missing:
        raise ValidationFailed(
            f"Missing column(s): {', '.join(missing)}.", errors={"file": [f"Missing {missing}"]}
        )
    return list(reader)


def _number(value, column, errors, row_no, sign="non_negative"):
    number, message = number_errors(value or "0", kind=QUANTITY, sign=sign)
    if number is None:
        errors.append(f"row {row_no}: {column}: {message}")
    return number


def _items(rows: list[dict], errors: list[str]) -> list:
    refs = References()
    for row in rows:
        refs.want_item(number=row.get("item_number") or None)
    refs.load()
    found = []
    for row_no, row in enumerate(rows, 2):
        item = refs.item(number=row.get("item_number"), path="item_number")
        if item is None:
            errors.append(f"row {row_no}: item_number '{row.get('item_number')}' is not an item")
        found.append(item)
    return found


def _attempt(errors: list[str], row_no: int, call) -> None:
    try:
        with transaction.atomic():
            call()
    except DomainError as exc:
        errors.append(f"row {row_no}: {exc.detail}")


@transaction.atomic
def demands_import_csv(*, file, actor=None, dry_run: bool = False, progress=None) -> int:
    rows = _rows(file, ("item_number", "quantity", "due_date"))
    errors: list[str] = []
    items = _items(rows, errors)
    created = 0
    for row_no, (row, item) in enumerate(zip(rows, items, strict=True), 2):
        quantity = _number(row.get("quantity"), "quantity", errors, row_no, sign="positive")
        try:
            due = date.fromisoformat(row.get("due_date") or "")
        except ValueError:
            errors.append(f"row {row_no}: due_date: a date YYYY-MM-DD is required")
            continue
        kind = row.get("kind") or DemandKind.MANUAL
        if item is None or quantity is None:
            continue
        _attempt(
            errors,
            row_no,
            lambda item=item, quantity=quantity, due=due, kind=kind, row=row: (
                services.demand_create(
                    item=item,
                    quantity=quantity,
                    due_date=due,
                    kind=kind,
                    reference=row.get("reference") or "",
                    notes=row.get("notes") or "",
                    actor=actor,
                )
            ),
        )
        created += 1
        if progress is not None:
            progress(row_no - 1, len(rows))
    if errors:
        raise ImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    return created


@transaction.atomic
def parameters_import_csv(*, file, actor=None, dry_run: bool = False, progress=None) -> int:
    rows = _rows(file, ("item_number", "procurement"))
    errors: list[str] = []
    items = _items(rows, errors)
    done = 0
    for row_no, (row, item) in enumerate(zip(rows, items, strict=True), 2):
        planned_text = (row.get("planned") or "true").lower()
        if planned_text not in TRUE | FALSE:
            errors.append(f"row {row_no}: planned: true or false")
            continue
        lead = whole_number(row.get("lead_time_days") or "0")
        if lead is None:
            errors.append(f"row {row_no}: lead_time_days: a whole number of days")
            continue
        if row.get("procurement") not in Procurement.values:
            errors.append(f"row {row_no}: procurement: make or buy")
            continue
        values = {
            name: _number(row.get(name), name, errors, row_no)
            for name in ("safety_stock", "lot_minimum", "lot_multiple")
        }
        if item is None or None in values.values():
            continue
        _attempt(
            errors,
            row_no,
            lambda item=item, row=row, values=values, lead=lead, planned_text=planned_text: (
                services.planning_parameters_set(
                    item=item,
                    procurement=row["procurement"],
                    planned=planned_text in TRUE,
                    lead_time_days=lead,
                    actor=actor,
                    **values,
                )
            ),
        )
        done += 1
        if progress is not None:
            progress(row_no - 1, len(rows))
    if errors:
        raise ImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    return done
