"""API of the COPILs and their decisions: read-only for everyone signed in (the staff manage them on the pages)."""

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from pilotage.enums import DecisionStatus
from pilotage.models import Copil, Decision, HighlightedAction
from pilotage.serializers import CopilSerializer, DecisionSerializer
from pti.api import ReadOnlyViewSet, id_filter, year_filter
from pti.inputs import BooleanFilter


class CopilFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="pacte__slug", label=_("Pacte (identifiant)"))
    annee = year_filter("date__year", _("Année"))

    class Meta:
        model = Copil
        fields: list = []


@extend_schema_view(
    list=extend_schema(summary="COPIL", description="Lecture seule : les COPIL sont gérés dans les pages."),
    retrieve=extend_schema(summary="Un COPIL"),
)
class CopilViewSet(ReadOnlyViewSet):
    queryset = Copil.objects.select_related("pacte").prefetch_related(
        "attendees", "partners", Prefetch("highlights", queryset=HighlightedAction.objects.select_related("action"))
    )
    serializer_class = CopilSerializer
    filterset_class = CopilFilter
    ordering_fields = ["date"]
    ordering = ["-date"]


class DecisionFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="copil__pacte__slug", label=_("Pacte (identifiant)"))
    copil = id_filter("copil", _("COPIL"))
    action = id_filter("action", _("Action liée"))
    statut = django_filters.ChoiceFilter(field_name="status", choices=DecisionStatus.choices, label=_("Statut"))
    en_retard = BooleanFilter(method="filter_late", label=_("Ouvertes et en retard"))

    class Meta:
        model = Decision
        fields: list = []

    def filter_late(self, queryset, name, value):
        late = queryset.late(timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


@extend_schema_view(
    list=extend_schema(
        summary="Décisions de COPIL", description="Lecture seule : les décisions sont gérées dans les pages."
    ),
    retrieve=extend_schema(summary="Une décision"),
)
class DecisionViewSet(ReadOnlyViewSet):
    queryset = Decision.objects.select_related("copil__pacte", "action", "owner")
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["due_date", "copil", "status"]
    ordering_aliases = {"copil": "copil__date"}
    ordering = ["due_date"]


ROUTES = [
    ("copils", CopilViewSet, "copil"),
    ("decisions", DecisionViewSet, "decision"),
]
