"""The product's CSV dialect: every CSV it writes goes through `writer` / `DictWriter`, every CSV
it reads through `DictReader`.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return as a formula, so an item number such as
`=HYPERLINK("http://evil","click")` would become a live link (or worse) in whoever opens the
export. Text cells that start with one of those characters are written with a leading `'`,
which spreadsheets show as text and do not evaluate.

The reader undoes exactly that, so an export imports back to the same values:
- a text cell is prefixed when, past any leading quotes, it starts with a dangerous character
  (`=x` → `'=x`, and `'=x` itself → `''=x`, so a value that really starts with a quote survives);
- a cell read back loses one leading quote under the same condition (`'=x` → `=x`, `''=x` → `'=x`);
  any other cell is read as written (`'abc` stays `'abc`, `'` stays `'`).

Rows end in CRLF (RFC 4180), which also makes the writer quote a cell holding a bare carriage
return: with a `\n` line end, Python's csv leaves `\r` unquoted and the file reads back as two
rows.

Numbers (`int`, `Decimal`) are written as numbers, never prefixed: they hold no formula, and a
negative quantity must stay a number for whoever sums the column. Decimals are written in fixed
notation (`1E+2` as `100`); pass `value.normalize()` to drop trailing zeros.
"""

import csv
from decimal import Decimal

# OWASP's list: what makes a spreadsheet treat a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
LINE_END = "\r\n"
Error = csv.Error


def _needs_quote(text: str) -> bool:
    rest = text.lstrip(QUOTE)
    return rest != "" and rest[0] in FORMULA_STARTS


def neutralise(value) -> str | int | Decimal:
    """One cell as written: text made inert, numbers and empties as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return f"{value:f}"
    text = str(value)
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """One cell as read: the inverse of `neutralise` on text."""
    if text.startswith(QUOTE) and _needs_quote(text):
        return text[1:]
    return text


class _Writer:
    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, lineterminator=LINE_END, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs) -> _Writer:
    """`csv.writer` with every cell neutralised."""
    return _Writer(out, **kwargs)


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` with every cell (the header's too) neutralised."""

    def __init__(self, out, fieldnames, **kwargs):
        super().__init__(out, fieldnames, lineterminator=LINE_END, **kwargs)

    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)


class DictReader(csv.DictReader):
    """`csv.DictReader` that undoes the writers' prefix on every text cell. With `strip=True`
    (hand-edited files), surrounding whitespace is trimmed first: the prefix protects a leading
    tab or carriage return of the value itself, so `'\tx` still reads back as `\tx`."""

    def __init__(self, f, *args, strip: bool = False, **kwargs):
        super().__init__(f, *args, **kwargs)
        self.strip = strip

    def __next__(self):
        row = super().__next__()
        return {key: self._cell(value) for key, value in row.items()}

    def _cell(self, value):
        if not isinstance(value, str):
            return value
        return restore(value.strip() if self.strip else value)
