"""The action's milestones in the pacte's workbook: a sheet of its own, for reading (the import does not read it
back: its title says so)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from actions.exports import DATE, TEXT, Column, Sheet, yes_no
from actions.models import Milestone

MILESTONES_SHEET = "Étapes (non réimportées)"


def milestones_sheet(pacte, today=None):
    today = today or timezone.localdate()
    milestones = list(
        Milestone.objects.filter(action__pacte=pacte)
        .select_related("action")
        .order_by("action__sort_key", "planned_date", "position", "pk")
    )
    return Sheet(
        MILESTONES_SHEET,
        [
            Column(_("Action"), lambda m: m.action.number, TEXT, 10),
            Column(_("Étape"), lambda m: m.title, TEXT, 40),
            Column(_("Date prévue"), lambda m: m.planned_date, DATE, 14),
            Column(_("Date de réalisation"), lambda m: m.done_date, DATE, 14),
            Column(_("En retard"), lambda m: yes_no(m.is_late(today)), TEXT, 10),
            Column(_("Remarque"), lambda m: m.note, TEXT, 40),
        ],
        milestones,
    )
