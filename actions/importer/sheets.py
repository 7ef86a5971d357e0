"""The workbook as a file: checked before it is opened (size, a real XLSX, not a zip bomb), then each sheet read
as the rows that hold a value, and its merged cells.

Office suites declare more than they fill: LibreOffice, after a row is deleted, declares the sheet
`A1:L1048576` and writes an empty row 1,048,576. openpyxl's read-only rows fill every gap up to the declared
size, so a 53-row sheet would be read as a million rows. Here the sheet's XML is streamed: only `<row>`
elements that exist are looked at, those without a value are skipped without being parsed, and whatever comes
after the last one holding a value costs nothing but the XML parsing. Memory stays constant (each row is
dropped once read) and time is bounded by the number of `<row>` elements, limited to `MAX_ROW_ELEMENTS`.

The cells themselves are parsed by openpyxl (`WorkSheetParser.parse_row`: shared strings, dates from the
number formats, booleans, formulas), so every value is typed as openpyxl types it. That parser and the
read-only worksheet's source are openpyxl internals (3.1, pinned in requirements.txt): the tests of the
LibreOffice fixtures (actions/tests/test_import_files.py) break first if they move.
"""

import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse  # defusedxml's when it is installed, as openpyxl does

from actions.importer.issues import ImportFileError, ImportIssue

# The largest workbook accepted, before it is even opened; and the largest it may unpack to (zip bombs).
MAX_SIZE = getattr(settings, "PTI_IMPORT_MAX_SIZE", settings.PTI_MAX_UPLOAD_SIZE)
MAX_UNCOMPRESSED = 20 * MAX_SIZE
# The last row number that may hold data, and how many `<row>` elements (empty or not) a sheet may have.
MAX_ROWS = 20_000
MAX_ROW_ELEMENTS = 5 * MAX_ROWS

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"
_MERGE = f"{{{SHEET_MAIN_NS}}}mergeCell"


def check_file(upload):
    """Refuse, before parsing, what is too big or is not an XLSX (a zip with the parts of a workbook)."""
    size = upload.size
    if size > MAX_SIZE:
        raise ImportFileError(
            _("Le fichier est trop volumineux (%(size)s) : la taille maximale est de %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(MAX_SIZE)}
        )
    if size == 0:
        raise ImportFileError(_("Le fichier est vide."))
    upload.seek(0)
    not_xlsx = _(
        "Le fichier n'est pas un classeur Excel (XLSX), même si son nom se termine par .xlsx. Enregistrez-le au "
        "format « Classeur Excel (.xlsx) » et déposez-le à nouveau."
    )
    if upload.read(4) != b"PK\x03\x04":
        raise ImportFileError(not_xlsx)
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(not_xlsx) from error
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError(not_xlsx)
    if unpacked > MAX_UNCOMPRESSED:
        raise ImportFileError(_("Le classeur est anormalement volumineux une fois décompressé : il est refusé."))
    upload.seek(0)


def open_workbook(upload):
    """The workbook, read-only and with formulas kept as formulas (to refuse them); `check_file` first."""
    check_file(upload)
    return openpyxl.load_workbook(upload, read_only=True, data_only=False)


def sheet_names(book, wanted, issues):
    """{wanted name: name in the book}, matching names whose spaces around were trimmed (« Actions  »)."""
    found = {}
    for actual in book.sheetnames:
        trimmed = actual.strip()
        if trimmed not in wanted:
            continue
        if trimmed in found:
            issues.append(
                ImportIssue(
                    _("Deux feuilles s'appellent « %(sheet)s » (aux espaces près) : gardez-en une seule.")
                    % {"sheet": trimmed}
                )
            )
            continue
        found[trimmed] = actual
    return found


@dataclass
class Merge:
    """A range of merged cells, as `B4:C4`, with its bounds (columns and rows, 1-based, inclusive)."""

    ref: str
    min_col: int
    min_row: int
    max_col: int
    max_row: int

    def covers(self, row, column):
        """Whether (row, column) is hidden under the merge: inside it, but not its top-left cell."""
        inside = self.min_row <= row <= self.max_row and self.min_col <= column <= self.max_col
        return inside and (row, column) != (self.min_row, self.min_col)


@dataclass
class SheetRows:
    """A sheet as read: [(row number, {column number: cell})] for the rows holding a value, and its merges.

    A cell is openpyxl's dict (`value`, `data_type`, ...). Reading stops at the first value past `MAX_ROWS`
    (`past_max_rows` is its row number) or after `MAX_ROW_ELEMENTS` rows, even empty (`too_many_rows` is then
    that limit)."""

    rows: list = field(default_factory=list)
    merges: list = field(default_factory=list)
    past_max_rows: int | None = None
    too_many_rows: int | None = None


def _has_value(cell):
    value = cell["value"]
    return value is not None and not (isinstance(value, str) and not value.strip())


def read_rows(book, name):
    """The rows of sheet `name` that hold a value, in order, and its merged cells, in bounded time and memory."""
    worksheet = book[name]
    sheet = SheetRows()
    # What ReadOnlyWorksheet._cells_by_row does, without filling the gaps between the rows.
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        sheet_data = None
        elements = 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    sheet_data = element
                continue
            if element.tag == _ROW:
                elements += 1
                if elements > MAX_ROW_ELEMENTS:
                    sheet.too_many_rows = MAX_ROW_ELEMENTS
                    break
                # A cell holds something when it has a child (<v>, <is> or <f>): styled empty cells are skipped.
                if any(len(cell) for cell in element):
                    number, cells = parser.parse_row(element)
                    cells = [cell for cell in cells if _has_value(cell)]
                    if cells:
                        if number > MAX_ROWS:
                            sheet.past_max_rows = number
                            break
                        sheet.rows.append((number, {cell["column"]: cell for cell in cells}))
                if sheet_data is not None:
                    sheet_data.clear()  # the rows read so far: memory stays flat whatever the length
            elif element.tag == _MERGE:
                ref = element.get("ref") or ""
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (TypeError, ValueError):
                    continue
                if None not in (min_col, min_row, max_col, max_row):
                    sheet.merges.append(Merge(ref, min_col, min_row, max_col, max_row))
    return sheet
