"""The open decisions of the COPILs as XLSX or CSV, with the sheet tools of `actions.exports`."""

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from actions.exports import BOOLEAN, DATE, Column, Sheet, csv_response, xlsx_response
from pilotage.models import Decision


def open_decisions_sheet(today=None):
    today = today or timezone.localdate()
    decisions = (
        Decision.objects.open()
        .with_late(today)
        .select_related("copil__pacte", "action", "owner")
        .order_by("copil__pacte__first_year", "due_date", "copil__date", "pk")
    )
    return Sheet(
        _("Décisions ouvertes"),
        [
            Column(_("Pacte"), lambda d: d.copil.pacte.title, width=30),
            Column(_("Date du COPIL"), lambda d: d.copil.date, DATE, 13),
            Column(_("Décision"), lambda d: d.text, width=60),
            Column(_("N° action"), lambda d: d.action.number if d.action_id else None, width=10),
            Column(_("Action liée"), lambda d: d.action.title if d.action_id else None, width=40),
            Column(_("Responsable"), lambda d: str(d.owner) if d.owner_id else None, width=24),
            Column(_("Échéance"), lambda d: d.due_date, DATE, 13),
            Column(_("Statut"), lambda d: capfirst(d.get_status_display()), width=12),
            Column(_("En retard"), lambda d: d.is_late, BOOLEAN, 10),
            Column(_("Suivi"), lambda d: d.follow_up, width=50),
        ],
        decisions,
    )


@require_GET
def export_open_decisions(request, fmt):
    sheet = open_decisions_sheet()
    if fmt == "csv":
        return csv_response(sheet, "decisions-ouvertes")
    return xlsx_response([sheet], "decisions-ouvertes")
