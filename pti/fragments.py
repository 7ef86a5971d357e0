"""Parts of pages that are the same for every reader, rendered once and read from the cache while the data is
unchanged (`pti.stamps`).

A fragment is named by what it shows (`parts`: the page and its arguments) and, since its text depends on them
too, by the language, the script prefix its links are built under and the day (the dates and "late" it shows
follow today's date). Its template must not show anything of the reader: no user, no form with a CSRF token, no
message; what differs from one reader to another stays in the page around it.

What uses it: the dashboard's body (`pilotage.views`), an unfolded axe of the pacte page, a thematic referent's axe
and the action list's results (`actions.views`), the campaign's figures and tables and the reminders' recipients
(`bilans.views`).

A part is rendered with `render_to_string` (by our own autoescaped templates); its text is kept as Django's
`SafeString`, which the cache's pickling keeps as it is (as Django's own `{% cache %}` tag relies on): read back,
it is inserted unescaped, as it was rendered.
"""

from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from pti import stamps


def cached(parts, render):
    """`render()` (a dict of values and rendered HTML, or the HTML alone) under `parts`, from the cache while the
    data is unchanged, for today's date, the current language and script prefix."""
    key = ("fragment", *parts, get_language(), get_script_prefix(), timezone.localdate().isoformat())
    return stamps.cached(key, render)
