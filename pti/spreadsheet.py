"""Every cell the application writes into a CSV or XLSX file goes through here, so that no text typed by a user
opens as a live formula in a spreadsheet (CSV/formula injection, OWASP: `=HYPERLINK(…)`, `+1+1`,
`-1+cmd|' /C calc'!A0`, `@SUM(1+1)`).

A text cell starting like a formula (`= + - @`, tab, carriage return, or their full-width forms ＝ ＋ － ＠) is
written with a leading apostrophe, which spreadsheets show as text. Numbers stay numbers: a number (an int, a
Decimal, a date) is never touched, nor a text that is only a number (`-12,50`, `+3`), which a spreadsheet reads as
that number and never runs.

`csv_writer(file)` is `csv.writer` whose rows go through the guard; `write_cell(worksheet, row, column, value)`
writes an openpyxl cell through it (illegal XML characters removed first, text kept as text), and
`write_only_cell(worksheet, value)` makes one for a write-only (streamed) worksheet. The import of a
pacte reads back what the export wrote with `restore` (actions/importer.py).
"""

import csv
import re

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
GUARD = "'"
# A plain number, in the French or the English way: left alone, a spreadsheet reads it as a number.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")


def _needs_guard(text):
    if text.startswith(GUARD):
        # Text that already looks guarded gets one more apostrophe, so that `restore` gives it back as typed.
        return _needs_guard(text[len(GUARD) :])
    return text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text)


def neutralise(value):
    """`value` as it may be written into a cell: text that a spreadsheet would run as a formula gets a leading
    apostrophe; anything else (numbers, dates, None, other text) is returned as it is."""
    if isinstance(value, str) and _needs_guard(value):
        return GUARD + value
    return value


def restore(value):
    """The text a user typed, from a cell `neutralise` wrote (for reading back our own exports)."""
    if isinstance(value, str) and value.startswith(GUARD) and _needs_guard(value[len(GUARD) :]):
        return value[len(GUARD) :]
    return value


class _GuardedWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file, **kwargs):
    """A `csv.writer` on `file` (same arguments) whose every cell goes through `neutralise`."""
    return _GuardedWriter(csv.writer(file, **kwargs))


def xlsx_value(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_cell(worksheet, row, column, value):
    """Write `value` into the cell (row, column) of an openpyxl worksheet through the guard; return the cell."""
    value = xlsx_value(value)
    cell = worksheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever openpyxl guesses from its first character
    return cell


def write_only_cell(worksheet, value):
    """A cell of an openpyxl write-only worksheet holding `value` through the guard (to append in a row)."""
    value = xlsx_value(value)
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
