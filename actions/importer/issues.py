"""What goes wrong in a workbook, located by sheet, row and column, in French."""

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ImportIssue:
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row:
            where.append(_("ligne %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("colonne « %(column)s »") % {"column": self.column})
        if not where:
            return self.message
        return capfirst(", ".join(where)) + " : " + self.message


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing of it was looked at further."""

    def __init__(self, message):
        self.issues = [ImportIssue(message)]
        super().__init__(message)
