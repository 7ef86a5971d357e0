"""Receivers of the hooks of `axes` (axes.signals): what the actions hold in a pacte's years."""

from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import ngettext

from actions.models import ActionBudget, IndicatorValue, ProgressReport
from axes.models import Pacte
from axes.signals import pacte_years_changing


@receiver(pacte_years_changing, sender=Pacte, dispatch_uid="actions_years_with_data")
def years_with_data(sender, pacte, first_year, last_year, **kwargs):
    """A pacte keeps the years its actions have reports, indicator values or budgets for."""
    outside = ~Q(year__gte=first_year, year__lte=last_year)
    years = set(ProgressReport.objects.filter(outside, action__pacte=pacte).values_list("year", flat=True))
    years |= set(IndicatorValue.objects.filter(outside, indicator__action__pacte=pacte).values_list("year", flat=True))
    years |= set(ActionBudget.objects.filter(outside, action__pacte=pacte).values_list("year", flat=True))
    if not years:
        return None
    listed = ", ".join(str(year) for year in sorted(years))
    return ngettext(
        "Les actions du pacte ont des comptes rendus, des indicateurs ou des budgets pour %(years)s : cette année "
        "doit rester dans les années du pacte.",
        "Les actions du pacte ont des comptes rendus, des indicateurs ou des budgets pour %(years)s : ces années "
        "doivent rester dans les années du pacte.",
        len(years),
    ) % {"years": listed}
