from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from pilotage.enums import DecisionStatus
from pilotage.filters import late_first
from pilotage.forms import DecisionFollowUpForm
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


@register.filter
def num(value, decimals=2):
    """A number the French way (narrow no-break space between thousands, decimal comma, no trailing zeros), or
    "—". Much faster than `floatformat` with localisation, for the dashboard's long tables."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):,.{int(decimals)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.replace(",", "\u202f").replace(".", ",")
    return "0" if text in ("-0", "") else text


@register.filter
def indicator_cells(points):
    """The `<td>` of each year of an indicator: "value / target", coloured by state (one call per table row)."""
    return format_html_join(
        "",
        '<td class="text-end text-nowrap {}">{}</td>',
        (
            (
                indicator_state_class(point["state"]),
                "—"
                if point["value"] is None and point["target"] is None
                else f"{num(point['value'])} / {num(point['target'])}",
            )
            for point in points
        ),
    )


@lru_cache(maxsize=8)
def _action_prefix(script_prefix):
    return reverse("actions:detail", args=[0]).removesuffix("0/")


@register.filter
def action_url(pk):
    """`{{ item.action_id|action_url }}`: the action's page, without a `reverse` per row of a long table."""
    return f"{_action_prefix(get_script_prefix())}{int(pk)}/"


@register.inclusion_tag("pilotage/_my_decisions.html", takes_context=True)
def my_decisions(context):
    """The open COPIL decisions the current user is responsible for, late first (one query), each with the form
    that updates its follow-up and status (posted to pilotage:decision_follow_up, back to /mes-actions/)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"decisions": []}
    today = timezone.localdate()
    decisions = late_first(
        Decision.objects.filter(owner=user, status=DecisionStatus.OPEN).select_related("copil__pacte", "action"),
        today,
    )
    decisions = list(decisions)
    for decision in decisions:
        decision.follow_up_form = DecisionFollowUpForm(instance=decision, auto_id=f"suivi-{decision.pk}-%s")
    return {"decisions": decisions, "today": today, "request": request, "csrf_token": context.get("csrf_token")}
