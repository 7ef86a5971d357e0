"""Form widgets shared by every app.

`SearchableSelectMultiple` picks many rows of a long list (users, partners, actions) without Ctrl+click: it is a
list of native checkboxes (keyboard and screen readers know them, and they work without JavaScript), which
`static/pti/js/searchable-select.js` enhances with a filter box, a live count of what is chosen and shown, and
an "only the chosen ones" switch. Swap it in with one line:

    widgets = {"partners": SearchableSelectMultiple(label=_("Partenaires présents"))}

`label` names the group of checkboxes for screen readers (the field's label is not linked to any one box).

We wrote it rather than bundling Tom Select (django-tomselect) or Select2: those replace the native control by
a combobox that screen readers announce unevenly, need an autocomplete view per model and inline scripts
(our Content-Security-Policy forbids them), for lists of a few hundred rows that a filter over checkboxes
handles well.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from pti import stamps


class SearchableSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "pti/widgets/searchable_select_multiple.html"

    class Media:
        css = {"all": ["pti/css/widgets.css"]}
        js = ["pti/js/searchable-select.js"]

    def __init__(self, attrs=None, choices=(), label=None):
        super().__init__(attrs, choices)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options
        ]
        context["widget"].update(
            group_label=self.label or _("Choix possibles"),
            total=len(options),
            selected=sum(1 for option in options if option["selected"]),
        )
        return context


class QuickSelect(forms.Select):
    """A select written in Python: the same element, attributes and options as Django's `Select`, without a
    template rendered for each option and its attributes (a form of a dozen rows, each offering every partner,
    rendered thousands of templates). Works for `SelectMultiple` too (`QuickSelectMultiple`)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"]
                    )
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above went through format_html


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    pass


class StampedSelect(QuickSelect):
    """A select whose options are rows of the plan (pactes, axes, referents, partners): rendered once, then served
    from the cache until the tables its options are read from change (`pti.stamps`, which the figures use too), a
    day at most. A list filter offers as many options as the data has (hundreds of referents and partners at a
    hundred times the demo's size): building them again on every display, one model instance and one option
    template each, cost more than the list itself.

    The options' queryset, the name, the value chosen, the attributes and the language name the result, so that
    two forms restricted differently never share one."""

    def render(self, name, value, attrs=None, renderer=None):
        queryset = getattr(self.choices, "queryset", None)
        options = stamps.statement(queryset) if queryset is not None else repr(list(self.choices))
        # What the options read: their statement's tables (a report's save leaves the referents and partners).
        tables = stamps.tables_in(options[1]) if queryset is not None and options is not None else ()
        key = ("select", options, name, str(value), sorted((attrs or {}).items()), sorted(self.attrs.items()))
        key += (translation.get_language(), self.is_required)
        # Kept a day, as the pieces: a write through Django renews the tables' stamps at once; one made outside
        # it shows at most a day later (or after `manage.py warm_caches --renew`), as for the plan's tables.
        return stamps.cached(
            key,
            lambda: QuickSelect.render(self, name, value, attrs, renderer),
            tables=tables,
            seconds=stamps.PIECE_SECONDS,
        )
