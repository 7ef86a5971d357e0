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
import zipfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

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


# --- a workbook sent while it is written ----------------------------------------------------------------------


class _Sink:
    """An unseekable output that keeps what was written until it is taken (zipfile then writes each entry's sizes
    after its data, in a data descriptor, as any streamed zip)."""

    def __init__(self):
        self._parts, self.size = [], 0

    def write(self, data):
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self):
        pass

    def take(self):
        data, self._parts, self.size = b"".join(self._parts), [], 0
        return data


class _SheetsWrittenWriter(ExcelWriter):
    """openpyxl's writer for the rest of a workbook whose worksheets are already in the archive."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


class StreamedWorkbook:
    """An openpyxl write-only workbook whose bytes leave while it is written: each worksheet's XML goes straight
    into its entry of the zip archive as its rows are appended (no temporary file, memory flat), the workbook's
    other parts (styles, relations, content types) are written after the last sheet. `take()` hands out the bytes
    written so far; a download starts with its first rows, not once the whole file is made.

        streamed = StreamedWorkbook()
        ws = streamed.add_sheet("Actions")      # set widths and frozen panes, then:
        streamed.begin(ws)
        ws.append([...]); chunk = streamed.take()
        streamed.end(ws)                        # after its auto filter
        last = streamed.finish()
    """

    def __init__(self):
        self.book = Workbook(write_only=True)
        self._sink = _Sink()
        self._archive = zipfile.ZipFile(self._sink, "w", zipfile.ZIP_DEFLATED)
        self._entry = None

    @property
    def pending(self):
        return self._sink.size

    def take(self):
        return self._sink.take()

    def add_sheet(self, title):
        ws = self.book.create_sheet(title)
        ws._id = len(self.book.worksheets)  # the name of its entry, as openpyxl numbers them when it saves
        return ws

    def begin(self, ws):
        """Open the sheet's entry and write its head (dimensions, widths, frozen panes: set them before)."""
        self._entry = self._archive.open(ws.path[1:], "w")  # no zip64: Excel warns on it, a sheet stays far below 2 GiB
        ws._writer = WorksheetWriter(ws, out=self._entry)
        ws._writer.write_top()

    def end(self, ws):
        ws.close()
        self._entry.close()
        self._entry = None

    def finish(self):
        """Write the rest of the workbook and close the archive; the bytes not taken yet."""
        _SheetsWrittenWriter(self.book, self._archive).write_data()
        self._archive.close()
        return self.take()
