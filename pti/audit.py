"""The audit journal (staff): who changed what, and when, on the plan's axes (their thematic referents), actions
(their referents), reports, indicators, partners' accounts and
everyone's account (role, organisation, access), COPILs, decisions and bilans, with the bilans' workflow
transitions; on screen and as CSV.

Models are looked up by name (`apps.get_model`), not imported: pti stays below every app in the dependency rule.
"""

import datetime

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from pti import access, paging, spreadsheet
from pti.history import history_rows

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
MAX_PAGE = EXPORT_LIMIT // PAGE_SIZE  # the screen goes as far back as the export


def _number(record, field):
    """The number of the action a history record points to (2.6), or its id if the action is gone."""
    action = getattr(record, field, None)
    return action.number if action is not None else f"n°{getattr(record, f'{field}_id')}"


def _indicator(record):
    indicator = record.indicator
    if indicator is None:
        return f"n°{record.indicator_id}"
    return f"{indicator.label} – {indicator.action.number}"


# What each source's records must bring along to be named without a query each.
RELATED = {
    "actions.ProgressReport": ("action",),
    "actions.IndicatorValue": ("indicator__action",),
    "pilotage.HighlightedAction": ("action",),
    "actions.Contribution": ("action", "partner"),
    "actions.PartnerMember": ("user", "partner"),
}


def _partner(record):
    partner = getattr(record, "partner", None)
    return partner.name if partner is not None else f"n°{record.partner_id}"


# kind -> (label, model, how to name one record)
SOURCES = {
    "action": (gettext_lazy("Actions"), "actions.Action", lambda r: _("Action %(n)s") % {"n": r.number}),
    "axe": (
        gettext_lazy("Axes du plan"),
        "axes.Axe",
        lambda r: _("Axe %(n)s « %(t)s »") % {"n": r.number, "t": r.title[:60]},
    ),
    "report": (
        gettext_lazy("Comptes rendus"),
        "actions.ProgressReport",
        lambda r: _("Compte rendu %(year)s de l'action %(n)s") % {"year": r.year, "n": _number(r, "action")},
    ),
    "indicator": (
        gettext_lazy("Indicateurs"),
        "actions.Indicator",
        lambda r: _("Indicateur « %(l)s »") % {"l": r.label},
    ),
    "indicator_value": (
        gettext_lazy("Valeurs d'indicateurs"),
        "actions.IndicatorValue",
        lambda r: _("Valeur %(year)s de l'indicateur « %(l)s »") % {"year": r.year, "l": _indicator(r)},
    ),
    "contribution": (
        gettext_lazy("Contributions des partenaires"),
        "actions.Contribution",
        lambda r: (
            _("Contribution %(year)s de %(partner)s à l'action %(n)s")
            % {"year": r.year, "partner": _partner(r), "n": _number(r, "action")}
        ),
    ),
    "partner_member": (
        gettext_lazy("Comptes des partenaires"),
        "actions.PartnerMember",
        lambda r: (
            _("Compte %(user)s de %(partner)s")
            % {"user": getattr(r, "user", None) or f"n°{r.user_id}", "partner": _partner(r)}
        ),
    ),
    "account": (
        gettext_lazy("Comptes (rôle, organisme, accès)"),
        "pti.User",
        lambda r: (
            _("Compte de %(name)s (%(username)s)")
            % {"name": f"{r.first_name} {r.last_name}".strip() or r.username, "username": r.username}
        ),
    ),
    "copil": (
        gettext_lazy("COPIL"),
        "pilotage.Copil",
        lambda r: _("COPIL du %(d)s") % {"d": r.date.strftime("%d/%m/%Y")},
    ),
    "decision": (
        gettext_lazy("Décisions"),
        "pilotage.Decision",
        lambda r: _("Décision « %(t)s »") % {"t": r.text[:60]},
    ),
    "highlight": (
        gettext_lazy("Actions mises en avant"),
        "pilotage.HighlightedAction",
        lambda r: _("Mise en avant de l'action %(n)s") % {"n": _number(r, "action")},
    ),
    "copil_attendee": (
        gettext_lazy("Participants sans compte aux COPIL"),
        "pilotage.CopilAttendee",
        lambda r: _("Participant « %(name)s » d'un COPIL") % {"name": r.name},
    ),
    "bilan": (gettext_lazy("Bilans"), "bilans.Bilan", lambda r: _("Bilan %(year)s") % {"year": r.year}),
}
TRANSITIONS = "bilan_transition"


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Objet"),
        required=False,
        choices=[("", gettext_lazy("Tout"))]
        + [(key, label) for key, (label, _model, _name) in SOURCES.items()]
        + [(TRANSITIONS, gettext_lazy("Étapes des bilans"))],
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("Par"),
        required=False,
        queryset=None,
        empty_label=gettext_lazy("Tout le monde"),
        help_text=gettext_lazy("Les auteurs des modifications affichées."),
    )
    who = forms.CharField(
        label=gettext_lazy("Nom ou identifiant"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Une partie du nom ou de l'identifiant de la personne."),
    )
    since = forms.DateField(
        label=gettext_lazy("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any user id is accepted (one query by pk); the list offered is narrowed by `offer` before rendering.
        self.fields["user"].queryset = get_user_model().objects.order_by("last_name", "first_name")

    def offer(self, rows):
        """List in "Par" only the authors of the rows shown and the person chosen, not every account: at scale the
        full list of users was most of the page's HTML and time."""
        pks = {row["user"].pk for row in rows if row["user"] is not None}
        chosen = self.cleaned_data.get("user") if self.is_bound and hasattr(self, "cleaned_data") else None
        if chosen is not None:
            pks.add(chosen.pk)
        self.fields["user"].queryset = self.fields["user"].queryset.filter(pk__in=pks)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            self.add_error("until", _("La date de fin doit suivre la date de début."))
        return cleaned


def _bounds(day, end=False):
    moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    return timezone.make_aware(moment)


def journal_rows(cleaned, limit, offset=0):
    kind, user = cleaned.get("kind"), cleaned.get("user")
    since, until = cleaned.get("since"), cleaned.get("until")
    who = (cleaned.get("who") or "").strip()
    matching = None
    if who:
        matching = (
            get_user_model()
            .objects.filter(Q(username__icontains=who) | Q(first_name__icontains=who) | Q(last_name__icontains=who))
            .values("pk")
        )

    def narrow(queryset, date_field, user_field):
        if user:
            queryset = queryset.filter(**{user_field: user})
        if matching is not None:
            queryset = queryset.filter(**{f"{user_field}__in": matching})
        if since:
            queryset = queryset.filter(**{f"{date_field}__gte": _bounds(since)})
        if until:
            queryset = queryset.filter(**{f"{date_field}__lte": _bounds(until, end=True)})
        return queryset

    sources = [
        (
            name,
            narrow(
                apps.get_model(model).history.select_related(*RELATED.get(model, ())), "history_date", "history_user"
            ),
        )
        for key, (_label, model, name) in SOURCES.items()
        if not kind or kind == key
    ]
    others = []
    if not kind or kind == TRANSITIONS:
        transitions = narrow(
            apps.get_model("bilans.BilanTransition").objects.select_related("bilan__pacte", "user"), "at", "user"
        )
        others.append((transitions, "at", _transition_row))
    return history_rows(sources, limit=limit, offset=offset, others=others)


def _transition_row(transition):
    return {
        "object": _("Bilan %(year)s – %(pacte)s") % {"year": transition.bilan.year, "pacte": transition.bilan.pacte},
        "date": transition.at,
        "user": transition.user,
        "type": _("Étape du bilan"),
        "changes": [
            {
                "field": _("statut"),
                "before": transition.get_source_display(),
                "after": transition.get_target_display() + (f" ({transition.note})" if transition.note else ""),
            }
        ],
    }


def journal_page(cleaned, params):
    """The page of the journal asked for by `params` (`page`): PAGE_SIZE rows, newest first, with links to the
    pages before and after it. There is no "sur N": counting every change of every table would cost more than
    the page itself as the history grows; a page past the last one reachable is that last one."""
    number = paging.clamped_page(params.get(paging.PAGE), MAX_PAGE)
    rows = journal_rows(cleaned, PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    page = paging.Page(rows[:PAGE_SIZE], number, num_pages=None, count=None)
    if number > 1:
        page.previous_href = paging.page_href(params, number - 1)
    if len(rows) > PAGE_SIZE and number < MAX_PAGE:
        page.next_href = paging.page_href(params, number + 1)
    return page


@require_GET
def journal(request):
    if not access.is_staff(request.user):
        raise PermissionDenied(_("Le journal des modifications est réservé aux agents du Département."))
    # The page and the format are not filters: a page 2 without any filter is an unbound (unmarked) form.
    filters = request.GET.copy()
    for name in (paging.PAGE, "format"):
        filters.pop(name, None)
    form = AuditFilterForm(filters or None)
    valid = form.is_valid() if form.is_bound else True
    cleaned = form.cleaned_data if form.is_bound and valid else {}
    if request.GET.get("format") == "csv" and valid:
        return _csv(journal_rows(cleaned, EXPORT_LIMIT))
    page = journal_page(cleaned, request.GET) if valid else paging.Page([], 1, num_pages=None, count=None)
    form.offer(page.object_list)
    query = filters.copy()
    query["format"] = "csv"
    return render(
        request,
        "pti/journal.html",
        {"form": form, "page": page, "csv_query": query.urlencode()},
        status=200 if valid else 400,
    )


def _csv(rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-des-modifications.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with accents only with a BOM
    writer = spreadsheet.csv_writer(response, delimiter=";")
    writer.writerow([_("Date"), _("Par"), _("Objet"), _("Modification"), _("Champ"), _("Avant"), _("Après")])
    for row in rows:
        date = timezone.localtime(row["date"]).strftime("%d/%m/%Y %H:%M:%S")
        user = str(row["user"]) if row["user"] else ""
        for change in row["changes"] or [{"field": "", "before": "", "after": ""}]:
            writer.writerow(
                [
                    date,
                    user,
                    str(row["object"]),
                    str(row["type"]),
                    capfirst(str(change["field"])),
                    change["before"],
                    change["after"],
                ]
            )
    return response
