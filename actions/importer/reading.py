"""Reading a workbook: the file checked (size, a real XLSX), every sheet read, every cell typed and every
reference checked, collecting *all* the errors, each located by sheet, row and column.
"""

import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from actions.enums import PartnerRole
from actions.importer.cells import convert_row
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
    READ_ONLY_COLUMNS,
    REQUIRED_ROWS,
    SHEETS,
    TARGET_PREFIX,
)
from actions.importer.sheets import MAX_ROWS, open_workbook, read_rows, sheet_names
from pti import spreadsheet

FORMULA_TYPES = {"ArrayFormula", "DataTableFormula"}


@dataclass
class Sheet:
    """A sheet of the layout as read: its headers, [(row number, {header: value})] and its merged cells."""

    name: str
    headers: list
    data: list
    merges: list

    def column_of(self, header):
        """The column number (1-based) of `header`, or None."""
        return self.headers.index(header) + 1 if header in self.headers else None


def _is_formula(cell):
    return cell.get("data_type") == "f" or type(cell["value"]).__name__ in FORMULA_TYPES


def _read_sheet(book, name, actual, issues):
    """The `Sheet` called `name` (`actual` in the book, spaces around it trimmed), or None if it is absent or has
    no header; its problems (too long, formulas, merged cells) go to `issues`."""
    if actual is None:
        if name not in OPTIONAL_SHEETS:
            issues.append(ImportIssue(_("La feuille « %(sheet)s » est absente du classeur.") % {"sheet": name}))
        return None
    rows = read_rows(book, actual)
    for merge in rows.merges:
        issues.append(
            ImportIssue(
                _("les cellules fusionnées %(range)s ne sont pas acceptées ; défusionnez-les.") % {"range": merge.ref},
                name,
                merge.min_row,
            )
        )
    if rows.too_many_rows:
        issues.append(
            ImportIssue(
                _(
                    "la feuille compte plus de %(max)s lignes, même vides : supprimez les lignes inutiles sous le "
                    "tableau, ou copiez le tableau dans un classeur neuf."
                )
                % {"max": number_format(rows.too_many_rows, force_grouping=True)},
                name,
            )
        )
    if rows.past_max_rows:
        issues.append(ImportIssue(_("Trop de lignes (%(max)s au plus).") % {"max": MAX_ROWS}, name, rows.past_max_rows))
    header_cells = rows.rows[0][1] if rows.rows and rows.rows[0][0] == 1 else {}
    width = max(header_cells, default=0)
    headers = [
        str(header_cells[column]["value"]).strip() if column in header_cells else "" for column in range(1, width + 1)
    ]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        issues.append(
            ImportIssue(
                _("La feuille est vide : sa première ligne doit porter les en-têtes des colonnes (voir le modèle)."),
                name,
            )
        )
        return None
    data = []
    for number, cells in rows.rows[1:]:
        values = {}
        for column, cell in cells.items():
            if column > len(headers):
                continue
            header = headers[column - 1]
            if _is_formula(cell):
                issues.append(
                    ImportIssue(
                        _("formule refusée : saisissez la valeur elle-même (copier, puis « coller les valeurs »)."),
                        name,
                        number,
                        header or None,
                    )
                )
                continue
            values[header] = spreadsheet.restore(cell["value"])  # our exports keep formula-like text as text: "'=…"
        if values:
            data.append((number, values))
    return Sheet(name, headers, data, rows.merges)


def _years_text(years):
    """« de 2026 à 2029 », or « 2026 » for a pacte of one year."""
    first, last = min(years), max(years)
    if first == last:
        return str(first)
    return _("de %(first)s à %(last)s") % {"first": first, "last": last}


def _check_headers(name, headers, issues, years=None):
    expected = [col.header for col in SHEETS[name]]
    known = set(expected) | set(READ_ONLY_COLUMNS.get(name, ()))
    for header in expected:
        if header not in headers:
            issues.append(ImportIssue(_("la colonne « %(header)s » est absente.") % {"header": header}, name, 1))
    seen = set()
    for header in headers:
        if header in seen and header:
            issues.append(ImportIssue(_("la colonne « %(header)s » figure deux fois.") % {"header": header}, name, 1))
        seen.add(header)
        if not header or header in known:
            continue
        if name == INDICATORS and header.startswith(TARGET_PREFIX):
            year = header[len(TARGET_PREFIX) :].strip()
            if not year.isdigit():
                issues.append(
                    ImportIssue(_("« %(header)s » : l'année doit suivre « Cible ».") % {"header": header}, name, 1)
                )
            elif years is not None and int(year) not in years:
                issues.append(
                    ImportIssue(
                        _("« %(header)s » : l'année n'est pas une année du pacte (%(years)s).")
                        % {"header": header, "years": _years_text(years)},
                        name,
                        1,
                    )
                )
            continue
        issues.append(
            ImportIssue(
                _("colonne « %(header)s » inconnue (les colonnes attendues sont : %(expected)s).")
                % {"header": header, "expected": ", ".join(expected)},
                name,
                1,
            )
        )


@dataclass
class Parsed:
    pacte: dict | None = None
    axes: list = field(default_factory=list)
    objectifs: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    # False when the workbook has no "Étapes" sheet (an older one): the milestones are left as they are.
    has_milestones: bool = False
    target_years: list = field(default_factory=list)
    users: dict = field(default_factory=dict)
    issues: list = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.issues


def _duplicates(name, rows, key, column, message, issues):
    seen = {}
    for row in rows:
        value = key(row)
        if value is None:
            continue
        if value in seen:
            issues.append(
                ImportIssue(
                    message % {"value": value if not isinstance(value, tuple) else value[-1], "row": seen[value]},
                    name,
                    row["_row"],
                    column,
                )
            )
        else:
            seen[value] = row["_row"]
    return seen


def read_workbook(upload):
    """Check and read the workbook; return `Parsed`, whose `issues` list every error found (empty if valid)."""
    parsed = Parsed()
    issues = parsed.issues
    try:
        book = open_workbook(upload)
    except ImportFileError as error:
        issues.extend(error.issues)
        return parsed
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        issues.append(ImportIssue(_("Le classeur est endommagé ou illisible : ouvrez-le et enregistrez-le à nouveau.")))
        return parsed
    try:
        actual = sheet_names(book, SHEETS, issues)
        sheets = {name: _read_sheet(book, name, actual.get(name), issues) for name in SHEETS}
    except Exception:  # a sheet's XML is damaged
        issues.append(ImportIssue(_("Le classeur est endommagé ou illisible : ouvrez-le et enregistrez-le à nouveau.")))
        return parsed
    finally:
        book.close()

    # The pacte first: its years bound dates and targets.
    years = None
    if sheets[PACTE] is not None:
        headers, data = sheets[PACTE].headers, sheets[PACTE].data
        _check_headers(PACTE, headers, issues)
        if not data:
            issues.append(ImportIssue(_("la ligne du pacte est absente (ligne 2)."), PACTE, 2))
        elif len(data) > 1:
            issues.append(
                ImportIssue(_("une seule ligne est attendue : le classeur décrit un seul pacte."), PACTE, data[1][0])
            )
        if data:
            number = data[0][0]
            parsed.pacte = convert_row(PACTE, *data[0], issues)
            first, last = parsed.pacte["Première année"], parsed.pacte["Dernière année"]
            for header in ("Première année", "Dernière année"):
                value = parsed.pacte[header]
                if value is not None and not 2000 <= value <= 2100:
                    issues.append(
                        ImportIssue(_("l'année doit être comprise entre 2000 et 2100."), PACTE, number, header)
                    )
                    parsed.pacte["_ok"] = False
            if first and last and last < first:
                issues.append(
                    ImportIssue(
                        _("la dernière année doit être postérieure ou égale à la première."),
                        PACTE,
                        number,
                        "Dernière année",
                    )
                )
                parsed.pacte["_ok"] = False
            elif first and last:
                years = set(range(first, last + 1))

    for name, target in (
        (AXES, parsed.axes),
        (OBJECTIFS, parsed.objectifs),
        (ACTIONS, parsed.actions),
        (PARTNERS, parsed.partners),
        (INDICATORS, parsed.indicators),
        (MILESTONES, parsed.milestones),
    ):
        if sheets[name] is None:
            continue
        if name == MILESTONES:
            parsed.has_milestones = True
        headers, data = sheets[name].headers, sheets[name].data
        _check_headers(name, headers, issues, years)
        if name in REQUIRED_ROWS and not data:
            issues.append(ImportIssue(_("la feuille n'a aucune ligne de données."), name))
        extra = [
            h
            for h in headers
            if name == INDICATORS and h.startswith(TARGET_PREFIX) and h[len(TARGET_PREFIX) :].strip().isdigit()
        ]
        if name == INDICATORS:
            parsed.target_years = sorted(int(h[len(TARGET_PREFIX) :]) for h in extra)
        target.extend(convert_row(name, number, values, issues, extra) for number, values in data)

    _check_references(parsed, years)
    # A merged range is reported once: what its hidden cells would have said (« obligatoire ») is left out.
    parsed.issues[:] = [issue for issue in parsed.issues if not _under_merge(issue, sheets)]
    # In the order of the workbook: file-wide errors first, then sheet by sheet, row by row, column by column.
    order = {name: index for index, name in enumerate(SHEETS)}
    columns = {name: {col.header: index for index, col in enumerate(cols)} for name, cols in SHEETS.items()}
    parsed.issues.sort(
        key=lambda issue: (
            -1 if issue.sheet is None else order.get(issue.sheet, len(order)),
            issue.row or 0,
            columns.get(issue.sheet, {}).get(issue.column, 99),
        )
    )
    return parsed


def _under_merge(issue, sheets):
    sheet = sheets.get(issue.sheet)
    if sheet is None or not sheet.merges or not issue.row or not issue.column:
        return False
    column = sheet.column_of(issue.column)
    return column is not None and any(merge.covers(issue.row, column) for merge in sheet.merges)


def _check_references(parsed, years):
    issues = parsed.issues
    axes = _duplicates(
        AXES, parsed.axes, lambda r: r["Numéro"], "Numéro", _("l'axe %(value)s figure déjà à la ligne %(row)s."), issues
    )
    objectifs = _duplicates(
        OBJECTIFS,
        parsed.objectifs,
        lambda r: (r["Axe"], r["Numéro"]) if r["Axe"] is not None and r["Numéro"] is not None else None,
        "Numéro",
        _("l'objectif %(value)s de cet axe figure déjà à la ligne %(row)s."),
        issues,
    )
    actions = _duplicates(
        ACTIONS,
        parsed.actions,
        lambda r: r["Numéro"],
        "Numéro",
        _("le numéro %(value)s figure déjà à la ligne %(row)s."),
        issues,
    )
    _duplicates(
        PARTNERS,
        parsed.partners,
        lambda r: (
            (r["Action"], r["Partenaire"].lower(), r["Rôle"]) if r["Action"] and r["Partenaire"] and r["Rôle"] else None
        ),
        "Partenaire",
        _("ce partenaire a déjà ce rôle pour cette action à la ligne %(row)s."),
        issues,
    )
    _duplicates(
        INDICATORS,
        parsed.indicators,
        lambda r: (r["Action"], r["Indicateur"]) if r["Action"] and r["Indicateur"] else None,
        "Indicateur",
        _("l'indicateur « %(value)s » de cette action figure déjà à la ligne %(row)s."),
        issues,
    )

    _duplicates(
        MILESTONES,
        parsed.milestones,
        lambda r: (r["Action"], r["Étape"]) if r["Action"] and r["Étape"] else None,
        "Étape",
        _("l'étape « %(value)s » de cette action figure déjà à la ligne %(row)s."),
        issues,
    )
    today = timezone.localdate()
    for row in parsed.milestones:
        planned, done = row["Date prévue"], row["Date de réalisation"]
        if planned is not None and years is not None and planned.year not in years:
            issues.append(
                ImportIssue(
                    _("la date prévue doit être comprise dans les années du pacte (%(years)s).")
                    % {"years": _years_text(years)},
                    MILESTONES,
                    row["_row"],
                    "Date prévue",
                )
            )
        if done is not None and done > today:
            issues.append(
                ImportIssue(
                    _("la date de réalisation ne peut pas être dans le futur."),
                    MILESTONES,
                    row["_row"],
                    "Date de réalisation",
                )
            )

    for row in parsed.objectifs:
        if row["Axe"] is not None and row["Axe"] not in axes:
            issues.append(
                ImportIssue(
                    _("l'axe %(axe)s n'est pas dans la feuille « Axes ».") % {"axe": row["Axe"]},
                    OBJECTIFS,
                    row["_row"],
                    "Axe",
                )
            )
    for row in parsed.axes + parsed.objectifs:
        if row["Numéro"] is not None and row["Numéro"] < 1:
            sheet = AXES if row in parsed.axes else OBJECTIFS
            issues.append(ImportIssue(_("le numéro doit être supérieur ou égal à 1."), sheet, row["_row"], "Numéro"))

    for row in parsed.actions:
        where = (ACTIONS, row["_row"])
        if row["Axe"] is not None and row["Axe"] not in axes:
            issues.append(
                ImportIssue(_("l'axe %(axe)s n'est pas dans la feuille « Axes ».") % {"axe": row["Axe"]}, *where, "Axe")
            )
        if row["Objectif"] is not None and row["Axe"] is not None and (row["Axe"], row["Objectif"]) not in objectifs:
            issues.append(
                ImportIssue(
                    _("l'objectif %(objectif)s de l'axe %(axe)s n'est pas dans la feuille « Objectifs ».")
                    % {"objectif": row["Objectif"], "axe": row["Axe"]},
                    *where,
                    "Objectif",
                )
            )
        start, end = row["Date de début"], row["Date de fin"]
        if start and end and end < start:
            issues.append(
                ImportIssue(_("la date de fin doit être postérieure à la date de début."), *where, "Date de fin")
            )
        for header in ("Date de début", "Date de fin"):
            if row[header] and years and row[header].year not in years:
                issues.append(
                    ImportIssue(
                        _("la date doit être comprise dans les années du pacte (%(years)s), pas en %(year)s.")
                        % {"years": _years_text(years), "year": row[header].year},
                        *where,
                        header,
                    )
                )
        progress = row["Avancement (%)"]
        if progress is not None and not 0 <= progress <= 100:
            issues.append(ImportIssue(_("l'avancement est un pourcentage, entre 0 et 100."), *where, "Avancement (%)"))

    for name, rows in ((PARTNERS, parsed.partners), (INDICATORS, parsed.indicators), (MILESTONES, parsed.milestones)):
        for row in rows:
            if row["Action"] is not None and row["Action"] not in actions:
                issues.append(
                    ImportIssue(
                        _("l'action %(number)s n'est pas dans la feuille « Actions ».") % {"number": row["Action"]},
                        name,
                        row["_row"],
                        "Action",
                    )
                )
    for row in parsed.partners:
        if row["Montant (€)"] is not None and row["Rôle"] and row["Rôle"] != PartnerRole.FUNDER:
            issues.append(ImportIssue(_("seul un financeur apporte un montant."), PARTNERS, row["_row"], "Montant (€)"))

    # Referents: every e-mail must be a user's address (case-insensitive).
    wanted = {email for row in parsed.axes for email in row["Référents thématiques"] or ()}
    wanted |= {email for row in parsed.actions for email in row["Référents"] or ()}
    users = {}
    if wanted:
        for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
            if user.email.lower() in wanted:
                users[user.email.lower()] = user
    parsed.users = users
    for name, rows, header in ((AXES, parsed.axes, "Référents thématiques"), (ACTIONS, parsed.actions, "Référents")):
        for row in rows:
            for email in row[header] or ():
                if email not in users:
                    issues.append(
                        ImportIssue(
                            _("aucun utilisateur actif n'a l'adresse « %(email)s » : créez son compte d'abord.")
                            % {"email": email},
                            name,
                            row["_row"],
                            header,
                        )
                    )


def read_bytes(data):
    """`read_workbook` on bytes (the stored upload of a preview)."""
    upload = io.BytesIO(data)
    upload.size = len(data)
    return read_workbook(upload)
