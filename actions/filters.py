import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from actions import figures, search
from actions.enums import ActionStatus
from actions.models import Action, Partner
from axes.models import Axe, Objectif, Pacte
from pti.inputs import YEAR_MAX, YEAR_MIN, year_filter
from pti.widgets import StampedSelect

# The report filter's choices and the flag of actions.figures each one reads (among the reports due).
REPORT_CHOICES = [
    ("attendu", _("compte rendu attendu")),
    ("transmis", _("compte rendu transmis")),
    ("brouillon", _("compte rendu en brouillon")),
    ("manquant", _("compte rendu attendu, pas commencé")),
    ("non_transmis", _("compte rendu attendu, non transmis")),
]
REPORT_FLAGS = {
    "attendu": "due",
    "transmis": "submitted",
    "brouillon": "draft",
    "manquant": "missing",
    "non_transmis": "no_report",
}


class ActionFilter(django_filters.FilterSet):
    """The action list's filters; every filter lives in the query string, so a list can be bookmarked."""

    q = django_filters.CharFilter(
        label=_("Recherche"),
        method="filter_text",
        help_text=_("Numéro, ou mots de l'intitulé et de la description : un début de mot suffit."),
    )
    pacte = django_filters.ModelChoiceFilter(
        label=_("Pacte"),
        queryset=Pacte.objects.all(),
        to_field_name="slug",
        empty_label=_("Tous les pactes"),
        widget=StampedSelect,
    )
    axe = django_filters.ModelChoiceFilter(
        label=_("Axe"),
        queryset=Axe.objects.select_related("pacte"),
        empty_label=_("Tous les axes"),
        widget=StampedSelect,
    )
    objectif = django_filters.ModelChoiceFilter(
        label=_("Objectif"),
        queryset=Objectif.objects.select_related("axe"),
        empty_label=_("Tous les objectifs"),
        widget=StampedSelect,
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"), field_name="status", choices=ActionStatus.choices, empty_label=_("Tous les statuts")
    )
    referent = django_filters.ModelChoiceFilter(
        label=_("Référent"),
        field_name="referents",
        queryset=None,
        empty_label=_("Tous les référents"),
        method="filter_related",
        widget=StampedSelect,
    )
    partenaire = django_filters.ModelChoiceFilter(
        label=_("Partenaire"),
        field_name="partners",
        queryset=Partner.objects.all(),
        empty_label=_("Tous"),
        method="filter_related",
        widget=StampedSelect,
    )
    annee = year_filter(
        None,
        _("Année"),
        method="filter_noop",
        widget=forms.NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX}),
        help_text=_("Par défaut, l'année en cours de chaque pacte."),
    )
    compte_rendu = django_filters.ChoiceFilter(
        label=_("Compte rendu de l'année"), choices=REPORT_CHOICES, method="filter_noop", empty_label=_("Indifférent")
    )
    en_retard = django_filters.BooleanFilter(
        label=_("En retard"),
        method="filter_noop",
        widget=forms.Select(choices=[("", _("Indifférent")), ("true", _("En retard")), ("false", _("Pas en retard"))]),
    )

    class Meta:
        model = Action
        fields: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["referent"].queryset = (
            get_user_model().objects.filter(Q(referent_actions__isnull=False)).distinct().order_by("last_name")
        )
        labels = self.form.fields
        labels["axe"].label_from_instance = lambda axe: f"{axe.pacte.title} – {axe}"
        labels["objectif"].label_from_instance = lambda obj: f"{obj.code} {obj.text}"

    def filter_text(self, queryset, name, value):
        # Full text on PostgreSQL, ranked (search.ordered puts the best first); the plain search on SQLite.
        return search.search(queryset, value)

    def filter_related(self, queryset, name, value):
        """Actions linked to `value` through the many-to-many `name` (referents, partners), as an EXISTS: no
        duplicate rows, so no DISTINCT, and the list keeps its indexed order."""
        return queryset.filter(related_exists(name, value))

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        year = self.form.cleaned_data.get("annee")
        wanted = self.form.cleaned_data.get("compte_rendu")
        late = self.form.cleaned_data.get("en_retard")
        if wanted or late is not None:
            pacte = self.form.cleaned_data.get("pacte")
            periods = figures.periods_of([pacte] if pacte else Pacte.objects.all(), year)
            if wanted:
                queryset = queryset.filter(figures.matching(periods, REPORT_FLAGS[wanted]))
            if late is not None:
                queryset = queryset.filter(figures.matching(periods, "late", negate=not late))
        return queryset


def related_exists(name, value):
    """EXISTS a row of the through table of Action.<name> joining the action to `value` (an instance or a pk)."""
    field = Action._meta.get_field(name)
    through = field.remote_field.through
    source = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    pk = getattr(value, "pk", value)
    return Exists(through.objects.filter(**{source: OuterRef("pk"), target: pk}))
