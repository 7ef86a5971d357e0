"""Hooks that lower apps' templates load (`{% load bilans_tags %}`): bilans is above them, so they may not import
it, but a template may show what it knows (docs/architecture.md)."""

from django import template
from django.utils import timezone

from axes.closing import closure
from bilans.models import ReportingCampaign

register = template.Library()


@register.inclusion_tag("bilans/_campaign_notice.html")
def campaign_notice(pacte, year, reports, can_see_campaign=True):
    """While the campaign of `pacte`'s `year` runs (it exists and the year is not closed), what the year's figures
    are: the reports transmitted so far (`reports`, the figures' "reports" of that year, passed in so the notice
    shows the same count as the page) and the deadline. Nothing otherwise."""
    campaign = None
    if year is not None and closure(pacte, year) is None:
        campaign = ReportingCampaign.objects.filter(pacte=pacte, year=year).only("pk", "deadline", "year").first()
    today = timezone.localdate()
    return {
        "campaign": campaign,
        "pacte": pacte,
        "year": year,
        "reports": reports,
        "days_left": (campaign.deadline - today).days if campaign else None,
        "link": can_see_campaign,
    }
