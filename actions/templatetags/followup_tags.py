"""The follow-up shown on other pages: the year's notes in the yearly report form, the late milestones on the
referent's desk (/mes-actions/). One query each, whatever the number of rows."""

from django import template
from django.utils import timezone

from actions import followup
from actions.models import Milestone

register = template.Library()


@register.simple_tag
def year_notes(action, year):
    """The notes of `action` dated in `year`, newest first."""
    return followup.action_notes(action, year)


@register.simple_tag(takes_context=True)
def my_late_milestones(context):
    """The late milestones of the actions the user is a referent of, oldest first."""
    user = context["request"].user
    return list(
        Milestone.objects.late(timezone.localdate())
        .filter(action__referents=user)
        .select_related("action")
        .order_by("planned_date", "action__sort_key", "pk")
        .distinct()
    )
