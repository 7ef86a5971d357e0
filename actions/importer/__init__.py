"""Import of a whole pacte from an XLSX workbook: the pacte, its axes, objectives, actions, referents (by e-mail),
partners and their roles, indicators and their yearly targets, and the actions' milestones (the "Étapes" sheet,
optional: a workbook without it leaves the milestones as they are; follow-up notes are never imported).

One module per concern:

- `layout`: the sheets and their columns, shared with the export of a whole pacte (`actions.exports`);
- `issues`: the errors, located by sheet, row and column, in French;
- `cells`: each kind of cell turned into a value;
- `sheets`: the file checked (size, a real XLSX) and each sheet read as the rows that hold a value, in bounded
  time and memory, with its merged cells;
- `reading`: `read_workbook(file)` finds the sheets (names trimmed), refuses formulas and merged cells, types
  every cell, checks every reference and collects *all* the errors;
- `planning`: `plan_import(parsed)` compares the rows with the database by natural keys and says what would be
  created, updated, deleted or left unchanged;
- `versions`: the versions of the rows a plan read, carried from the preview to the confirmation, and what
  changed in between, in French;
- `applying`: `confirm_import(parsed, versions, user)` locks the rows, plans again, refuses with
  `ImportConflict` if anything moved since the preview, and writes in one transaction (`apply_import(plan)`
  for a plan just computed).

Nothing is written unless the whole file is valid, and importing the same file twice changes nothing the second
time.
"""

from actions.importer.applying import apply_import, confirm_import
from actions.importer.issues import ImportFileError, ImportIssue
from actions.importer.layout import (
    ACTIONS,
    AXES,
    INDICATORS,
    MILESTONES,
    OBJECTIFS,
    OPTIONAL_SHEETS,
    PACTE,
    PARTNERS,
    REQUIRED_ROWS,
    SHEETS,
    TARGET_PREFIX,
    Col,
    target_header,
)
from actions.importer.planning import (
    CREATED,
    DELETED,
    KIND_LABELS,
    UNCHANGED,
    UPDATED,
    Change,
    Plan,
    plan_import,
)
from actions.importer.reading import Parsed, read_bytes, read_workbook
from actions.importer.sheets import MAX_ROWS, MAX_SIZE
from actions.importer.versions import Conflict, ImportConflict

__all__ = [
    "ACTIONS",
    "AXES",
    "CREATED",
    "DELETED",
    "INDICATORS",
    "KIND_LABELS",
    "MAX_ROWS",
    "MAX_SIZE",
    "MILESTONES",
    "OBJECTIFS",
    "OPTIONAL_SHEETS",
    "PACTE",
    "PARTNERS",
    "REQUIRED_ROWS",
    "SHEETS",
    "TARGET_PREFIX",
    "UNCHANGED",
    "UPDATED",
    "Change",
    "Col",
    "Conflict",
    "ImportConflict",
    "ImportFileError",
    "ImportIssue",
    "Parsed",
    "Plan",
    "apply_import",
    "confirm_import",
    "plan_import",
    "read_bytes",
    "read_workbook",
    "target_header",
]
