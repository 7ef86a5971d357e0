"""API of the plan and of the referents' work: pactes, axes, objectives, actions, partners, indicators, yearly
reports.

Everything is readable by every signed-in user. Writes are the referents' ones, as on the pages: PATCH of an
action, POST and PATCH of a yearly report, for those `pti.access` lets edit them. The plan itself (pactes, axes,
objectives, partners, indicators and targets) is written by the spreadsheet import, not by the API.
"""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from actions import search, services
from actions.enums import PartnerKind, ReportState
from actions.filters import ActionFilter
from actions.models import Action, ActionPartner, Indicator, Partner, ProgressReport
from actions.serializers import (
    ActionSerializer,
    ActionUpdateSerializer,
    IndicatorSerializer,
    PartnerSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReportWriteSerializer,
)
from axes.models import Axe, Objectif, Pacte
from axes.serializers import AxeSerializer, ObjectifSerializer, PacteSerializer
from pti import access
from pti.api import (
    CONFLICT_RESPONSES,
    ReadOnlyViewSet,
    choice_filter,
    conflict_response,
    conflict_schema,
    etag,
    id_filter,
    if_match_version,
    year_filter,
)
from pti.concurrency import ConflictError
from pti.inputs import ID_MAX, YEAR_MAX, YEAR_MIN, BooleanFilter

# --- the plan's skeleton --------------------------------------------------------------------------------


class PacteFilter(django_filters.FilterSet):
    statut = django_filters.CharFilter(field_name="status", label=gettext_lazy("Statut"))
    annee = year_filter(None, gettext_lazy("Année couverte par le pacte"), method="filter_year")

    class Meta:
        model = Pacte
        fields: list = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(first_year__lte=value, last_year__gte=value)


@extend_schema_view(list=extend_schema(summary="Pactes"), retrieve=extend_schema(summary="Un pacte"))
class PacteViewSet(ReadOnlyViewSet):
    queryset = Pacte.objects.prefetch_related("closed_years")
    serializer_class = PacteSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = PacteFilter
    ordering_fields = ["first_year", "title"]
    ordering = ["-first_year", "title"]


class AxeFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="pacte__slug", label=gettext_lazy("Pacte (identifiant)"))

    class Meta:
        model = Axe
        fields: list = []


@extend_schema_view(list=extend_schema(summary="Axes"), retrieve=extend_schema(summary="Un axe"))
class AxeViewSet(ReadOnlyViewSet):
    queryset = Axe.objects.select_related("pacte").prefetch_related("thematic_referents")
    serializer_class = AxeSerializer
    filterset_class = AxeFilter
    ordering_fields = ["pacte", "number"]
    ordering_aliases = {"pacte": "pacte_id"}
    ordering = ["pacte", "number"]


class ObjectifFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="axe__pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    axe = id_filter("axe", gettext_lazy("Axe"))

    class Meta:
        model = Objectif
        fields: list = []


@extend_schema_view(list=extend_schema(summary="Objectifs"), retrieve=extend_schema(summary="Un objectif"))
class ObjectifViewSet(ReadOnlyViewSet):
    queryset = Objectif.objects.select_related("axe__pacte")
    serializer_class = ObjectifSerializer
    filterset_class = ObjectifFilter
    ordering_fields = ["axe", "number"]
    ordering_aliases = {"axe": ("axe__pacte_id", "axe__number")}
    ordering = ["axe", "number"]


# --- actions ----------------------------------------------------------------------------------------------


class ApiActionFilter(ActionFilter):
    """The action list's filters, with the related rows named by identifier: one that does not exist gives an
    empty list, as the other endpoints' filters do (the page's selects refuse it instead)."""

    pacte = django_filters.CharFilter(label=gettext_lazy("Pacte (identifiant)"), method="filter_noop")
    axe = id_filter("axe", gettext_lazy("Axe"))
    objectif = id_filter("objectif", gettext_lazy("Objectif"))
    referent = id_filter("referents", gettext_lazy("Référent"), method="filter_related")
    partenaire = id_filter("partners", gettext_lazy("Partenaire"), method="filter_related")
    en_retard = BooleanFilter(label=gettext_lazy("En retard"), method="filter_noop")

    def filter_queryset(self, queryset):
        # The page's filters read the pacte itself (its years): named by its slug here.
        slug = self.form.cleaned_data.get("pacte")
        if slug:
            pacte = Pacte.objects.filter(slug=slug).first()
            if pacte is None:
                return queryset.none()
            self.form.cleaned_data["pacte"] = pacte
            queryset = queryset.filter(pacte=pacte)
        return super().filter_queryset(queryset)


def action_queryset():
    return Action.objects.select_related("pacte", "axe__pacte", "objectif__axe").prefetch_related(
        "referents",
        Prefetch("partner_roles", queryset=ActionPartner.objects.select_related("partner")),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Actions",
        description="Les mêmes filtres que la liste des actions des pages : pacte, axe, objectif, statut, référent, "
        "partenaire, texte, et compte rendu d'une année (`annee` avec `compte_rendu`).",
    ),
    retrieve=extend_schema(summary="Une action", description="L'en-tête ETag porte la version de l'action."),
    partial_update=conflict_schema(
        summary="Modifier une action",
        description="Réservé aux référents de l'action (et aux agents du Département).",
        subject="l'action",
        request=ActionUpdateSerializer,
        responses={200: ActionSerializer},
    ),
)
class ActionViewSet(mixins.UpdateModelMixin, ReadOnlyViewSet):
    serializer_class = ActionSerializer
    filterset_class = ApiActionFilter
    write_permission = access.EDIT_ACTION
    http_method_names = ["get", "patch", "head", "options"]
    ordering_fields = ["pacte", "number", "title", "status", "progress", "start_date", "end_date", "updated_at"]
    ordering_aliases = {"pacte": "pacte_id", "number": "sort_key"}
    ordering = ["pacte", "number"]
    page_prefetch = [("referents", None), ("partner_roles", ActionPartner.objects.select_related("partner"))]

    def get_queryset(self):
        # A partner account reads only the actions its organisation takes part in.
        return access.visible_actions(self.request.user, action_queryset())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not self.request.query_params.get("ordering"):
            # A full-text search lists the best matches first (then the usual order).
            queryset = search.ordered(queryset, "pacte_id", "sort_key", "pk")
        return queryset

    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        return Response(self.get_serializer(action).data, headers={"ETag": etag(action.version)})

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        if_match = if_match_version(request)
        serializer = ActionUpdateSerializer(action, data=request.data, partial=True, context={"if_match": if_match})
        serializer.is_valid(raise_exception=True)
        try:
            services.update_action(
                action, serializer.validated_data["data"], request.user, serializer.validated_data["version"]
            )
        except ConflictError as error:
            current = self.get_serializer(action_queryset().get(pk=action.pk)).data
            return conflict_response(error, 412 if if_match is not None else 409, current)
        updated = action_queryset().get(pk=action.pk)
        return Response(self.get_serializer(updated).data, headers={"ETag": etag(updated.version)})


class PartnerFilter(django_filters.FilterSet):
    type = choice_filter("kind", PartnerKind.choices, gettext_lazy("Type"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=gettext_lazy("Nom contient"))
    pacte = django_filters.CharFilter(method="filter_pacte", label=gettext_lazy("Pacte (identifiant)"))

    class Meta:
        model = Partner
        fields: list = []

    def filter_pacte(self, queryset, name, value):
        return queryset.filter(actions__pacte__slug=value).distinct()


@extend_schema_view(list=extend_schema(summary="Partenaires"), retrieve=extend_schema(summary="Un partenaire"))
class PartnerViewSet(ReadOnlyViewSet):
    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    ordering_fields = ["name", "kind"]
    ordering = ["name"]


class IndicatorFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="action__pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    axe = id_filter("action__axe", gettext_lazy("Axe"))
    action = id_filter("action", gettext_lazy("Action"))

    class Meta:
        model = Indicator
        fields: list = []


@extend_schema_view(
    list=extend_schema(summary="Indicateurs", description="Avec leurs cibles et valeurs annuelles."),
    retrieve=extend_schema(summary="Un indicateur"),
)
class IndicatorViewSet(ReadOnlyViewSet):
    queryset = Indicator.objects.select_related("action__pacte").prefetch_related("values")
    page_prefetch = [("values", None)]
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["action", "position"]
    ordering_aliases = {"action": ("action__pacte_id", "action__sort_key")}
    ordering = ["action", "position"]


# --- yearly reports ---------------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="action__pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    axe = id_filter("action__axe", gettext_lazy("Axe"))
    action = id_filter("action", gettext_lazy("Action"))
    annee = year_filter("year", gettext_lazy("Année"))
    etat = choice_filter("state", ReportState.choices, gettext_lazy("État"))

    class Meta:
        model = ProgressReport
        fields: list = []


def report_queryset():
    return ProgressReport.objects.select_related("action__pacte", "action__axe", "author").prefetch_related(
        "documents",
        Prefetch("action__indicators", queryset=Indicator.objects.prefetch_related("values")),
    )


class ReportKeySerializer(serializers.Serializer):
    """The (action, year) a new report is for; the rest of the body is read by ReportWriteSerializer."""

    action = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)


WRITE_DESCRIPTION = (
    "Réservé aux référents de l'action (et aux agents du Département), tant que le bilan de l'année n'est pas "
    "approuvé. Les valeurs sont contrôlées comme dans la page du compte rendu ; `submit: true` le transmet. "
)


@extend_schema_view(
    list=extend_schema(summary="Comptes rendus annuels"),
    retrieve=extend_schema(summary="Un compte rendu annuel", description="L'en-tête ETag porte sa version."),
    create=extend_schema(
        summary="Écrire le compte rendu d'une action pour une année",
        description=WRITE_DESCRIPTION + "S'il existe déjà (écrit entre-temps par quelqu'un d'autre), la réponse est "
        "409 et rien n'est modifié : reprenez sa version et utilisez PATCH.",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, 409: CONFLICT_RESPONSES[409]},
    ),
    partial_update=conflict_schema(
        summary="Modifier un compte rendu annuel",
        description=WRITE_DESCRIPTION.strip(),
        subject="le compte rendu",
        request=ReportWriteSerializer,
        responses={200: ReportSerializer},
    ),
)
class ReportViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    write_permission = access.EDIT_REPORT
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["action", "year", "updated_at"]
    ordering_aliases = {"action": ("action__pacte_id", "action__sort_key")}
    ordering = ["action", "-year"]
    page_prefetch = [("documents", None), ("action__indicators", None), ("action__indicators__values", None)]

    def get_queryset(self):
        return report_queryset()

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        return Response(self.get_serializer(report).data, headers={"ETag": etag(report.version)})

    def _write(self, request, action, year, report):
        if_match = if_match_version(request)
        serializer = (ReportCreateSerializer if report is None else ReportWriteSerializer)(
            report,
            data=request.data,
            partial=report is not None,
            context={"action": action, "year": year, "if_match": if_match},
        )
        serializer.is_valid(raise_exception=True)
        valid = serializer.validated_data
        try:
            saved = services.save_report(
                action,
                year,
                request.user,
                valid["data"],
                valid["indicator_values"],
                valid["version"],
                submit=valid["submit"],
                unavailable_reasons=valid["unavailable_reasons"],
            )
        except services.IncompleteReport as error:
            raise ValidationError(error.message_dict) from error
        except ConflictError as error:
            current = report_queryset().filter(action=action, year=year).first()
            current_data = self.get_serializer(current).data if current else None
            return conflict_response(error, 412 if if_match is not None else 409, current_data)
        saved = report_queryset().get(pk=saved.pk)
        return self.get_serializer(saved).data, saved

    def create(self, request, *args, **kwargs):
        key = ReportKeySerializer(data=request.data)
        key.is_valid(raise_exception=True)
        action_id, year = key.validated_data["action"], key.validated_data["year"]
        action = Action.objects.with_tree().filter(pk=action_id).first()
        if action is None:
            raise ValidationError({"action": [_("Cette action n'existe pas.")]})
        if not action.pacte.contains_year(year):
            raise ValidationError(
                {
                    "year": [
                        _("L'année doit être comprise dans les années du pacte (%(first)s-%(last)s).")
                        % {"first": action.pacte.first_year, "last": action.pacte.last_year}
                    ]
                }
            )
        refusal = access.report_refusal(request.user, action, year)
        if refusal:
            raise PermissionDenied(refusal)
        result = self._write(request, action, year, None)
        if isinstance(result, Response):
            return result
        data, saved = result
        location = reverse(f"{request.version}:report-detail", args=[saved.pk])
        return Response(
            data, status=status.HTTP_201_CREATED, headers={"ETag": etag(saved.version), "Location": location}
        )

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        action = get_object_or_404(Action.objects.with_tree(), pk=report.action_id)
        result = self._write(request, action, report.year, report)
        if isinstance(result, Response):
            return result
        data, saved = result
        return Response(data, headers={"ETag": etag(saved.version)})


ROUTES = [
    ("pactes", PacteViewSet, "pacte"),
    ("axes", AxeViewSet, "axe"),
    ("objectifs", ObjectifViewSet, "objectif"),
    ("actions", ActionViewSet, "action"),
    ("partenaires", PartnerViewSet, "partner"),
    ("indicateurs", IndicatorViewSet, "indicator"),
    ("comptes-rendus", ReportViewSet, "report"),
]
