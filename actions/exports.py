"""Lists as spreadsheets: XLSX (openpyxl) with French headers, typed cells, widths and one sheet per kind, and
CSV for the same columns (semicolon-separated, UTF-8 with BOM, French dates and decimals: what a French
spreadsheet opens as it is). Every cell is written through `pti.spreadsheet`, which keeps text that looks like a
formula as text.

A sheet is a title, columns and rows; a column is a header, a width, a type and a function of the row. The
action list and the indicators are here; other apps describe their own sheets with the same `Column` and call
`xlsx_response` / `csv_response` (pilotage/exports.py for the decisions).
"""

import copy
import datetime
import io
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from actions.enums import ActionStatus, PartnerKind, PartnerRole, Priority, YearReportState
from actions.importer import (
    ACTIONS,
    AXES,
    INDICATORS,
    MILESTONES,
    OBJECTIFS,
    PACTE,
    PARTNERS,
    SHEETS,
    TARGET_PREFIX,
    target_header,
)
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Milestone
from axes.enums import PacteStatus
from axes.models import Axe, Objectif
from pti import palette, prefetch, spreadsheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, INTEGER, DECIMAL, DATE, BOOLEAN = "text", "integer", "decimal", "date", "boolean"
NUMBER_FORMATS = {TEXT: "@", INTEGER: "0", DECIMAL: "#,##0.00", DATE: "DD/MM/YYYY", BOOLEAN: "General"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="00567A")
# Exports are written row by row and leave as they are written: a workbook FILE_CHUNK bytes at a time, a CSV
# CSV_CHUNK characters at a time.
CHUNK_SIZE = 500
CSV_CHUNK = 64 * 1024
FILE_CHUNK = 256 * 1024


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    kind: str = TEXT
    width: int = 16
    # The row's colour for this cell (a pti.palette Tone), as on the pages' badges.
    tone: Callable[[Any], Any] | None = None


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Any]
    notes: list[str] = field(default_factory=list)
    header: bool = True


def yes_no(value):
    if value is None:
        return None
    return _("Oui") if value else _("Non")


def _cell_value(column, row):
    value = column.value(row)
    if value in (None, ""):
        return None
    if column.kind == BOOLEAN:
        return yes_no(value)
    if column.kind == DECIMAL:
        return Decimal(value)
    if column.kind == INTEGER:
        return int(value)
    if column.kind == DATE and isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if column.kind == TEXT:
        return str(value)
    return value


WRAP = Alignment(wrap_text=True, vertical="top")


class _Styles:
    """One font and fill per tone, shared by every cell of that tone (the write-only sheet keeps no cell)."""

    def __init__(self):
        self._tones = {}
        self._styles = {}

    def of(self, worksheet, column, tone):
        """The style of a cell of `column` (its number format, wrapping, tone), made once and copied to each cell
        (openpyxl registers a style on every assignment: once per column and tone is enough)."""
        key = (id(column), tone.hex if tone is not None else None)
        if key not in self._styles:
            cell = WriteOnlyCell(worksheet)
            cell.number_format = NUMBER_FORMATS[column.kind]
            if tone is not None:
                cell.fill, cell.font = self.tone(tone)
            if column.kind == TEXT and column.width >= 40:
                cell.alignment = WRAP
            self._styles[key] = cell._style
        return self._styles[key]

    def tone(self, tone):
        if tone.hex not in self._tones:
            self._tones[tone.hex] = (
                PatternFill("solid", fgColor=tone.hex),
                Font(color=tone.text.lstrip("#").upper()),
            )
        return self._tones[tone.hex]


def _write_sheet(streamed, sheet):
    """Write `sheet` into `streamed` (a `pti.spreadsheet.StreamedWorkbook`), yielding its bytes every FILE_CHUNK:
    each row leaves as it comes, so that memory stays flat and the download starts at once however long the list."""
    worksheet = streamed.add_sheet(sheet.title[:31])
    for index, column in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    if sheet.header:
        worksheet.freeze_panes = "A2"
    streamed.begin(worksheet)
    yield streamed.take()  # the archive's first bytes: the browser shows the download before the rows are read
    header = []
    for column in sheet.columns:
        cell = spreadsheet.write_only_cell(worksheet, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        header.append(cell)
    if sheet.header:
        worksheet.append(header)
    styles = _Styles()
    row_number = 1
    for row in sheet.rows:
        row_number += 1
        cells = []
        for column in sheet.columns:
            value = _cell_value(column, row)
            tone = column.tone(row) if column.tone else None
            if value is None and tone is None:
                cells.append(None)  # an empty cell is not written at all
                continue
            cell = spreadsheet.write_only_cell(worksheet, value)
            cell._style = copy.copy(styles.of(worksheet, column, tone))
            cells.append(cell)
        worksheet.append(cells)
        if streamed.pending >= FILE_CHUNK:
            yield streamed.take()
    if sheet.columns and sheet.header:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(row_number, 1)}"
    streamed.end(worksheet)


def xlsx_chunks(sheets):
    """The workbook of `sheets`, sent while it is written (`pti.spreadsheet.StreamedWorkbook`): its first bytes
    at once, then about FILE_CHUNK bytes at a time as the rows are read, the styles and the workbook's parts last."""
    streamed = spreadsheet.StreamedWorkbook()
    for sheet in sheets:
        yield from filter(None, _write_sheet(streamed, sheet))
        if sheet.notes:
            notice = Sheet(_("Notice"), [Column("", lambda line: line, width=120)], sheet.notes, header=False)
            yield from filter(None, _write_sheet(streamed, notice))
    yield streamed.finish()


def xlsx_bytes(sheets):
    return b"".join(xlsx_chunks(sheets))


def dated_filename(stem, extension):
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def xlsx_response(sheets, stem):
    """The workbook, streamed while it is written: memory stays flat however long the lists."""
    response = StreamingHttpResponse(xlsx_chunks(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem, "xlsx")}"'
    return response


def _csv_text(column, row):
    value = _cell_value(column, row)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def csv_chunks(sheet):
    """The CSV of `sheet` as UTF-8 chunks: the byte-order mark and the headers first, before any row is read,
    then about CSV_CHUNK characters at a time."""
    buffer = io.StringIO()
    writer = spreadsheet.csv_writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([column.header for column in sheet.columns])
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in sheet.rows:
        writer.writerow([_csv_text(column, row) for column in sheet.columns])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def csv_response(sheet, stem):
    """The CSV, streamed as its rows are read (StreamingHttpResponse): the first byte leaves at once."""
    response = StreamingHttpResponse(csv_chunks(sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem, "csv")}"'
    return response


# --- the action list ----------------------------------------------------------------------------------------


def labels(choices, cap=True):
    """{value: label} of `choices`, translated once per export (get_FOO_display translates on every row)."""
    return {value: capfirst(str(label)) if cap else str(label) for value, label in choices}


def actions_sheet(actions, today=None):
    today = today or timezone.localdate()
    statuses, priorities = labels(ActionStatus.choices), labels(Priority.choices)
    roles, reports = labels(PartnerRole.choices, cap=False), labels(YearReportState.choices)

    def report_label(action):
        state = getattr(action, "report_state", None)
        return reports.get(state, state) if state else None

    return Sheet(
        _("Actions"),
        [
            Column(_("Pacte"), lambda a: a.pacte.title, width=30),
            Column(_("N° action"), lambda a: a.number, width=10),
            Column(_("Intitulé"), lambda a: a.title, width=50),
            Column(_("N° axe"), lambda a: a.axe.number, INTEGER, 8),
            Column(_("Axe"), lambda a: a.axe.title, width=40),
            Column(_("Objectif"), lambda a: a.objectif.code if a.objectif_id else None, width=10),
            Column(
                _("Statut"),
                lambda a: statuses.get(a.status, a.status),
                width=14,
                tone=lambda a: palette.STATUS.get(a.status),
            ),
            Column(_("Priorité"), lambda a: priorities.get(a.priority, a.priority), width=10),
            Column(_("Avancement (%)"), lambda a: a.progress, INTEGER, 12),
            Column(_("Date de début"), lambda a: a.start_date, DATE, 13),
            Column(_("Date de fin"), lambda a: a.end_date, DATE, 13),
            Column(_("En retard"), lambda a: a.is_late, BOOLEAN, 10),
            Column(_("Référents"), lambda a: ", ".join(str(r) for r in a.referents.all()), width=40),
            Column(
                _("Partenaires"),
                lambda a: "; ".join(
                    f"{pr.partner.name} ({roles.get(pr.role, pr.role)})" for pr in a.partner_roles.all()
                ),
                width=60,
            ),
            Column(_("Année du compte rendu"), lambda a: getattr(a, "report_year", None), INTEGER, 12),
            Column(
                _("Compte rendu"),
                report_label,
                width=14,
            ),
        ],
        actions,
    )


def export_actions_queryset(queryset):
    return queryset.select_related("pacte", "axe", "objectif__axe")


# What the action sheet reads of each action's related rows, a chunk of actions at a time (pti.prefetch.fill).
EXPORT_LOOKUPS = [("referents", None), ("partner_roles", ActionPartner.objects.select_related("partner"))]


# --- indicators with their yearly values ---------------------------------------------------------------------


def indicator_rows(actions):
    """One row per indicator and year of its pacte: target and value, even where none was entered (read
    CHUNK_SIZE indicators at a time)."""
    indicators = (
        Indicator.objects.filter(action__in=actions)
        .select_related("action__pacte")
        .order_by("action__pacte_id", "action__sort_key", "position", "pk")
    )
    lookups = [("values", IndicatorValue.objects.order_by("year"))]
    for indicator in itertools.chain.from_iterable(prefetch.in_chunks(indicators, lookups, CHUNK_SIZE)):
        by_year = {iv.year: iv for iv in indicator.values.all()}
        for year in indicator.action.pacte.years:
            yield indicator, by_year.get(year) or IndicatorValue(indicator=indicator, year=year)


def indicators_sheet(actions):
    return Sheet(
        _("Indicateurs"),
        [
            Column(_("Pacte"), lambda r: r[0].action.pacte.title, width=30),
            Column(_("N° action"), lambda r: r[0].action.number, width=10),
            Column(_("Action"), lambda r: r[0].action.title, width=40),
            Column(_("Indicateur"), lambda r: r[0].label, width=45),
            Column(_("Unité"), lambda r: r[0].unit, width=12),
            Column(_("Valeur de référence"), lambda r: r[0].baseline, DECIMAL, 12),
            Column(_("Plus c'est haut, mieux c'est"), lambda r: r[0].higher_is_better, BOOLEAN, 12),
            Column(_("Année"), lambda r: r[1].year, INTEGER, 8),
            Column(_("Cible"), lambda r: r[1].target, DECIMAL, 12),
            Column(_("Valeur"), lambda r: r[1].value, DECIMAL, 12),
            Column(_("Écart"), lambda r: r[1].gap, DECIMAL, 12),
            Column(
                _("Cible atteinte"),
                lambda r: r[1].on_target,
                BOOLEAN,
                10,
                tone=lambda r: palette.INDICATOR.get(getattr(r[1], "state", None)),
            ),
        ],
        indicator_rows(actions),
    )


# --- a whole pacte, in the import's layout ---------------------------------------------------------------------


def _emails_of(users):
    return ", ".join(sorted(user.email.lower() for user in users if user.email)) or None


def _choice_label(enum, value):
    return capfirst(str(enum(value).label)) if value else None


def pacte_sheets(pacte):
    """The sheets of `actions.importer.SHEETS`, filled with `pacte` (or empty, for the template, if None)."""
    kinds = {"int": INTEGER, "decimal": DECIMAL, "date": DATE, "bool": BOOLEAN}

    def columns(name, getters, extra=()):
        cols = []
        for col, getter in zip(SHEETS[name], getters, strict=True):
            kind = kinds.get(col.kind, TEXT) if isinstance(col.kind, str) else TEXT
            width = 50 if col.kind == "text" else (30 if col.kind in ("line", "emails") else 14)
            cols.append(Column(col.header, getter, kind, width))
        return cols + list(extra)

    if pacte is None:
        rows = {name: [] for name in SHEETS}
        years = []
    else:
        years = pacte.years
        axes = list(Axe.objects.filter(pacte=pacte).prefetch_related("thematic_referents").order_by("number"))
        objectifs = list(
            Objectif.objects.filter(axe__pacte=pacte).select_related("axe").order_by("axe__number", "number")
        )
        actions = list(
            Action.objects.filter(pacte=pacte)
            .select_related("axe", "objectif")
            .prefetch_related(
                "referents",
                Prefetch(
                    "partner_roles",
                    queryset=ActionPartner.objects.select_related("partner").order_by("partner__name", "role"),
                ),
            )
            .order_by("sort_key")
        )
        indicators = list(
            Indicator.objects.filter(action__pacte=pacte)
            .select_related("action")
            .prefetch_related("values")
            .order_by("action__sort_key", "position", "pk")
        )
        milestones = list(
            Milestone.objects.filter(action__pacte=pacte)
            .select_related("action")
            .order_by("action__sort_key", "planned_date", "position", "pk")
        )
        rows = {
            PACTE: [pacte],
            AXES: axes,
            OBJECTIFS: objectifs,
            ACTIONS: actions,
            PARTNERS: [role for action in actions for role in action.partner_roles.all()],
            INDICATORS: indicators,
            MILESTONES: milestones,
        }
    today = timezone.localdate()
    targets = [
        Column(
            target_header(year),
            lambda i, y=year: next((iv.target for iv in i.values.all() if iv.year == y), None),
            DECIMAL,
            12,
        )
        for year in years
    ]
    return [
        Sheet(
            PACTE,
            columns(
                PACTE,
                [
                    lambda p: p.slug,
                    lambda p: p.title,
                    lambda p: p.territory,
                    lambda p: p.first_year,
                    lambda p: p.last_year,
                    lambda p: p.signature_date,
                    lambda p: _choice_label(PacteStatus, p.status),
                    lambda p: p.description,
                ],
            ),
            rows[PACTE],
        ),
        Sheet(
            AXES,
            columns(
                AXES,
                [
                    lambda a: a.number,
                    lambda a: a.title,
                    lambda a: a.description,
                    lambda a: _emails_of(a.thematic_referents.all()),
                ],
            ),
            rows[AXES],
        ),
        Sheet(
            OBJECTIFS,
            columns(OBJECTIFS, [lambda o: o.axe.number, lambda o: o.number, lambda o: o.text]),
            rows[OBJECTIFS],
        ),
        Sheet(
            ACTIONS,
            columns(
                ACTIONS,
                [
                    lambda a: a.number,
                    lambda a: a.axe.number,
                    lambda a: a.objectif.number if a.objectif_id else None,
                    lambda a: a.title,
                    lambda a: a.description,
                    lambda a: a.target_public,
                    lambda a: a.start_date,
                    lambda a: a.end_date,
                    lambda a: _choice_label(Priority, a.priority),
                    lambda a: _choice_label(ActionStatus, a.status),
                    lambda a: a.progress,
                    lambda a: _emails_of(a.referents.all()),
                ],
            ),
            rows[ACTIONS],
        ),
        Sheet(
            PARTNERS,
            columns(
                PARTNERS,
                [
                    lambda r: r.action.number,
                    lambda r: r.partner.name,
                    lambda r: _choice_label(PartnerKind, r.partner.kind),
                    lambda r: _choice_label(PartnerRole, r.role),
                    lambda r: r.amount,
                ],
            ),
            rows[PARTNERS],
        ),
        Sheet(
            INDICATORS,
            columns(
                INDICATORS,
                [
                    lambda i: i.action.number,
                    lambda i: i.label,
                    lambda i: i.unit,
                    lambda i: i.baseline,
                    lambda i: i.higher_is_better,
                    lambda i: i.position,
                ],
                targets,
            ),
            rows[INDICATORS],
        ),
        Sheet(
            MILESTONES,
            columns(
                MILESTONES,
                [
                    lambda m: m.action.number,
                    lambda m: m.title,
                    lambda m: m.planned_date,
                    lambda m: m.done_date,
                    lambda m: m.note,
                ],
                # For readers; the import ignores it (actions.importer.layout.READ_ONLY_COLUMNS).
                [Column(_("En retard"), lambda m: yes_no(m.is_late(today)), TEXT, 10)],
            ),
            rows[MILESTONES],
        ),
    ]


def template_notes():
    lines = [
        _("Modèle d'import d'un pacte territorial d'insertion."),
        _(
            "Remplissez les feuilles Pacte (une seule ligne), Axes, Objectifs, Actions, Partenaires, Indicateurs et "
            "Étapes,"
        ),
        _("sans changer les en-têtes. Aucune formule : saisissez les valeurs. Les dates au format JJ/MM/AAAA."),
        _("Les référents sont désignés par leur adresse e-mail : leur compte doit exister dans l'application."),
        _("Cibles des indicateurs : une colonne « %(prefix)sAAAA » par année du pacte, par exemple « %(prefix)s2026 ».")
        % {"prefix": TARGET_PREFIX},
        _("Réimporter le même fichier ne change rien ; un pacte existant (même identifiant) est mis à jour."),
        "",
    ]
    for name, cols in SHEETS.items():
        lines.append(_("Feuille « %(sheet)s »") % {"sheet": name})
        for col in cols:
            mandatory = _("obligatoire") if col.required else _("facultatif")
            lines.append(f"  • {col.header} ({mandatory}){' : ' + col.help if col.help else ''}")
        lines.append("")
    return lines


def pacte_workbook_bytes(pacte):
    sheets = pacte_sheets(pacte)
    if pacte is None:
        sheets[-1].notes = template_notes()
    return xlsx_bytes(sheets)
