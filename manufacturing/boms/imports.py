"""BOM CSV import: one service for `manage.py import_boms FILE` and the background import job.

The layout is manufacturing/management/csv_layout.py's. The BOMs of a batch of rows go through
`bom_create_many` together (the rules of `bom_create`, the API's and the admin's, in queries that
do not grow with the BOMs); every error is reported with its row number (the header is row 1),
and nothing is imported unless every row is valid: the whole file is one transaction.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from config import csv
from config.exceptions import DomainError, field_path_parse
from config.quantities import MINUTES, PERCENT, QUANTITY, number_errors, whole_number
from manufacturing.boms.models import BOMStatus, BOMType
from manufacturing.boms.references import References
from manufacturing.boms.services import bom_create_many
from manufacturing.boms.specs import BOMSpec, ComponentSpec, NewBOM, OperationSpec
from manufacturing.management.csv_layout import HEADER_COLUMNS, REQUIRED_COLUMNS

BATCH_ROWS = 5000  # rows whose references are looked up, and BOMs created, together

# `progress(done, total)`: called with the total first, then as rows are read (per row: the
# caller decides how often to show it).
ProgressCallback = Callable[..., None]


class BOMFileUnreadable(DomainError):
    """Not a UTF-8 CSV file, or without the required columns: no row was looked at."""

    code = "validation_error"
    status = 400
    title = "Unreadable BOM file"

    def __init__(self, detail: str, *, reason: str | None = None):
        super().__init__(detail, errors={"file": [detail]})
        self.reason = reason  # the decoder's or CSV reader's complaint, when that was it


class BOMImportFailed(DomainError):
    """Rows refused: `row_errors` holds every one of them, in file order; nothing was saved."""

    code = "import_failed"
    status = 422
    title = "BOM import refused"

    def __init__(self, row_errors: list[str]):
        super().__init__(f"{len(row_errors)} error(s), nothing imported.")
        self.row_errors = row_errors


@dataclass(frozen=True)
class ImportResult:
    created: int  # BOMs created (or that would be, in a dry run)
    rows: int  # data rows read
    dry_run: bool


@dataclass
class Block:
    """The consecutive rows of one BOM."""

    number: str
    header: dict
    first_row: int
    components: list[tuple[int, dict]] = field(default_factory=list)
    operations: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decimal(value: str, row: int, column: str, errors: list, default, *, kind, sign):
    """The cell under the one number policy (config.quantities); a bad value is a row error
    with the policy's message, a blank one `default` (which the service then judges)."""
    value = (value or "").strip()
    if not value:
        return default
    number, message = number_errors(value, kind=kind, sign=sign)
    if number is None:
        errors.append(f"row {row}: {column}: {message}")
        return default
    return number


def _last_row(block: Block) -> int:
    return max([block.first_row, *(row for row, _ in block.components + block.operations)])


def _batch_references(batch: list[Block]) -> References:
    """Every item, unit and workcenter a batch of blocks names, looked up at once."""
    refs = References()
    for block in batch:
        refs.want_item(number=block.header["product_number"])
        refs.want_unit(block.header["bom_uom"])
        for _, values in block.components:
            refs.want_item(number=values["component_number"])
            refs.want_unit(values.get("unit"))
        for _, values in block.operations:
            refs.want_workcenter(name=values.get("workcenter"))
    return refs.load()


def _text(file) -> io.TextIOWrapper:
    return io.TextIOWrapper(file, encoding="utf-8-sig", newline="")


def _unreadable(exc: Exception) -> BOMFileUnreadable:
    return BOMFileUnreadable(f"The file is not a UTF-8 CSV file: {exc}", reason=str(exc))


def bom_import_check(*, file) -> int:
    """Before queueing an upload: the file (binary) is UTF-8 CSV text with the required
    columns. Returns its number of data rows; raises BOMFileUnreadable."""
    text = _text(file)
    try:
        reader = csv.DictReader(text, strip=True)
        _check_columns(reader)
        rows = sum(1 for _ in reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(exc) from exc
    finally:
        text.detach()
    file.seek(0)
    return rows


def _check_columns(reader: csv.DictReader) -> None:
    names = [name for name in reader.fieldnames or () if name]
    missing = REQUIRED_COLUMNS - set(names)
    if missing:
        raise BOMFileUnreadable(f"Missing columns: {', '.join(sorted(missing))}.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # csv.DictReader would keep the last one's cells, silently
        raise BOMFileUnreadable(f"Columns given more than once: {', '.join(repeated)}.")


def bom_import_csv(
    *, file, actor, dry_run: bool = False, progress: ProgressCallback | None = None
) -> ImportResult:
    """Import the BOMs of `file` (binary, seekable: a path opened "rb", an upload, a storage
    file), all or nothing. Raises BOMFileUnreadable or BOMImportFailed (every row error)."""
    text = _text(file)
    try:
        total = max(sum(1 for _ in text) - 1, 0)
        text.seek(0)
        reader = csv.DictReader(text, strip=True)
        _check_columns(reader)
        importer = _BOMCSVImport(actor=actor, total=total, progress=progress)
        created, errors = importer.run(reader, dry_run=dry_run)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(exc) from exc
    finally:
        text.detach()
    if errors:
        raise BOMImportFailed(errors)
    return ImportResult(created=created, rows=total, dry_run=dry_run)


class _BOMCSVImport:
    def __init__(self, *, actor, total: int, progress: ProgressCallback | None):
        self.actor = actor
        self.total = total
        self.done = 0
        self.progress = progress
        if progress is not None:
            progress(0, total)

    def _row_read(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done)

    # --- reading ---------------------------------------------------------------------------

    def _blocks(self, reader, errors):
        """Group consecutive rows by bom_number; yield lists of blocks of about BATCH_ROWS."""
        seen: set[str] = set()
        batch: list[Block] = []
        rows_in_batch = 0
        block: Block | None = None
        for row in reader:
            self._row_read()
            row_number = reader.line_num
            values = {k: v or "" for k, v in row.items() if k}
            number = values.get("bom_number", "")
            if not number:
                errors.append(f"row {row_number}: bom_number is required.")
                continue
            if block is None or number != block.number:
                if number in seen:
                    errors.append(
                        f"row {row_number}: the rows of BOM {number} must be consecutive."
                    )
                    if block is not None:  # its own errors are reported too
                        batch.append(block)
                    block = None
                    continue
                seen.add(number)
                if block is not None:
                    batch.append(block)
                    if rows_in_batch >= BATCH_ROWS:
                        yield batch
                        batch, rows_in_batch = [], 0
                block = Block(
                    number=number,
                    header={c: values.get(c, "") for c in HEADER_COLUMNS},
                    first_row=row_number,
                )
            else:
                for column in HEADER_COLUMNS:
                    if values.get(column) and values[column] != block.header[column]:
                        block.errors.append(
                            f"row {row_number}: {column} '{values[column]}' differs from row "
                            f"{block.first_row} ('{block.header[column]}')."
                        )
            rows_in_batch += 1
            if values.get("component_number") and values.get("operation_name"):
                block.errors.append(
                    f"row {row_number}: a row is a component or an operation, not both."
                )
            elif values.get("component_number"):
                block.components.append((row_number, values))
            elif values.get("operation_name"):
                block.operations.append((row_number, values))
            else:
                block.errors.append(
                    f"row {row_number}: give component_number (a component) or operation_name "
                    "(an operation)."
                )
        if block is not None:
            batch.append(block)
        if batch:
            yield batch

    # --- importing -------------------------------------------------------------------------

    @transaction.atomic
    def run(self, reader, *, dry_run: bool) -> tuple[int, list[str]]:
        errors: list[str] = []
        created = 0
        for batch in self._blocks(reader, errors):
            created += self._create(batch)
            for block in batch:
                errors.extend(block.errors)
        if errors or dry_run:
            transaction.set_rollback(True)
        return created, errors

    def _create(self, batch: list[Block]) -> int:
        """Create the BOMs of the blocks read without error, in one `bom_create_many`; the
        refusals go to their blocks' errors. Returns how many were created."""
        refs = _batch_references(batch)
        wanted = [(block, new) for block in batch if (new := self._new_bom(block, refs))]
        if not wanted:
            return 0
        try:
            results = bom_create_many(boms=[new for _, new in wanted], actor=self.actor)
        except DomainError as exc:
            # A refusal of the whole batch (a concurrent writer took a number past the checks):
            # none of it was created, and no one row is to blame, so it names the batch's rows.
            first, last = wanted[0][0].first_row, max(_last_row(block) for block, _ in wanted)
            wanted[0][0].errors.append(
                f"rows {first}-{last}: none of these BOMs could be saved: {exc.detail} ({exc.code})"
            )
            return 0
        created = 0
        for (block, _), result in zip(wanted, results, strict=True):
            if isinstance(result, DomainError):
                block.errors.extend(self._located(result, block))
            elif result is not None:
                created += 1
        return created

    def _new_bom(self, block: Block, refs: References) -> NewBOM | None:
        """The block as `bom_create_many` takes it, or None when a cell is refused (errors
        added to the block's)."""
        head, errors, row = block.header, block.errors, block.first_row

        def found(instance, row: int, column: str):
            """The resolver's answer; what it did not find, as an error on `row`."""
            errors.extend(miss.row_message(row, column) for miss in refs.misses)
            refs.misses.clear()
            return instance

        product = found(
            refs.item(number=head["product_number"], path="product_number"), row, "product_number"
        )
        quantity = _decimal(
            head["bom_quantity"],
            row,
            "bom_quantity",
            errors,
            Decimal(1),
            kind=QUANTITY,
            sign="positive",
        )
        uom = found(refs.unit(head["bom_uom"], path="bom_uom"), row, "bom_uom")
        status = head["bom_status"] or BOMStatus.DRAFT
        if status not in BOMStatus.values:
            errors.append(
                f"row {row}: bom_status '{status}' is not one of {', '.join(BOMStatus.values)}."
            )
        is_default = {
            "true": True,
            "1": True,
            "yes": True,
            "false": False,
            "0": False,
            "no": False,
        }.get(head["is_default"].lower())
        if head["is_default"] and is_default is None:
            errors.append(f"row {row}: is_default '{head['is_default']}' is not true or false.")
        version = whole_number(head["version"] or "1")
        if version is None or version < 1:
            errors.append(f"row {row}: version '{head['version']}' is not a positive integer.")
            version = 1

        components = []
        for line_row, values in block.components:
            number = values["component_number"]
            item = found(
                refs.item(number=number, path="component_number"), line_row, "component_number"
            )
            components.append(
                ComponentSpec(
                    item=item,
                    quantity=_decimal(
                        values.get("quantity"),
                        line_row,
                        "quantity",
                        errors,
                        Decimal(0),
                        kind=QUANTITY,
                        sign="positive",
                    ),
                    uom=found(refs.unit(values.get("unit"), path="unit"), line_row, "unit"),
                    scrap_percent=_decimal(
                        values.get("scrap_percent"),
                        line_row,
                        "scrap_percent",
                        errors,
                        Decimal(0),
                        kind=PERCENT,
                        sign="non_negative",
                    ),
                )
            )
        operations = []
        for op_row, values in block.operations:
            name = values.get("workcenter", "")
            workcenter = found(refs.workcenter(name=name, path="workcenter"), op_row, "workcenter")
            sequence = values.get("operation_sequence") or None
            if sequence is not None:
                text, sequence = sequence, whole_number(sequence)
                if sequence is None:
                    errors.append(
                        f"row {op_row}: operation_sequence '{text}' is not a whole number."
                    )
            operations.append(
                OperationSpec(
                    name=values["operation_name"],
                    workcenter=workcenter,
                    duration_minutes=_decimal(
                        values.get("duration_minutes"),
                        op_row,
                        "duration_minutes",
                        errors,
                        Decimal(0),
                        kind=MINUTES,
                        sign="non_negative",
                    ),
                    sequence=sequence,
                )
            )
        if errors:
            return None
        spec = BOMSpec(
            product=product,
            components=components,
            operations=operations,
            number=block.number,
            name=head["bom_name"],
            description=head["description"],
            quantity=quantity,
            uom=uom,
            type=head["bom_type"] or BOMType.MANUFACTURE,
            is_default=is_default,
        )
        # A cancelled BOM is created submitted, then cancelled.
        return NewBOM(
            spec=spec,
            version=version,
            status=BOMStatus.DRAFT if status == BOMStatus.DRAFT else BOMStatus.SUBMITTED,
            cancel=status == BOMStatus.CANCELLED,
        )

    @staticmethod
    def _located(exc: DomainError, block: Block) -> list[str]:
        """A service error, on the row it is about: `components[2].quantity` is the third
        component row of the BOM, anything else its first row."""
        lines = {"components": block.components, "operations": block.operations}
        located = []
        for path, messages in (exc.extra.get("errors") or {}).items():
            target = field_path_parse(path)
            rows = lines.get(target.collection, [])
            index = target.index if target.index is not None else len(rows)
            row = rows[index][0] if index < len(rows) else block.first_row
            located.extend(f"row {row}: {m} ({exc.code})" for m in messages)
        return located or [f"row {block.first_row}: BOM {block.number}: {exc.detail} ({exc.code})"]
