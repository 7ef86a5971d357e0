"""Parts of pages that are the same for every reader, rendered once and read from the cache while the data is
unchanged (`pti.stamps`).

A fragment is named by what it shows (`parts`: the page and its arguments) and, since its text depends on them
too, by the language, the script prefix its links are built under and the day (the dates and "late" it shows
follow today's date). Its template must not show anything of the reader: no user, no form with a CSRF token, no
message; what differs from one reader to another stays in the page around it.

What uses it: the dashboard's body (`pilotage.views`), an unfolded axe of the pacte page and a thematic referent's
axe (`actions.views`), the campaign's table of referents and the reminders' preview (`bilans.views`).
"""

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from pti import stamps


def cached(parts, render):
    """`render()` (a dict of values and rendered HTML, or the HTML alone) under `parts`, from the cache while the
    data is unchanged, for today's date, the current language and script prefix."""
    key = ("fragment", *parts, get_language(), get_script_prefix(), timezone.localdate().isoformat())
    return stamps.cached(key, render)


def rendered(template_name, context, request=None):
    """`template_name` rendered with `context`, as plain text that the cache keeps (`safe` marks it again)."""
    return str(render_to_string(template_name, context, request))


def safe(html):
    """A fragment read from the cache, marked safe again: it was rendered by one of our own autoescaped
    templates (`rendered`)."""
    return mark_safe(html)  # noqa: S308 - the output of our own autoescaped templates
