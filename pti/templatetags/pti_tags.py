from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pti import access, formats, palette
from pti.formats import long_date

register = template.Library()


@register.filter
def can(user, permission):
    """`{% if user|can:"manage_bilans" %}`: the access rule, for permissions that need no object."""
    return access.can(user, permission)


@register.simple_tag
def can_on(user, permission, obj):
    """`{% can_on user "edit_action" action as editable %}`: the access rule on an object."""
    return access.can(user, permission, obj)


@register.simple_tag
def palette_css():
    """The badges' colours from pti.palette, as a <style> for the page's head (one source for pages and PDFs)."""
    return format_html("<style>{}</style>", mark_safe(palette.css()))  # noqa: S308 - our own constants


@register.filter
def euros(value):
    """`{{ amount|euros }}` → "1 873 000 €", "—" when not known."""
    return formats.euros(value)


@register.filter(expects_localtime=True)
def date_fr(value, fmt="j F Y"):
    """`{{ day|date_fr }}` → "1er décembre 2026"; `{{ day|date_fr:"l j F Y" }}` with the weekday."""
    return long_date(value, fmt)


@register.inclusion_tag("pti/_notifications_panel.html", takes_context=True)
def notifications_panel(context):
    """The "Nouveautés" panel of the signed-in user (pti.notifications.panel: two queries)."""
    from pti import notifications

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"panel": None}
    return {
        "panel": notifications.panel(user),
        "next": request.get_full_path(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
