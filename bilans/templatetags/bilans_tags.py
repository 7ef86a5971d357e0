"""Hooks that lower apps' templates load (`{% load bilans_tags %}`): bilans is above them, so they may not import
it, but a template may show what it knows (docs/architecture.md)."""

from django import template
from django.db.models import F

from axes.closing import closure
from axes.enums import PacteStatus
from bilans import campaigns
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
    return {
        "campaign": campaign,
        "pacte": pacte,
        "year": year,
        "reports": reports,
        "days_left": campaigns.days_left(campaign) if campaign else None,
        "link": can_see_campaign,
    }


@register.inclusion_tag("bilans/_campaign_deadline.html", takes_context=True)
def campaign_deadline(context, pacte, year, state=None, pending=None, compact=False):
    """The deadline of `pacte`'s `year` campaign and the days left, for the referents' pages (/mes-actions/, the
    report form), marked "en retard" once passed while the report (its `state`: "missing", "draft",
    "submitted", "not_due") or some of them (`pending`, a count) are not transmitted. Nothing without a running
    campaign (none, or the year closed). One query for the whole page (`_open_campaigns`)."""
    campaign = None
    if pacte is not None and year is not None and pacte.status != PacteStatus.CLOSED:
        campaign = _open_campaigns(context).get((pacte.pk, year))
    left = campaigns.days_left(campaign) if campaign else None
    pending_report = state in ("missing", "draft") or bool(pending)
    return {
        "campaign": campaign,
        "pacte": pacte,
        "year": year,
        "days_left": left,
        "days_late": -left if campaign and left < 0 else None,
        "late": campaign is not None and campaigns.past_deadline(campaign) and pending_report,
        "compact": compact,
    }


def _open_campaigns(context):
    """{(pacte pk, year): campaign} of every campaign whose year is not closed, read once per request (kept on
    it: each included template renders with a fresh render context). A handful of rows: one per pacte and year."""
    request = context.get("request")
    cached = getattr(request, "_pti_open_campaigns", None)
    if cached is None:
        cached = {
            (campaign.pacte_id, campaign.year): campaign
            for campaign in ReportingCampaign.objects.exclude(pacte__closed_years__year=F("year")).only(
                "pk", "pacte_id", "year", "deadline"
            )
        }
        if request is not None:
            request._pti_open_campaigns = cached
    return cached


@register.inclusion_tag("bilans/_report_preview.html")
def bilan_report_preview(report):
    """`report` as the bilan will print it once transmitted (the bilan's own partial and data: bilans.content)."""
    from bilans.content import report_preview

    return report_preview(report)
