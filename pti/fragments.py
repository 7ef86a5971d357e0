"""Parts of pages that are the same for every reader, rendered once and read from the cache while the data is
unchanged (`pti.stamps`).

A fragment is named by what it shows (`parts`: the page and its arguments) and, since its text depends on them
too, by the language, the script prefix its links are built under and the day (the dates and "late" it shows
follow today's date). Its template must not show anything of the reader: no user, no form with a CSRF token, no
message; what differs from one reader to another stays in the page around it.

What uses it: the dashboard's body (`pilotage.views`), an unfolded axe of the pacte page, a thematic referent's axe
and the action list's results (`actions.views`), the campaign's figures and tables and the reminders' recipients
(`bilans.views`); inside an axe's part, each action's row (`cached_rows`), so that a report saved renders one row.

A part is rendered with `render_to_string` (by our own autoescaped templates); its text is kept as Django's
`SafeString`, which the cache's pickling keeps as it is (as Django's own `{% cache %}` tag relies on): read back,
it is inserted unescaped, as it was rendered.
"""

import hashlib

from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from pti import stamps


def cached(parts, render, content=None, keep=None):
    """`render()` (a dict of values and rendered HTML, or the HTML alone) under `parts`, from the cache while the
    data is unchanged, for today's date, the current language and script prefix.

    `content`: every value the template shows (plain data: numbers, text, dates, lists and dicts of them), read
    before the call. The fragment is then named by it and follows nothing else: a write that leaves what it shows
    as it was (a report in another pacte) leaves it in the cache; a change of what it shows is a new fragment.

    `keep`: what keeps it instead of the data's stamp, a function of (key, render) (`actions.figures.kept` over
    the pactes it shows: a draft saved again with new text leaves in the cache a part that shows no report's
    text)."""
    key = ("fragment", *parts, get_language(), get_script_prefix(), timezone.localdate().isoformat())
    if content is not None:
        key += (hashlib.sha256(repr(content).encode()).hexdigest(),)
        # Named by what it shows, it is right as long as the day lasts.
        return stamps.cached(key, render, tables=(), seconds=stamps.PIECE_SECONDS)
    if keep is not None:
        return keep(key, render)
    return stamps.cached(key, render)


# Ends each row of a batch rendered at once (`_render_rows`): a comment no row can hold, its text being escaped.
ROW_END = "<!--pti:row-end-->"


def cached_rows(template, items, request=None, tables=()):
    """`template` rendered for each of `items` (model instances, as `action`: a list of HTML, in order), each row
    kept a day under what it shows: its loaded fields and the facts attached to it (`_shown`), the stamps of
    `tables` (what else the rows show: the plan, the campaigns), the language, the script prefix and the day. A row
    whose item is unchanged is read from the cache; the others are rendered all at once (`_render_rows`, with
    `request` for the template's tags): after a report saved, the part that holds the table is rendered again
    around its rows, and only the action's row is."""
    base = ("row", template, get_language(), get_script_prefix(), timezone.localdate().isoformat())
    names = [(*base, hashlib.sha256(_shown(item).encode()).hexdigest()) for item in items]
    return stamps.cached_many(
        names,
        lambda missing: _render_rows(template, [items[i] for i in missing], request),
        tables=tables,
        seconds=stamps.PIECE_SECONDS,
    )


def _shown(item):
    """What a row of `item` can show, as text: its model and the values of its loaded fields and attached facts
    (plain values, dicts of them, dataclasses: their repr is their content), as `plain` would give them, in one
    repr rather than one call per value (a table of fifty rows)."""
    values = sorted((name, value) for name, value in vars(item).items() if not name.startswith("_"))
    return repr((item._meta.label, values))


def _render_rows(template, actions, request=None):
    """[`template` rendered for each of `actions`] (as `action`), in one rendering of them all."""
    html = render_to_string("pti/_rows.html", {"row_template": template, "items": actions, "row_end": ROW_END}, request)
    # Each part is a whole row of our autoescaped template.
    return [mark_safe(row) for row in html.split(ROW_END)[: len(actions)]]  # noqa: S308


def plain(value):
    """`value` as plain data for `cached(..., content=…)`: dicts, lists and tuples of plain values as they are, a
    model instance as its model and the values of its loaded fields, an object with `__slots__` as its class and
    its slots' values."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Model):
        fields = sorted((name, item) for name, item in vars(value).items() if not name.startswith("_"))
        return (value._meta.label, [(name, plain(item)) for name, item in fields])
    slots = getattr(type(value), "__slots__", None)
    if slots:
        return (type(value).__name__, [plain(getattr(value, name, None)) for name in slots])
    return value
