"""Reading a workbook: the file checked (size, a real XLSX), every sheet read, every cell typed and every
reference checked, collecting *all* the errors, each located by sheet, row and column.
"""

import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from actions.enums import PartnerRole
from actions.importer.cells import convert_row
from actions.importer.issues import ImportFileError, ImportIssue
from actions.importer.layout import (
    ACTIONS,
    AXES,
    INDICATORS,
    OBJECTIFS,
    PACTE,
    PARTNERS,
    REQUIRED_ROWS,
    SHEETS,
    TARGET_PREFIX,
)

# The largest workbook accepted, before it is even opened; and the largest it may unpack to (zip bombs).
MAX_SIZE = getattr(settings, "PTI_IMPORT_MAX_SIZE", settings.PTI_MAX_UPLOAD_SIZE)
MAX_UNCOMPRESSED = 20 * MAX_SIZE
MAX_ROWS = 20_000


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


def _is_formula(cell):
    return getattr(cell, "data_type", None) == "f" or type(cell.value).__name__ in {"ArrayFormula", "DataTableFormula"}


def _read_sheet(book, name, issues):
    """(headers, [(row number, {header: cell value})]) of a sheet, or None if it is absent or has no header."""
    if name not in book.sheetnames:
        issues.append(ImportIssue(_("La feuille « %(sheet)s » est absente du classeur.") % {"sheet": name}))
        return None
    rows = book[name].iter_rows()
    header_cells = next(rows, None)
    headers = [str(cell.value).strip() if cell.value is not None else "" for cell in header_cells or ()]
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
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            issues.append(ImportIssue(_("Trop de lignes (%(max)s au plus).") % {"max": MAX_ROWS}, name, number))
            break
        values = {}
        for index, cell in enumerate(cells[: len(headers)]):
            if _is_formula(cell):
                issues.append(
                    ImportIssue(
                        _("formule refusée : saisissez la valeur elle-même (copier, puis « coller les valeurs »)."),
                        name,
                        number,
                        headers[index] or None,
                    )
                )
                values[headers[index]] = None
                continue
            value = cell.value
            if isinstance(value, str) and not value.strip():
                value = None
            values[headers[index]] = value
        if any(value is not None for value in values.values()):
            data.append((number, values))
    return headers, data


def _check_headers(name, headers, issues, years=None):
    expected = [col.header for col in SHEETS[name]]
    known = set(expected)
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
                        _("« %(header)s » : l'année n'est pas une année du pacte.") % {"header": header}, name, 1
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
        check_file(upload)
        book = openpyxl.load_workbook(upload, read_only=True, data_only=False)
    except ImportFileError as error:
        issues.extend(error.issues)
        return parsed
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        issues.append(ImportIssue(_("Le classeur est endommagé ou illisible : ouvrez-le et enregistrez-le à nouveau.")))
        return parsed
    try:
        sheets = {name: _read_sheet(book, name, issues) for name in SHEETS}
    finally:
        book.close()

    # The pacte first: its years bound dates and targets.
    years = None
    if sheets[PACTE]:
        headers, data = sheets[PACTE]
        _check_headers(PACTE, headers, issues)
        if not data:
            issues.append(ImportIssue(_("la ligne du pacte est absente (ligne 2)."), PACTE, 2))
        elif len(data) > 1:
            issues.append(
                ImportIssue(_("une seule ligne est attendue : le classeur décrit un seul pacte."), PACTE, data[1][0])
            )
        if data:
            parsed.pacte = convert_row(PACTE, *data[0], issues)
            first, last = parsed.pacte["Première année"], parsed.pacte["Dernière année"]
            for header in ("Première année", "Dernière année"):
                value = parsed.pacte[header]
                if value is not None and not 2000 <= value <= 2100:
                    issues.append(ImportIssue(_("l'année doit être comprise entre 2000 et 2100."), PACTE, 2, header))
                    parsed.pacte["_ok"] = False
            if first and last and last < first:
                issues.append(
                    ImportIssue(
                        _("la dernière année doit être postérieure ou égale à la première."), PACTE, 2, "Dernière année"
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
    ):
        if not sheets[name]:
            continue
        headers, data = sheets[name]
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
                issues.append(ImportIssue(_("la date doit être comprise dans les années du pacte."), *where, header))
        progress = row["Avancement (%)"]
        if progress is not None and not 0 <= progress <= 100:
            issues.append(ImportIssue(_("l'avancement est un pourcentage, entre 0 et 100."), *where, "Avancement (%)"))

    for name, rows in ((PARTNERS, parsed.partners), (INDICATORS, parsed.indicators)):
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
