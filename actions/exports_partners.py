"""The partners' directory as a spreadsheet (XLSX or CSV), with the list's filters: the columns of the page, written
through `actions.exports` (and so through the one formula guard, `pti.spreadsheet`)."""

from django.utils.translation import gettext as _

from actions.enums import PartnerKind
from actions.exports import DECIMAL, INTEGER, Column, Sheet, labels


def partners_sheet(partners, pacte=None):
    kinds = labels(PartnerKind.choices)
    scope = _(" (pacte %(pacte)s)") % {"pacte": pacte.title} if pacte is not None else ""
    return Sheet(
        _("Partenaires"),
        [
            Column(_("Nom"), lambda p: p.name, width=40),
            Column(_("Type"), lambda p: kinds.get(p.kind, p.kind), width=24),
            Column(_("Contact"), lambda p: p.contact_name, width=24),
            Column(_("E-mail"), lambda p: p.email, width=28),
            Column(_("Téléphone"), lambda p: p.phone, width=16),
            Column(_("Site internet"), lambda p: p.website, width=30),
            Column(_("Nombre d'actions") + scope, lambda p: p.action_count, INTEGER, 14),
            Column(_("Montant financé (€)") + scope, lambda p: p.funded, DECIMAL, 16),
        ],
        partners,
    )
