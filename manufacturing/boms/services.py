"""Every change to BOMs and workcenters (API, admin, import and demo data call these)."""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from config.db import ensure_unique_live, integrity_as_validation, live_duplicate
from config.exceptions import DomainError, InvalidState, NotFound, ValidationFailed
from config.quantities import MINUTES, MONEY, PERCENT, QUANTITY, number_errors, number_parse
from config.texts import text_errors
from items.exceptions import ItemNotFound, UomMismatch
from items.models import Item, ItemType, UnitOfMeasure
from manufacturing.boms.graph import (
    Edges,
    bom_graph_below,
    bom_graph_path,
    graph_path,
    item_numbers,
)
from manufacturing.boms.models import (
    BOM,
    BOMComponent,
    BOMOperation,
    BOMStatus,
    BOMType,
    Workcenter,
)
from manufacturing.boms.selectors import bom_open_order_references
from manufacturing.boms.specs import BOMSpec, ComponentSpec, NewBOM, OperationSpec
from manufacturing.exceptions import (
    BomInUse,
    BomLocked,
    BomNotArchived,
    CircularReference,
    DuplicateComponent,
)
from manufacturing.history import (
    bulk_create_logged,
    bulk_update_logged,
    delete_logged,
    history_record,
    stamp,
)
from manufacturing.sequences import sequence_next

# pg_advisory_xact_lock key serializing BOM-graph writes ("BOMG").
BOM_GRAPH_LOCK_KEY = 0x424F4D47
BOM_NUMBER_SEQUENCE = "bom"

QTY_STEP = Decimal("0.000001")
PERCENT_STEP = Decimal("0.0001")
MINUTES_STEP = Decimal("0.01")
# What a PositiveIntegerField holds (the number columns: config.quantities).
MAX_INT = 2**31 - 1
BULK_BATCH = 2000  # rows per INSERT when many BOMs are written at once


def lock_bom_graph() -> None:
    """Serialize every BOM-structure write until the transaction ends (PostgreSQL). SQLite runs
    write transactions one at a time (`transaction_mode=IMMEDIATE`), so it needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOM_GRAPH_LOCK_KEY])


# --- normalisation and validation -----------------------------------------------------------


def _canonical(value: Any, step: Decimal) -> Decimal:
    """A stored (already valid) figure at its column's places, for the content hash only."""
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def _number(value: Any, kind, sign, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    number, message = number_errors(value, kind=kind, sign=sign)
    if number is None:
        errors[field] = [message]
    return number


def _text(value: Decimal) -> str:
    return format(value, "f")


def _check_unit(unit: UnitOfMeasure, stock_unit: UnitOfMeasure, field: str, what: str) -> None:
    if unit.deleted_at is not None:
        raise ValidationFailed(
            f"Unit '{unit.symbol}' is archived.", errors={field: [f"'{unit.symbol}' is archived."]}
        )
    if unit.category != stock_unit.category:
        message = (
            f"{unit.symbol} ({unit.category}) does not convert into the stock unit of {what}, "
            f"{stock_unit.symbol} ({stock_unit.category})."
        )
        raise UomMismatch(message, errors={field: [message]})


def _check_texts(spec: BOMSpec) -> None:
    """The header's texts, as their columns hold them (`config.texts`)."""
    errors: dict[str, list[str]] = {}
    text_errors(
        BOM,
        {
            name: (value or "").strip()  # what is stored
            for name, value in (
                ("number", spec.number),
                ("name", spec.name),
                ("description", spec.description),
            )
        },
        errors,
    )
    if errors:
        raise ValidationFailed(next(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)


def _clean_header(
    *, product: Item, quantity: Any, uom: UnitOfMeasure | None, type: str
) -> tuple[Decimal, UnitOfMeasure]:
    if product.deleted_at is not None:
        raise ItemNotFound(
            f"Product {product.number} is archived.",
            errors={"product_id": [f"Item {product.number} is archived."]},
        )
    if product.type == ItemType.SERVICE:
        raise ValidationFailed(
            f"{product.number} is a service: a service has no bill of materials.",
            errors={"product_id": ["A service cannot have a bill of materials."]},
        )
    errors: dict[str, list[str]] = {}
    clean_quantity = _number(quantity, QUANTITY, "positive", "quantity", errors)
    if type not in BOMType.values:
        errors["type"] = [f"Must be one of: {', '.join(BOMType.values)}."]
    if errors:
        raise ValidationFailed(next(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)
    unit = uom or product.uom
    _check_unit(unit, product.uom, "uom", product.number)
    return clean_quantity, unit


def _clean_components(*, product: Item, components: Sequence[ComponentSpec]) -> list[ComponentSpec]:
    if not components:
        raise ValidationFailed(
            "A BOM needs at least one component.",
            errors={"components": ["At least one component is required."]},
        )
    errors: dict[str, list[str]] = {}
    cleaned: list[ComponentSpec] = []
    for index, spec in enumerate(components):
        quantity = _number(
            spec.quantity, QUANTITY, "positive", f"components[{index}].quantity", errors
        )
        scrap = _number(
            spec.scrap_percent if spec.scrap_percent is not None else 0,
            PERCENT,
            "non_negative",
            f"components[{index}].scrap_percent",
            errors,
        )
        cleaned.append(
            ComponentSpec(item=spec.item, quantity=quantity, uom=spec.uom, scrap_percent=scrap)
        )
    if errors:
        raise ValidationFailed(next(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)

    for index, spec in enumerate(cleaned):
        if spec.item.deleted_at is not None:
            raise ItemNotFound(
                f"Component {spec.item.number} is archived.",
                errors={f"components[{index}].product_id": [f"{spec.item.number} is archived."]},
            )
    seen: dict[Any, int] = {}
    for index, spec in enumerate(cleaned):
        if spec.item.pk in seen:
            message = (
                f"{spec.item.number} appears more than once "
                f"(lines {seen[spec.item.pk] + 1} and {index + 1})."
            )
            raise DuplicateComponent(message, errors={f"components[{index}].product_id": [message]})
        seen[spec.item.pk] = index
    for index, spec in enumerate(cleaned):
        if spec.item.pk == product.pk:
            message = f"{product.number} cannot be a component of its own BOM."
            raise CircularReference(
                message,
                errors={f"components[{index}].product_id": [message]},
                path=[product.number, product.number],
            )
    result = []
    for index, spec in enumerate(cleaned):
        unit = spec.uom or spec.item.uom
        _check_unit(unit, spec.item.uom, f"components[{index}].uom", spec.item.number)
        result.append(
            ComponentSpec(
                item=spec.item, quantity=spec.quantity, uom=unit, scrap_percent=spec.scrap_percent
            )
        )
    return result


def _clean_operations(operations: Sequence[OperationSpec]) -> list[OperationSpec]:
    errors: dict[str, list[str]] = {}
    cleaned: list[OperationSpec] = []
    previous = 0
    for index, spec in enumerate(operations):
        duration = _number(
            spec.duration_minutes,
            MINUTES,
            "non_negative",
            f"operations[{index}].duration_minutes",
            errors,
        )
        if not (spec.name or "").strip():
            errors[f"operations[{index}].name"] = ["This field may not be blank."]
        else:
            text_errors(BOMOperation, {"name": spec.name.strip()}, errors, f"operations[{index}].")
        sequence = spec.sequence if spec.sequence is not None else previous + 10
        if not isinstance(sequence, int) or not 0 <= sequence <= MAX_INT:
            errors[f"operations[{index}].sequence"] = [
                f"Must be a whole number from 0 to {MAX_INT}."
            ]
            sequence = previous
        previous = max(previous, sequence)
        cleaned.append(
            OperationSpec(
                name=(spec.name or "").strip(),
                workcenter=spec.workcenter,
                duration_minutes=duration,
                sequence=sequence,
            )
        )
    sequences: dict[int, int] = {}
    for index, spec in enumerate(cleaned):
        if spec.sequence in sequences and f"operations[{index}].sequence" not in errors:
            errors[f"operations[{index}].sequence"] = [
                f"Sequence {spec.sequence} is already used by operation {sequences[spec.sequence] + 1}."
            ]
        sequences.setdefault(spec.sequence, index)
    if errors:
        raise ValidationFailed(next(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)
    for index, spec in enumerate(cleaned):
        if spec.workcenter.deleted_at is not None:
            message = f"Workcenter {spec.workcenter.name} is archived."
            raise ItemNotFound(message, errors={f"operations[{index}].workcenter": [message]})
    return cleaned


def _check_no_cycle(
    *,
    product: Item,
    components: Iterable[ComponentSpec],
    exclude_bom_id=None,
    edges: Edges | None = None,
) -> None:
    """Adding components C to a BOM of P is refused when P is reachable from any C through the
    components of live BOMs, at any depth. `edges`: the graph below C already loaded
    (`bom_graph_below`, plus the BOMs created before in the same call), else it is read."""
    specs = list(components)
    sources = [spec.item.pk for spec in specs]
    if edges is None:
        path = bom_graph_path(sources=sources, target=product.pk, exclude_bom_id=exclude_bom_id)
    else:
        path = graph_path(edges, sources=sources, target=product.pk)
    if path is None:
        return
    numbers = item_numbers([product.pk, *path])
    names = [numbers[product.pk], *(numbers[pk] for pk in path)]
    index = next(i for i, spec in enumerate(specs) if spec.item.pk == path[0])
    message = (
        f"{numbers[path[0]]} cannot be a component of {numbers[product.pk]}: "
        f"{' → '.join(names)} would be circular."
    )
    raise CircularReference(
        message, errors={f"components[{index}].product_id": [message]}, path=names
    )


# --- content hash ---------------------------------------------------------------------------


FACTOR_STEP = Decimal("0.000000000001")  # UnitOfMeasure.factor: 12 decimal places

UnitMeaning = tuple[str, Decimal]  # (category, factor) of a unit


def content_hash(
    *,
    product_id,
    quantity: Decimal,
    uom_id,
    type: str,
    components: Iterable[tuple[Any, Decimal, Any, Decimal]],
    operations: Iterable[tuple[int, str, Any, Decimal]],
    units: Mapping[Any, UnitMeaning],
) -> str:
    """SHA-256 of the canonical content: what the BOM references, by ids, and what its units
    mean. Renaming an item or a unit, or reordering lines, keeps it; any quantity change alters
    it, and so would a unit's category or factor (which `uom_update` refuses while the unit is
    in use). Components are `(item_id, quantity, uom_id, scrap)`, operations `(sequence, name,
    workcenter_id, minutes)`, `units` maps the header's and every line's `uom_id` to its
    `(category, factor)`."""

    def unit(unit_id) -> list[str]:
        category, factor = units[unit_id]
        return [str(unit_id), category, _text(_canonical(factor, FACTOR_STEP))]

    canonical = {
        "product": str(product_id),
        "quantity": _text(_canonical(quantity, QTY_STEP)),
        "uom": unit(uom_id),
        "type": type,
        "components": sorted(
            [
                str(item_id),
                _text(_canonical(qty, QTY_STEP)),
                *unit(unit_id),
                _text(_canonical(scrap, PERCENT_STEP)),
            ]
            for item_id, qty, unit_id, scrap in components
        ),
        "operations": sorted(
            (
                [int(seq), name, str(wc_id), _text(_canonical(minutes, MINUTES_STEP))]
                for seq, name, wc_id, minutes in operations
            ),
            key=lambda op: op[0],
        ),
    }
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _hash_for(
    *,
    product: Item,
    quantity: Decimal,
    uom: UnitOfMeasure,
    type: str,
    components: Sequence[ComponentSpec],
    operations: Sequence[OperationSpec],
) -> str:
    units = {u.pk: (u.category, u.factor) for u in (uom, *(c.uom for c in components))}
    return content_hash(
        product_id=product.pk,
        quantity=quantity,
        uom_id=uom.pk,
        type=type,
        components=[(c.item.pk, c.quantity, c.uom.pk, c.scrap_percent) for c in components],
        operations=[(o.sequence, o.name, o.workcenter.pk, o.duration_minutes) for o in operations],
        units=units,
    )


def bom_content_hash(*, bom: BOM) -> str:
    """The hash recomputed from the database (what the services store in `content_hash`)."""
    lines = list(
        BOMComponent.objects.filter(bom=bom).values_list(
            "item_id", "quantity", "uom_id", "scrap_percent", "uom__category", "uom__factor"
        )
    )
    header = UnitOfMeasure.all_objects.values_list("category", "factor").get(pk=bom.uom_id)
    units = {bom.uom_id: header} | {line[2]: (line[4], line[5]) for line in lines}
    return content_hash(
        product_id=bom.product_id,
        quantity=bom.quantity,
        uom_id=bom.uom_id,
        type=bom.type,
        components=[line[:4] for line in lines],
        operations=BOMOperation.objects.filter(bom=bom).values_list(
            "sequence", "name", "workcenter_id", "duration_minutes"
        ),
        units=units,
    )


# --- writing lines --------------------------------------------------------------------------


def _current_components(bom: BOM) -> list[ComponentSpec]:
    lines = BOMComponent.objects.filter(bom=bom).select_related("item__uom", "uom")
    return [
        ComponentSpec(item=x.item, quantity=x.quantity, uom=x.uom, scrap_percent=x.scrap_percent)
        for x in lines.order_by("position")
    ]


def _current_operations(bom: BOM) -> list[OperationSpec]:
    ops = BOMOperation.objects.filter(bom=bom).select_related("workcenter").order_by("sequence")
    return [
        OperationSpec(
            name=o.name,
            workcenter=o.workcenter,
            duration_minutes=o.duration_minutes,
            sequence=o.sequence,
        )
        for o in ops
    ]


# New lines and operations name their references by id: what is written, without the related
# instances' caches (nothing reads them back from these objects).


def _component_row(bom: BOM, spec: ComponentSpec, position: int) -> BOMComponent:
    return BOMComponent(
        bom_id=bom.pk,
        item_id=spec.item.pk,
        quantity=spec.quantity,
        uom_id=spec.uom.pk,
        scrap_percent=spec.scrap_percent,
        position=position,
    )


def _operation_row(bom: BOM, spec: OperationSpec) -> BOMOperation:
    return BOMOperation(
        bom_id=bom.pk,
        sequence=spec.sequence,
        name=spec.name,
        workcenter_id=spec.workcenter.pk,
        duration_minutes=spec.duration_minutes,
    )


def _write_components(bom: BOM, specs: Sequence[ComponentSpec], *, actor) -> None:
    """Sync the lines keyed by component item: update the ones kept (same line id), add the
    new, remove the missing. Each change leaves a history record."""
    existing = {line.item_id: line for line in bom.components.all()}
    to_create, to_update = [], []
    for position, spec in enumerate(specs):
        line = existing.pop(spec.item.pk, None)
        if line is None:
            to_create.append(_component_row(bom, spec, position))
            continue
        new = (spec.quantity, spec.uom.pk, spec.scrap_percent, position)
        if (line.quantity, line.uom_id, line.scrap_percent, line.position) != new:
            line.quantity, line.uom, line.scrap_percent, line.position = (
                spec.quantity,
                spec.uom,
                spec.scrap_percent,
                position,
            )
            to_update.append(line)
    delete_logged(list(existing.values()), actor=actor)
    bulk_update_logged(
        to_update,
        BOMComponent,
        fields=["quantity", "uom", "scrap_percent", "position"],
        actor=actor,
    )
    bulk_create_logged(to_create, BOMComponent, actor=actor)


def _write_operations(bom: BOM, specs: Sequence[OperationSpec], *, actor) -> None:
    """Sync the operations keyed by sequence."""
    existing = {op.sequence: op for op in bom.operations.all()}
    to_create, to_update = [], []
    for spec in specs:
        op = existing.pop(spec.sequence, None)
        if op is None:
            to_create.append(_operation_row(bom, spec))
            continue
        new = (spec.name, spec.workcenter.pk, spec.duration_minutes)
        if (op.name, op.workcenter_id, op.duration_minutes) != new:
            op.name, op.workcenter, op.duration_minutes = (
                spec.name,
                spec.workcenter,
                spec.duration_minutes,
            )
            to_update.append(op)
    delete_logged(list(existing.values()), actor=actor)
    bulk_update_logged(
        to_update, BOMOperation, fields=["name", "workcenter", "duration_minutes"], actor=actor
    )
    bulk_create_logged(to_create, BOMOperation, actor=actor)


# --- helpers --------------------------------------------------------------------------------


def _next_bom_number(taken: Iterable[str] = ()) -> str:
    """The next free `BOM-000001`; `taken`: numbers given to BOMs not saved yet."""
    while True:
        number = f"BOM-{sequence_next(name=BOM_NUMBER_SEQUENCE):06d}"
        if number not in taken and not BOM.objects.filter(number=number).exists():
            return number


def _default_boms(product_ids: Iterable, *, exclude_pk=None):
    """The default BOMs (live, not cancelled: at most one each) of the products."""
    qs = BOM.objects.filter(product_id__in=list(product_ids), is_default=True).exclude(
        status=BOMStatus.CANCELLED
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk is not None else qs


def _clear_defaults(product_ids: Iterable, *, keep_pk, actor) -> None:
    """The products' defaults (but `keep_pk`) are defaults no more: one locking read, one
    update and one history write whatever the number of products."""
    others = list(_default_boms(product_ids, exclude_pk=keep_pk).select_for_update())
    now = timezone.now()
    for other in others:
        other.is_default = False
        other.updated_at = now
        stamp(other, actor)
    bulk_update_logged(others, BOM, fields=["is_default", "updated_at"], actor=actor)


def _ensure_cancellable(*, number: str, status: str) -> None:
    if status != BOMStatus.SUBMITTED:
        raise InvalidState(f"BOM {number} is {status}: only a submitted BOM can be cancelled.")


# What cancelling does to the row: terminal, and never a default.
CANCELLED_FIELDS = {"status": BOMStatus.CANCELLED, "is_default": False}


def _locked_live(bom: BOM) -> BOM:
    """Re-read the BOM under its row lock; writing to an archived BOM is refused."""
    try:
        fresh = (
            BOM.all_objects.select_for_update(of=("self",))
            .select_related("product__uom", "uom")
            .get(pk=bom.pk)
        )
    except BOM.DoesNotExist as exc:
        raise NotFound(f"BOM {bom.pk} does not exist.") from exc
    if fresh.deleted_at is not None:
        raise InvalidState(f"BOM {fresh.number} is archived: unarchive it first.")
    return fresh


def _save_header(bom: BOM, *, actor) -> None:
    stamp(bom, actor)
    with integrity_as_validation("number", f"'{bom.number}' is already used by an active BOM."):
        bom.save()


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def bom_create(
    *,
    spec: BOMSpec,
    version: int = 1,
    status: str = BOMStatus.DRAFT,
    actor=None,
) -> BOM:
    """A new draft BOM. `number` empty: the next `BOM-000001`. `is_default` None: the BOM
    becomes the default when its product has none yet (the first BOM of a product).
    `status=submitted` creates it submitted at once, as `bom_submit` right after would (an
    import of released BOMs), without reading and saving it a second time. Every field of
    `spec` is taken (its defaults are a new BOM's). The rules are `bom_create_many`'s."""
    (created,) = bom_create_many(
        boms=[NewBOM(spec=spec, version=version, status=status)], actor=actor
    )
    if isinstance(created, DomainError):
        raise created
    return created


def _clean_new(new: NewBOM) -> tuple[Decimal, UnitOfMeasure, list, list]:
    """What a new BOM is checked for on its own: status, version, header, lines, operations
    (the first refusal raised). Returns the clean quantity, unit, lines and operations."""
    status, version, spec = new.status, new.version, new.spec
    if status not in (BOMStatus.DRAFT, BOMStatus.SUBMITTED):
        raise ValidationFailed(
            f"A new BOM is {BOMStatus.DRAFT} or {BOMStatus.SUBMITTED}, not {status}.",
            errors={"status": [f"Must be {BOMStatus.DRAFT} or {BOMStatus.SUBMITTED}."]},
        )
    if not isinstance(version, int) or not 1 <= version <= MAX_INT:
        raise ValidationFailed(
            f"version: {version} is not a whole number from 1 to {MAX_INT}.",
            errors={"version": [f"Must be a whole number from 1 to {MAX_INT}."]},
        )
    if new.cancel and spec.is_default:
        # As `bom_update` refuses it: a cancelled BOM never takes the product's default.
        raise InvalidState(f"BOM {spec.number or 'new'} is cancelled: it cannot be the default.")
    _check_texts(spec)
    quantity, uom = _clean_header(
        product=spec.product, quantity=spec.quantity, uom=spec.uom, type=spec.type
    )
    lines = _clean_components(product=spec.product, components=spec.components)
    ops = _clean_operations(spec.operations or ())
    return quantity, uom, lines, ops


@dataclass
class _Created:
    """A BOM of a `bom_create_many` call, accepted and not written yet."""

    bom: BOM
    lines: list[ComponentSpec]
    ops: list[OperationSpec]
    # The fields at creation when a later step of the same call changed them (cancelled right
    # after, or no longer the default once a later BOM of its product took over).
    created_as: dict | None = None

    def change(self, **fields) -> None:
        earlier = self.created_as or {}
        self.created_as = {name: getattr(self.bom, name) for name in fields} | earlier
        for name, value in fields.items():
            setattr(self.bom, name, value)


class _Defaults:
    """Each product's default while the BOMs of a `bom_create_many` call are created one after
    the other: a BOM already stored (`IN_DB`), one of the call's, or none."""

    IN_DB = object()

    def __init__(self, product_ids: Iterable):
        stored = _default_boms(product_ids).values_list("product_id", flat=True)
        self.holders: dict = dict.fromkeys(stored, self.IN_DB)
        self.clear_in_db: set = set()  # products whose stored default a new BOM takes over

    def take(self, entry: _Created, *, requested: bool | None, cancel: bool) -> None:
        """`bom_create`'s rule: `requested` None, the BOM is the default when its product has
        none; True, it is, and the previous default is not; then a cancelled BOM is not."""
        bom = entry.bom
        holder = self.holders.get(bom.product_id)
        if requested is None:
            bom.is_default = holder is None
        elif requested:
            if holder is self.IN_DB:
                self.clear_in_db.add(bom.product_id)
            elif holder is not None:
                holder.change(is_default=False)
            bom.is_default = True
        if bom.is_default:
            self.holders[bom.product_id] = entry
        if cancel:
            entry.change(**CANCELLED_FIELDS)
            if self.holders.get(bom.product_id) is entry:
                self.holders[bom.product_id] = None


@transaction.atomic
def bom_create_many(*, boms: Sequence[NewBOM], actor=None) -> list[BOM | DomainError]:
    """Create the BOMs in order, each under `bom_create`'s rules as if created one after the
    other (a BOM sees the ones before it: their numbers, their default flags, their graph
    edges), in a number of queries that does not grow with the number of BOMs (but for a BOM
    given without a number, which draws its number from the sequence: a few queries each; the
    import always names its BOMs). Returns, for
    each, the new BOM or the DomainError that refused it (nothing written for that one); the
    others are created all the same (a caller wanting all or nothing rolls back)."""
    lock_bom_graph()
    results: list = [None] * len(boms)
    cleaned: dict[int, tuple] = {}
    for index, new in enumerate(boms):
        try:
            cleaned[index] = _clean_new(new)
        except DomainError as exc:
            results[index] = exc
    if not cleaned:
        return results
    edges = bom_graph_below({line.item.pk for _, _, lines, _ in cleaned.values() for line in lines})
    given = {number for i in cleaned if (number := (boms[i].spec.number or "").strip())}
    taken = set(BOM.objects.filter(number__in=given).values_list("number", flat=True))
    defaults = _Defaults({boms[i].spec.product.pk for i in cleaned})
    created: list[_Created] = []
    for index, (quantity, uom, lines, ops) in cleaned.items():
        new = boms[index]
        spec, product = new.spec, new.spec.product
        try:
            _check_no_cycle(product=product, components=lines, edges=edges)
            number = (spec.number or "").strip()
            if number in taken:
                raise live_duplicate(BOM, field="number", value=number)
            if new.cancel:
                _ensure_cancellable(number=number or "new", status=new.status)
        except DomainError as exc:
            results[index] = exc
            continue
        # Last: a refused BOM takes no number (the counter is gap-free).
        number = number or _next_bom_number(taken)
        bom = BOM(
            number=number,
            name=(spec.name or "").strip() or product.name,
            description=spec.description or "",
            product=product,
            quantity=quantity,
            uom=uom,
            type=spec.type,
            status=new.status,
            is_default=False,  # `_Defaults.take` decides
            version=new.version,
            content_hash=_hash_for(
                product=product,
                quantity=quantity,
                uom=uom,
                type=spec.type,
                components=lines,
                operations=ops,
            ),
        )
        # Accepted: the BOMs after it see its number, its edges and its default flag.
        taken.add(number)
        edges.setdefault(product.pk, {}).update(dict.fromkeys(line.item.pk for line in lines))
        entry = _Created(bom=bom, lines=lines, ops=ops)
        defaults.take(entry, requested=spec.is_default, cancel=new.cancel)
        created.append(entry)
        results[index] = bom
    if created:
        _write_new(created, clear_in_db=defaults.clear_in_db, actor=actor)
    return results


def _write_new(created: list[_Created], *, clear_in_db: set, actor) -> None:
    """Write the BOMs a `bom_create_many` call accepted: first the stored defaults they take
    over, then headers, lines and operations, an INSERT per BULK_BATCH rows each, and their
    history: each BOM created as it was, its lines and operations, then its later change
    (cancelled, or no longer the default), in that order."""
    if clear_in_db:
        _clear_defaults(clear_in_db, keep_pk=None, actor=actor)
    boms = [entry.bom for entry in created]
    for bom in boms:
        stamp(bom, actor)
    taken = (
        f"'{boms[0].number}' is already used by an active BOM."
        if len(boms) == 1
        else "One of the numbers is already used by an active BOM."
    )
    with integrity_as_validation("number", taken):
        BOM.objects.bulk_create(boms, batch_size=BULK_BATCH)
    history = [history_record(e.bom, actor=actor, **(e.created_as or {})) for e in created]
    components = [
        _component_row(e.bom, spec, position)
        for e in created
        for position, spec in enumerate(e.lines)
    ]
    bulk_create_logged(components, BOMComponent, actor=actor, batch_size=BULK_BATCH)
    operations = [_operation_row(e.bom, spec) for e in created for spec in e.ops]
    bulk_create_logged(operations, BOMOperation, actor=actor, batch_size=BULK_BATCH)
    history += [history_record(e.bom, actor=actor, change="~") for e in created if e.created_as]
    BOM.history.model.objects.bulk_create(history, batch_size=BULK_BATCH)


@transaction.atomic
def bom_update(
    *,
    bom: BOM,
    spec: BOMSpec,
    actor=None,
) -> BOM:
    """Change the header fields `spec` gives (`spec.given`: any of number, name, description,
    product, quantity, uom, type, is_default) and, when given (not None), replace the whole set
    of components or operations (kept lines keep their ids). All or nothing. A submitted or cancelled BOM accepts changes
    to its number, name, description and default flag only (`bom_locked`)."""
    _check_texts(spec)
    lock_bom_graph()
    bom = _locked_live(bom)
    data = spec.header()
    components, operations = spec.components, spec.operations

    product = data.get("product", bom.product)
    type_ = data.get("type", bom.type)
    header_changed = any(f in data for f in ("product", "quantity", "uom", "type"))
    if header_changed:
        quantity, uom = _clean_header(
            product=product,
            quantity=data.get("quantity", bom.quantity),
            uom=data.get("uom", bom.uom if "product" not in data else None),
            type=type_,
        )
        if "product" in data and "uom" not in data and bom.uom.category == product.uom.category:
            uom = bom.uom
    else:
        quantity, uom = bom.quantity, bom.uom

    product_changed = product.pk != bom.product_id
    if components is not None:
        lines = _clean_components(product=product, components=components)
    else:
        lines = _current_components(bom)
        if product_changed and any(line.item.pk == product.pk for line in lines):
            raise CircularReference(
                f"{product.number} is a component of this BOM: it cannot be its product.",
                path=[product.number, product.number],
            )
    ops = _clean_operations(operations) if operations is not None else _current_operations(bom)

    new_hash = _hash_for(
        product=product, quantity=quantity, uom=uom, type=type_, components=lines, operations=ops
    )
    if bom.is_locked and new_hash != bom.content_hash:
        raise BomLocked(
            f"BOM {bom.number} is {bom.status}: its product, quantity, unit, type, components "
            "and operations cannot change (name, description and default may). Copy it to a "
            "new version instead."
        )
    if components is not None or product_changed:
        _check_no_cycle(product=product, components=lines, exclude_bom_id=bom.pk)

    if "number" in data:
        number = (data["number"] or "").strip()
        if not number:
            raise ValidationFailed(
                "The number cannot be blank.", errors={"number": ["This field may not be blank."]}
            )
        if number != bom.number:
            ensure_unique_live(BOM, field="number", value=number, exclude_pk=bom.pk)
        bom.number = number
    if "name" in data:
        bom.name = (data["name"] or "").strip() or product.name
    if "description" in data:
        bom.description = data["description"] or ""

    if "is_default" in data and data["is_default"] is not None:
        is_default = bool(data["is_default"])
    elif product_changed:
        is_default = not _default_boms([product.pk], exclude_pk=bom.pk).exists()
    else:
        is_default = bom.is_default
    if is_default and bom.status == BOMStatus.CANCELLED:
        raise InvalidState(f"BOM {bom.number} is cancelled: it cannot be the default.")
    if is_default:
        _clear_defaults([product.pk], keep_pk=bom.pk, actor=actor)

    bom.product, bom.quantity, bom.uom, bom.type = product, quantity, uom, type_
    bom.is_default = is_default
    bom.content_hash = new_hash
    _save_header(bom, actor=actor)
    if components is not None:
        _write_components(bom, lines, actor=actor)
    if operations is not None:
        _write_operations(bom, ops, actor=actor)
    return bom


def bom_sync_components(*, bom: BOM, components: Sequence[ComponentSpec], actor=None) -> BOM:
    """Make the lines exactly `components`, keyed by component item: add the new, update the
    changed, remove the missing, in one transaction (seed 002's lines sync)."""
    return bom_update(bom=bom, spec=BOMSpec.partial(components=components), actor=actor)


def bom_replace_operations(*, bom: BOM, operations: Sequence[OperationSpec], actor=None) -> BOM:
    return bom_update(bom=bom, spec=BOMSpec.partial(operations=operations), actor=actor)


@transaction.atomic
def bom_set_default(*, bom: BOM, actor=None) -> BOM:
    """Make `bom` its product's default, clearing the previous default."""
    return bom_update(bom=bom, spec=BOMSpec.partial(is_default=True), actor=actor)


@transaction.atomic
def bom_submit(*, bom: BOM, actor=None) -> BOM:
    bom = _locked_live(bom)
    if bom.status != BOMStatus.DRAFT:
        raise InvalidState(f"BOM {bom.number} is {bom.status}: only a draft can be submitted.")
    bom.status = BOMStatus.SUBMITTED
    stamp(bom, actor)
    bom.save(update_fields=["status", "updated_at"])
    return bom


@transaction.atomic
def bom_cancel(*, bom: BOM, actor=None) -> BOM:
    """Submitted → cancelled (terminal). A cancelled BOM is never a default."""
    bom = _locked_live(bom)
    _ensure_cancellable(number=bom.number, status=bom.status)
    for name, value in CANCELLED_FIELDS.items():
        setattr(bom, name, value)
    stamp(bom, actor)
    bom.save(update_fields=["status", "is_default", "updated_at"])
    return bom


@transaction.atomic
def bom_copy(*, bom: BOM, actor=None) -> BOM:
    """A new draft with the same header, components and operations, numbered anew, with the
    next version of the product's BOMs (the source's version + 1 unless a later one exists)."""
    source = BOM.all_objects.select_related("product__uom", "uom").get(pk=bom.pk)
    versions = BOM.all_objects.filter(product_id=source.product_id).aggregate(v=Max("version"))
    return bom_create(
        spec=BOMSpec(
            product=source.product,
            components=_current_components(source),
            operations=_current_operations(source),
            name=source.name,
            description=source.description,
            quantity=source.quantity,
            uom=source.uom,
            type=source.type,
            is_default=None,
        ),
        version=max(source.version, versions["v"] or 0) + 1,
        actor=actor,
    )


@transaction.atomic
def bom_archive(*, bom: BOM, actor=None) -> BOM:
    """Soft delete. Refused while an open production order uses the BOM (`bom_in_use`)."""
    bom = _locked_live(bom)
    references = bom_open_order_references(bom=bom)
    if references:
        raise BomInUse(
            f"BOM {bom.number} is used by open production orders: {', '.join(references)}.",
            orders=references,
        )
    bom.deleted_at = timezone.now()
    bom.is_default = False
    stamp(bom, actor)
    bom.save(update_fields=["deleted_at", "is_default", "updated_at"])
    return bom


@transaction.atomic
def bom_unarchive(*, bom: BOM, actor=None) -> BOM:
    """Bring an archived BOM back. Its lines become graph edges again, so the cycle check runs;
    it becomes the default when its product has none."""
    lock_bom_graph()
    bom = (
        BOM.all_objects.select_for_update(of=("self",))
        .select_related("product__uom", "uom")
        .get(pk=bom.pk)
    )
    if bom.deleted_at is None:
        raise BomNotArchived(f"BOM {bom.number} is not archived.")
    ensure_unique_live(BOM, field="number", value=bom.number, exclude_pk=bom.pk)
    _check_no_cycle(product=bom.product, components=_current_components(bom))
    bom.deleted_at = None
    bom.is_default = (
        bom.status != BOMStatus.CANCELLED and not _default_boms([bom.product_id]).exists()
    )
    _save_header(bom, actor=actor)
    return bom


WORKCENTER_FIELDS = ("code", "name", "hourly_cost")


def _check_cost(hourly_cost: Decimal) -> Decimal | None:
    if hourly_cost is None:
        return None
    return number_parse(hourly_cost, field="hourly_cost", kind=MONEY, sign="non_negative")


@transaction.atomic
def workcenter_create(
    *, code: str, name: str, hourly_cost: Decimal = Decimal(0), actor=None
) -> Workcenter:
    hourly_cost = _check_cost(hourly_cost)
    ensure_unique_live(Workcenter, field="code", value=code)
    ensure_unique_live(Workcenter, field="name", value=name)
    workcenter = Workcenter(code=code, name=name, hourly_cost=hourly_cost)
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.save()
    return workcenter


@transaction.atomic
def workcenter_update(*, workcenter: Workcenter, data: dict[str, Any], actor=None) -> Workcenter:
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    for field in ("code", "name"):
        if field in data and data[field] != getattr(workcenter, field):
            ensure_unique_live(Workcenter, field=field, value=data[field], exclude_pk=workcenter.pk)
    if data.get("hourly_cost") is not None:
        data = {**data, "hourly_cost": _check_cost(data["hourly_cost"])}
    for field in WORKCENTER_FIELDS:
        if field in data:
            setattr(workcenter, field, data[field])
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.save()
    return workcenter


@transaction.atomic
def workcenter_archive(*, workcenter: Workcenter, actor=None) -> Workcenter:
    """Archived workcenters keep every reference (BOM operations, later work orders); new or
    changed operations cannot pick them."""
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    stamp(workcenter, actor)
    workcenter.delete()
    return workcenter


@transaction.atomic
def workcenter_restore(*, workcenter: Workcenter, actor=None) -> Workcenter:
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    if workcenter.deleted_at is None:
        raise ValidationFailed(f"Workcenter {workcenter.code} is not archived.")
    ensure_unique_live(Workcenter, field="code", value=workcenter.code, exclude_pk=workcenter.pk)
    ensure_unique_live(Workcenter, field="name", value=workcenter.name, exclude_pk=workcenter.pk)
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.restore()
    return workcenter
