"""Import of a whole pacte from an XLSX workbook: the pacte, its axes, objectives, actions, referents (by e-mail),
partners and their roles, indicators and their yearly targets.

`read_workbook(file)` checks the file (size, a real XLSX, no formula), reads every sheet with openpyxl and
collects *all* the errors, each located by sheet, row and column, in French. `plan_import(parsed)` compares the
rows with the database by natural keys (pacte slug, axe number, objective number, action number, partner
name, referent e-mail, indicator label within its action, year) and says what would be created, updated or left
unchanged. `apply_import(plan)` writes it in one transaction. Nothing is written unless the whole file is valid,
and importing the same file twice changes nothing the second time.

The layout (`SHEETS`) is shared with the export of a whole pacte (`actions.exports.pacte_workbook`), so an
exported pacte imports back as it is.
"""

import datetime
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_slug
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from actions.enums import ActionStatus, PartnerKind, PartnerRole, Priority
from actions.models import ACTION_NUMBER_RE, Action, ActionPartner, Indicator, IndicatorValue, Partner
from axes.enums import PacteStatus
from axes.models import Axe, Objectif, Pacte

# The largest workbook accepted, before it is even opened; and the largest it may unpack to (zip bombs).
MAX_SIZE = getattr(settings, "PTI_IMPORT_MAX_SIZE", settings.PTI_MAX_UPLOAD_SIZE)
MAX_UNCOMPRESSED = 20 * MAX_SIZE
MAX_ROWS = 20_000

PACTE, AXES, OBJECTIFS, ACTIONS, PARTNERS, INDICATORS = (
    "Pacte",
    "Axes",
    "Objectifs",
    "Actions",
    "Partenaires",
    "Indicateurs",
)
TARGET_PREFIX = "Cible "
EMAIL_SPLIT = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"  # text, line, int, decimal, date, bool, emails, or a TextChoices class
    required: bool = False
    max_length: int | None = None
    help: str = ""


SHEETS = {
    PACTE: [
        Col("Identifiant", "slug", True, 60, "Court, sans espace ni accent, par exemple pti-2026-2030."),
        Col("Intitulé", "line", True, 200),
        Col("Territoire", "line", True, 120),
        Col("Première année", "int", True),
        Col("Dernière année", "int", True),
        Col("Date de signature", "date"),
        Col("Statut", PacteStatus, help="En préparation, en cours ou clos."),
        Col("Présentation", "text"),
    ],
    AXES: [
        Col("Numéro", "int", True),
        Col("Intitulé", "line", True, 300),
        Col("Description", "text"),
        Col("Référents thématiques", "emails", help="Adresses e-mail séparées par des virgules."),
    ],
    OBJECTIFS: [
        Col("Axe", "int", True, help="Numéro de l'axe."),
        Col("Numéro", "int", True, help="Numéro de l'objectif dans son axe."),
        Col("Intitulé", "line", True, 500),
    ],
    ACTIONS: [
        Col("Numéro", "number", True, 16, "Par exemple 2.3 ; unique dans le pacte."),
        Col("Axe", "int", True, help="Numéro de l'axe."),
        Col("Objectif", "int", help="Numéro de l'objectif dans l'axe, facultatif."),
        Col("Intitulé", "line", True, 300),
        Col("Description", "text", max_length=10_000),
        Col("Public visé", "text", max_length=10_000),
        Col("Date de début", "date"),
        Col("Date de fin", "date"),
        Col("Priorité", Priority, help="Haute, normale ou basse."),
        Col("Statut", ActionStatus, help="À lancer, en cours, réalisée, reportée ou abandonnée."),
        Col("Avancement (%)", "int"),
        Col("Référents", "emails", help="Adresses e-mail séparées par des virgules."),
    ],
    PARTNERS: [
        Col("Action", "number", True, 16, "Numéro de l'action."),
        Col("Partenaire", "line", True, 200, "Nom du partenaire : créé s'il n'existe pas encore."),
        Col("Type", PartnerKind, help="Type du partenaire, utilisé s'il est créé."),
        Col("Rôle", PartnerRole, True, help="Pilote, copilote, financeur ou partenaire opérationnel."),
        Col("Montant (€)", "decimal", help="Pour un financeur seulement."),
    ],
    INDICATORS: [
        Col("Action", "number", True, 16, "Numéro de l'action."),
        Col("Indicateur", "line", True, 300, "Libellé, unique dans l'action."),
        Col("Unité", "line", max_length=40),
        Col("Valeur de référence", "decimal"),
        Col("Plus c'est haut, mieux c'est", "bool", help="Oui ou Non (Oui si vide)."),
        Col("Ordre", "int"),
    ],
}
REQUIRED_ROWS = {PACTE, AXES, ACTIONS}


def target_header(year):
    return f"{TARGET_PREFIX}{year}"


# --- errors ---------------------------------------------------------------------------------------------------


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


# --- reading the file -----------------------------------------------------------------------------------------


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


# --- typed cells ------------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _int(value):
    if isinstance(value, bool):
        raise CellError(_("un nombre entier est attendu."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise CellError(_("un nombre entier est attendu, pas « %(value)s ».") % {"value": value})


def _decimal(value):
    if isinstance(value, bool):
        raise CellError(_("un nombre est attendu."))
    try:
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
            number = Decimal(value.removesuffix("€"))
        else:
            number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise CellError(_("un nombre est attendu, pas « %(value)s ».") % {"value": value}) from error
    if not number.is_finite():
        raise CellError(_("un nombre est attendu."))
    if number < 0:
        raise CellError(_("le nombre doit être positif ou nul."))
    number = number.quantize(Decimal("0.01"))
    if number >= Decimal("1e12"):
        raise CellError(_("le nombre est trop grand."))
    return number


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise CellError(_("une date est attendue (JJ/MM/AAAA), pas « %(value)s ».") % {"value": value})


def _bool(value):
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in {"oui", "o", "vrai", "1", "true", "x"}:
        return True
    if text in {"non", "n", "faux", "0", "false"}:
        return False
    raise CellError(_("« Oui » ou « Non » est attendu, pas « %(value)s ».") % {"value": value})


def _choice(choices, value):
    text = _text(value).strip().lower()
    for code, label in choices.choices:
        if text in {code.lower(), str(label).lower()}:
            return code
    labels = ", ".join(capfirst(str(label)) for label in choices.labels)
    raise CellError(
        _("valeur « %(value)s » inconnue ; valeurs possibles : %(labels)s.") % {"value": value, "labels": labels}
    )


def _emails(value):
    addresses = [part for part in EMAIL_SPLIT.split(_text(value)) if part]
    validator = EmailValidator()
    for address in addresses:
        try:
            validator(address)
        except ValidationError as error:
            raise CellError(_("« %(value)s » n'est pas une adresse e-mail.") % {"value": address}) from error
    return list(dict.fromkeys(address.lower() for address in addresses))


def _number(value):
    text = _text(value).strip()
    if not re.match(ACTION_NUMBER_RE, text):
        raise CellError(
            _("le numéro doit être de la forme 2.3 (chiffres et points), pas « %(value)s ».") % {"value": text}
        )
    return text


def _slug(value):
    text = _text(value).strip()
    try:
        validate_slug(text)
    except ValidationError as error:
        raise CellError(_("lettres, chiffres, tirets ou soulignés seulement, sans espace ni accent.")) from error
    return text


CONVERTERS = {
    "int": _int,
    "decimal": _decimal,
    "date": _date,
    "bool": _bool,
    "emails": _emails,
    "number": _number,
    "slug": _slug,
    "line": lambda value: _text(value).strip(),
    "text": _text,
}


def _convert_row(name, number, values, issues, extra_columns=()):
    """{header: typed value} for the sheet's columns; None where a cell is empty or wrong (the error is noted)."""
    row = {"_row": number}
    ok = True
    for col in SHEETS[name]:
        value = values.get(col.header)
        if value is None:
            if col.required:
                issues.append(ImportIssue(_("cette cellule est obligatoire."), name, number, col.header))
                ok = False
            row[col.header] = None
            continue
        converter = CONVERTERS.get(col.kind) if isinstance(col.kind, str) else (lambda v, c=col.kind: _choice(c, v))
        try:
            typed = converter(value)
        except CellError as error:
            issues.append(ImportIssue(str(error), name, number, col.header))
            row[col.header] = None
            ok = False
            continue
        if col.max_length and isinstance(typed, str) and len(typed) > col.max_length:
            issues.append(
                ImportIssue(
                    _("%(length)s caractères : %(max)s au plus.") % {"length": len(typed), "max": col.max_length},
                    name,
                    number,
                    col.header,
                )
            )
            ok = False
        if col.required and typed == "":
            issues.append(ImportIssue(_("cette cellule est obligatoire."), name, number, col.header))
            ok = False
        row[col.header] = typed
    for header in extra_columns:
        value = values.get(header)
        if value is None:
            row[header] = None
            continue
        try:
            row[header] = _decimal(value)
        except CellError as error:
            issues.append(ImportIssue(str(error), name, number, header))
            row[header] = None
            ok = False
    row["_ok"] = ok
    return row


# --- the parsed workbook ---------------------------------------------------------------------------------------


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
            parsed.pacte = _convert_row(PACTE, *data[0], issues)
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
        target.extend(_convert_row(name, number, values, issues, extra) for number, values in data)

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


# --- the plan: what would change -------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, DELETED = "created", "updated", "unchanged", "deleted"
KIND_LABELS = {
    "pacte": "Pacte",
    "axe": "Axes",
    "objectif": "Objectifs",
    "action": "Actions",
    "partner": "Partenaires (nouveaux)",
    "action_partner": "Rôles des partenaires",
    "indicator": "Indicateurs",
    "target": "Cibles annuelles",
}
STATUS_LABELS = {CREATED: "créés", UPDATED: "modifiés", UNCHANGED: "inchangés", DELETED: "supprimés"}


@dataclass
class Change:
    kind: str
    label: str
    status: str
    fields: dict = field(default_factory=dict)  # the values to write
    changed: list = field(default_factory=list)  # verbose names of the fields that differ
    instance: object = None
    key: tuple = ()

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass
class Plan:
    parsed: Parsed
    changes: list = field(default_factory=list)

    def summary(self):
        """[(kind label, {status: count})] in the order of the workbook."""
        counts = defaultdict(lambda: defaultdict(int))
        for change in self.changes:
            counts[change.kind][change.status] += 1
        return [
            (
                KIND_LABELS[kind],
                [
                    (STATUS_LABELS[s], counts[kind][s])
                    for s in (CREATED, UPDATED, DELETED, UNCHANGED)
                    if counts[kind][s]
                ],
            )
            for kind in KIND_LABELS
            if kind in counts
        ]

    @property
    def touched(self):
        return [change for change in self.changes if change.status != UNCHANGED]

    @property
    def is_noop(self):
        return not self.touched


def _diff(model, instance, values):
    if instance is None:
        return CREATED, []
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            changed.append(str(model._meta.get_field(name.removesuffix("_id")).verbose_name))
    return (UPDATED if changed else UNCHANGED), changed


def _change(plan, kind, label, model, instance, values, key=(), extra_changed=()):
    status, changed = _diff(model, instance, values)
    if extra_changed and status == UNCHANGED:
        status = UPDATED
    changed += list(extra_changed)
    change = Change(kind, label, status, values, changed, instance, key)
    plan.changes.append(change)
    return change


def plan_import(parsed):
    """Compare a valid workbook with the database: one `Change` per row of every sheet."""
    assert parsed.is_valid
    plan = Plan(parsed)
    users = parsed.users
    p = parsed.pacte
    pacte = Pacte.objects.filter(slug=p["Identifiant"]).first()
    pacte_values = {
        "title": p["Intitulé"],
        "territory": p["Territoire"],
        "first_year": p["Première année"],
        "last_year": p["Dernière année"],
        "signature_date": p["Date de signature"],
        "status": p["Statut"] or (pacte.status if pacte else PacteStatus.DRAFT),
        "description": p["Présentation"] or "",
    }
    _change(plan, "pacte", p["Identifiant"], Pacte, pacte, pacte_values, key=(p["Identifiant"],))

    existing_axes = (
        {axe.number: axe for axe in Axe.objects.filter(pacte=pacte).prefetch_related("thematic_referents")}
        if pacte
        else {}
    )
    for row in parsed.axes:
        axe = existing_axes.get(row["Numéro"])
        emails = row["Référents thématiques"] or []
        referents = [users[email] for email in emails]
        extra = []
        if axe is not None and {u.pk for u in axe.thematic_referents.all()} != {u.pk for u in referents}:
            extra = [str(Axe._meta.get_field("thematic_referents").verbose_name)]
        change = _change(
            plan,
            "axe",
            f"{row['Numéro']}. {row['Intitulé']}",
            Axe,
            axe,
            {"title": row["Intitulé"], "description": row["Description"] or ""},
            key=(row["Numéro"],),
            extra_changed=extra,
        )
        change.fields["_referents"] = referents

    existing_objectifs = (
        {(o.axe.number, o.number): o for o in Objectif.objects.filter(axe__pacte=pacte).select_related("axe")}
        if pacte
        else {}
    )
    for row in parsed.objectifs:
        key = (row["Axe"], row["Numéro"])
        _change(
            plan,
            "objectif",
            f"{row['Axe']}.{row['Numéro']} {row['Intitulé']}",
            Objectif,
            existing_objectifs.get(key),
            {"text": row["Intitulé"]},
            key=key,
        )

    existing_actions = (
        {
            a.number: a
            for a in Action.objects.filter(pacte=pacte)
            .select_related("axe", "objectif__axe")
            .prefetch_related("referents")
        }
        if pacte
        else {}
    )
    for row in parsed.actions:
        action = existing_actions.get(row["Numéro"])
        referents = [users[email] for email in row["Référents"] or []]
        values = {
            "title": row["Intitulé"],
            "description": row["Description"] or "",
            "target_public": row["Public visé"] or "",
            "start_date": row["Date de début"],
            "end_date": row["Date de fin"],
            "priority": row["Priorité"] or (action.priority if action else Priority.NORMAL),
            "status": row["Statut"] or (action.status if action else ActionStatus.TO_LAUNCH),
            "progress": row["Avancement (%)"]
            if row["Avancement (%)"] is not None
            else (action.progress if action else 0),
        }
        extra = []
        if action is not None:
            if action.axe.number != row["Axe"]:
                extra.append(str(Action._meta.get_field("axe").verbose_name))
            current_objectif = (action.objectif.axe.number, action.objectif.number) if action.objectif_id else None
            wanted_objectif = (row["Axe"], row["Objectif"]) if row["Objectif"] is not None else None
            if current_objectif != wanted_objectif:
                extra.append(str(Action._meta.get_field("objectif").verbose_name))
            if {u.pk for u in action.referents.all()} != {u.pk for u in referents}:
                extra.append(str(Action._meta.get_field("referents").verbose_name))
        change = _change(
            plan,
            "action",
            f"{row['Numéro']} {row['Intitulé']}",
            Action,
            action,
            values,
            key=(row["Numéro"],),
            extra_changed=extra,
        )
        change.fields.update({"_axe": row["Axe"], "_objectif": row["Objectif"], "_referents": referents})

    # Names differing only by case are the same partner (compared here: SQLite lowercases ASCII only).
    partners = {partner.name.lower(): partner for partner in Partner.objects.all()} if parsed.partners else {}
    new_partners = {}
    for row in parsed.partners:
        lowered = row["Partenaire"].lower()
        if lowered not in partners and lowered not in new_partners:
            new_partners[lowered] = _change(
                plan,
                "partner",
                row["Partenaire"],
                Partner,
                None,
                {"name": row["Partenaire"], "kind": row["Type"] or PartnerKind.OTHER},
                key=(lowered,),
            )

    existing_roles = {}
    if pacte:
        for role in ActionPartner.objects.filter(action__pacte=pacte).select_related("action", "partner"):
            existing_roles[(role.action.number, role.partner.name.lower(), role.role)] = role
    in_file = set()
    for row in parsed.partners:
        key = (row["Action"], row["Partenaire"].lower(), row["Rôle"])
        in_file.add(key)
        label = f"{row['Action']} – {row['Partenaire']} ({PartnerRole(row['Rôle']).label})"
        _change(
            plan,
            "action_partner",
            label,
            ActionPartner,
            existing_roles.get(key),
            {"amount": row["Montant (€)"]},
            key=key,
        )
    file_actions = {row["Numéro"] for row in parsed.actions}
    for key, role in existing_roles.items():
        if key not in in_file and key[0] in file_actions:
            plan.changes.append(
                Change(
                    "action_partner",
                    f"{key[0]} – {role.partner.name} ({role.get_role_display()})",
                    DELETED,
                    instance=role,
                    key=key,
                )
            )

    existing_indicators = {}
    if pacte:
        for indicator in (
            Indicator.objects.filter(action__pacte=pacte).select_related("action").prefetch_related("values")
        ):
            existing_indicators.setdefault((indicator.action.number, indicator.label), indicator)
    for index, row in enumerate(parsed.indicators):
        key = (row["Action"], row["Indicateur"])
        indicator = existing_indicators.get(key)
        values = {
            "unit": row["Unité"] or "",
            "baseline": row["Valeur de référence"],
            "higher_is_better": True
            if row["Plus c'est haut, mieux c'est"] is None
            else row["Plus c'est haut, mieux c'est"],
            "position": row["Ordre"] if row["Ordre"] is not None else index,
        }
        _change(plan, "indicator", f"{row['Action']} – {row['Indicateur']}", Indicator, indicator, values, key=key)
        current = {iv.year: iv for iv in indicator.values.all()} if indicator else {}
        for year in parsed.target_years:
            target = row[target_header(year)]
            iv = current.get(year)
            if iv is None and target is None:
                continue
            _change(
                plan,
                "target",
                f"{row['Action']} – {row['Indicateur']} – {year}",
                IndicatorValue,
                iv,
                {"target": target},
                key=(*key, year),
            )
    return plan


# --- writing --------------------------------------------------------------------------------------------------


def _save(instance, values, created):
    for name, value in values.items():
        if not name.startswith("_"):
            setattr(instance, name, value)
    if created:
        instance.save()
    else:
        instance.save(update_fields=[name for name in values if not name.startswith("_")] or None)
    return instance


@transaction.atomic
def apply_import(plan):
    """Write the plan in one transaction; return the pacte. Unchanged rows are not written at all."""
    by_kind = defaultdict(list)
    for change in plan.changes:
        by_kind[change.kind].append(change)

    (pacte_change,) = by_kind["pacte"]
    pacte = pacte_change.instance or Pacte(slug=pacte_change.key[0])
    # A closed pacte imported as a new one (an archive) is written open, then closed once its data is in: the
    # data of a closed pacte never changes (axes.closing).
    closing_after = pacte_change.instance is None and pacte_change.fields.get("status") == PacteStatus.CLOSED
    if pacte_change.status != UNCHANGED:
        fields = {**pacte_change.fields, "status": PacteStatus.ACTIVE} if closing_after else pacte_change.fields
        _save(pacte, fields, pacte_change.instance is None)

    axes = {axe.number: axe for axe in Axe.objects.filter(pacte=pacte)}
    for change in by_kind["axe"]:
        number = change.key[0]
        axe = axes.get(number) or Axe(pacte=pacte, number=number)
        if change.status != UNCHANGED:
            created = axe.pk is None
            _save(axe, change.fields, created)
            axe.thematic_referents.set(change.fields["_referents"])
        axes[number] = axe

    objectifs = {(o.axe.number, o.number): o for o in Objectif.objects.filter(axe__pacte=pacte).select_related("axe")}
    for change in by_kind["objectif"]:
        objectif = objectifs.get(change.key) or Objectif(axe=axes[change.key[0]], number=change.key[1])
        if change.status != UNCHANGED:
            _save(objectif, change.fields, objectif.pk is None)
        objectifs[change.key] = objectif

    actions = {a.number: a for a in Action.objects.filter(pacte=pacte)}
    for change in by_kind["action"]:
        number = change.key[0]
        action = actions.get(number)
        if change.status != UNCHANGED:
            created = action is None
            action = action or Action(number=number)
            action.axe = axes[change.fields["_axe"]]
            action.objectif = (
                objectifs[(change.fields["_axe"], change.fields["_objectif"])] if change.fields["_objectif"] else None
            )
            if not created:
                action.version += 1
            for name, value in change.fields.items():
                if not name.startswith("_"):
                    setattr(action, name, value)
            action.save()
            action.referents.set(change.fields["_referents"])
        actions[number] = action

    partners = {partner.name.lower(): partner for partner in Partner.objects.all()} if by_kind["action_partner"] else {}
    for change in by_kind["partner"]:
        if change.key[0] not in partners:
            partners[change.key[0]] = Partner.objects.create(**change.fields)
    for change in by_kind["action_partner"]:
        if change.status == DELETED:
            change.instance.delete()
        elif change.status == UPDATED:
            _save(change.instance, change.fields, False)
        elif change.status == CREATED:
            number, lowered, role = change.key
            ActionPartner.objects.create(action=actions[number], partner=partners[lowered], role=role, **change.fields)

    indicators = {}
    for change in by_kind["indicator"]:
        number, label = change.key
        indicator = change.instance or Indicator(action=actions[number], label=label)
        if change.status != UNCHANGED:
            _save(indicator, change.fields, change.instance is None)
        indicators[change.key] = indicator
    for change in by_kind["target"]:
        if change.status == UNCHANGED:
            continue
        if change.instance is None:
            IndicatorValue.objects.create(indicator=indicators[change.key[:2]], year=change.key[2], **change.fields)
        else:
            _save(change.instance, change.fields, False)
    if closing_after:
        pacte.status = PacteStatus.CLOSED
        pacte.save(update_fields=["status"])
    return pacte


def read_bytes(data):
    """`read_workbook` on bytes (the stored upload of a preview)."""
    upload = io.BytesIO(data)
    upload.size = len(data)
    return read_workbook(upload)
