from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilotage.enums import DecisionStatus
from pilotage.filters import late_first
from pilotage.models import Decision

register = template.Library()

INDICATOR_STATES = {
    "on_target": (_("sur la cible"), "text-success"),
    "behind": (_("sous la cible"), "text-danger"),
    "no_value": (_("sans valeur"), "text-body-secondary"),
    "no_target": (_("sans cible"), "text-body-secondary"),
    "none": (_("non suivi cette année"), "text-body-secondary"),
}
ASSESSMENTS = {"better": _("en progrès"), "worse": _("en recul"), "stable": _("stable")}


@register.filter
def get(mapping, key):
    """`{{ counts|get:status.value }}`: a dict entry by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def indicator_state(state):
    return INDICATOR_STATES.get(state, INDICATOR_STATES["none"])[0]


@register.filter
def indicator_state_class(state):
    return INDICATOR_STATES.get(state, INDICATOR_STATES["none"])[1]


@register.filter
def assessment(trend):
    return ASSESSMENTS.get(trend["assessment"], "") if trend else ""


@register.filter
def signed(value):
    """'+' before a positive number (to print a change); the number itself is formatted by the template."""
    return "+" if value is not None and value > 0 else ""


@register.inclusion_tag("pilotage/_my_decisions.html", takes_context=True)
def my_decisions(context):
    """The open COPIL decisions the current user is responsible for, late first (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"decisions": []}
    today = timezone.localdate()
    decisions = late_first(
        Decision.objects.filter(owner=user, status=DecisionStatus.OPEN).select_related("copil__pacte", "action"),
        today,
    )
    return {"decisions": list(decisions), "today": today, "request": request}
