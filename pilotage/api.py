"""API of the COPILs and their decisions: readable by everyone signed in; written by the staff (COPILs and
decisions, as on the pages) and by a decision's owner (its follow-up and status only).

Every write is checked by the pages' forms and carries the version it read (`version`, or `If-Match`): a stale
one is refused with 409 (412 with If-Match) and the other person's changes.
"""

import django_filters
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from axes.models import Pacte
from pilotage import services
from pilotage.enums import DecisionStatus
from pilotage.models import Copil, CopilAttendee, Decision, HighlightedAction
from pilotage.serializers import (
    OWNER_FIELDS,
    CopilSerializer,
    CopilWriteSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
)
from pti import access
from pti.api import (
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
from pti.inputs import ID_MAX, BooleanFilter

MANAGE_REFUSED = gettext_lazy("Seuls les agents du Département gèrent les COPIL et leurs décisions.")
OWNER_REFUSED = gettext_lazy(
    "Le responsable d'une décision n'en modifie que le suivi (follow_up) et le statut (status) ; le reste est "
    "modifié par les agents du Département."
)


class CopilFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    annee = year_filter("date__year", gettext_lazy("Année"))

    class Meta:
        model = Copil
        fields: list = []


def copil_queryset():
    return Copil.objects.select_related("pacte").prefetch_related(
        "attendees",
        "partners",
        Prefetch("guests", queryset=CopilAttendee.objects.select_related("partner")),
        Prefetch("highlights", queryset=HighlightedAction.objects.select_related("action")),
    )


def _require_manage(user):
    if not access.can_manage_pilotage(user):
        raise PermissionDenied(MANAGE_REFUSED)


COPIL_WRITE = (
    "Réservé aux agents du Département. Les règles sont celles de la page du COPIL, avec ses messages. Les listes "
    "envoyées (`attendees`, `partners`, `guests`, `highlighted_actions`) remplacent celles du COPIL ; une liste "
    "absente reste telle quelle. "
)


@extend_schema_view(
    list=extend_schema(summary="COPIL"),
    retrieve=extend_schema(summary="Un COPIL", description="L'en-tête ETag porte la version du COPIL."),
    create=extend_schema(
        summary="Créer un COPIL",
        description=COPIL_WRITE + "Le champ `pacte` (identifiant) et la date sont obligatoires.",
        request=CopilWriteSerializer,
        responses={201: CopilSerializer},
    ),
    partial_update=conflict_schema(
        summary="Modifier un COPIL",
        description=COPIL_WRITE.strip(),
        subject="le COPIL",
        request=CopilWriteSerializer,
        responses={200: CopilSerializer},
    ),
)
class CopilViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    serializer_class = CopilSerializer
    filterset_class = CopilFilter
    write_permission = access.MANAGE_PILOTAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["date"]
    ordering = ["-date"]

    def get_queryset(self):
        return copil_queryset()

    def retrieve(self, request, *args, **kwargs):
        copil = self.get_object()
        return Response(self.get_serializer(copil).data, headers={"ETag": etag(copil.version)})

    def _validated(self, request, copil, pacte, if_match):
        serializer = CopilWriteSerializer(
            copil, data=request.data, partial=copil is not None, context={"pacte": pacte, "if_match": if_match}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        _require_manage(request.user)
        slug = request.data.get("pacte") if hasattr(request.data, "get") else None
        if not isinstance(slug, str) or not slug:
            raise ValidationError({"pacte": [_("Le pacte du COPIL est obligatoire (son identifiant).")]})
        pacte = Pacte.objects.filter(slug=slug[:60]).first()
        if pacte is None:
            raise ValidationError({"pacte": [_("Aucun pacte n'a l'identifiant « %(slug)s ».") % {"slug": slug[:60]}]})
        valid = self._validated(request, None, pacte, None)
        copil = services.create_copil(
            pacte,
            valid["data"],
            attendees=valid["attendees"] or (),
            partners=valid["partners"] or (),
            highlights=valid["highlights"] or (),
            guests=valid["guests"] or (),
        )
        copil = copil_queryset().get(pk=copil.pk)
        location = reverse(f"{request.version}:copil-detail", args=[copil.pk])
        return Response(
            self.get_serializer(copil).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(copil.version), "Location": location},
        )

    def partial_update(self, request, *args, **kwargs):
        copil = self.get_object()
        if_match = if_match_version(request)
        valid = self._validated(request, Copil.objects.select_related("pacte").get(pk=copil.pk), copil.pacte, if_match)
        try:
            services.update_copil(
                copil,
                valid["data"],
                valid["version"],
                attendees=valid["attendees"],
                partners=valid["partners"],
                highlights=valid["highlights"],
                guests=valid["guests"],
            )
        except ConflictError as error:
            current = self.get_serializer(copil_queryset().get(pk=copil.pk)).data
            return conflict_response(error, 412 if if_match is not None else 409, current)
        updated = copil_queryset().get(pk=copil.pk)
        return Response(self.get_serializer(updated).data, headers={"ETag": etag(updated.version)})


class DecisionFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="copil__pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    copil = id_filter("copil", gettext_lazy("COPIL"))
    action = id_filter("action", gettext_lazy("Action liée"))
    statut = choice_filter("status", DecisionStatus.choices, gettext_lazy("Statut"))
    en_retard = BooleanFilter(method="filter_late", label=gettext_lazy("Ouvertes et en retard"))

    class Meta:
        model = Decision
        fields: list = []

    def filter_late(self, queryset, name, value):
        late = queryset.late(timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


def decision_queryset():
    return Decision.objects.select_related("copil__pacte", "action", "owner")


class DecisionKeySerializer(serializers.Serializer):
    copil = serializers.IntegerField(min_value=1, max_value=ID_MAX)


DECISION_WRITE = (
    "Les règles sont celles de la page de la décision, avec ses messages ; passer le statut à « réalisée » ou "
    "« abandonnée » la clôt à la date du jour. "
)


@extend_schema_view(
    list=extend_schema(summary="Décisions de COPIL"),
    retrieve=extend_schema(summary="Une décision", description="L'en-tête ETag porte la version de la décision."),
    create=extend_schema(
        summary="Ajouter une décision à un COPIL",
        description="Réservé aux agents du Département. " + DECISION_WRITE + "Le champ `copil` et le texte sont "
        "obligatoires.",
        request=DecisionWriteSerializer,
        responses={201: DecisionSerializer},
    ),
    partial_update=conflict_schema(
        summary="Modifier une décision",
        description="Les agents du Département modifient tout ; le responsable de la décision, seulement son suivi "
        "(`follow_up`) et son statut (`status`). " + DECISION_WRITE.strip(),
        subject="la décision",
        request=DecisionWriteSerializer,
        responses={200: DecisionSerializer},
    ),
)
class DecisionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    write_permission = access.FOLLOW_UP_DECISION
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["due_date", "copil", "status"]
    ordering_aliases = {"copil": "copil__date"}
    ordering = ["due_date"]

    def get_queryset(self):
        return decision_queryset()

    def retrieve(self, request, *args, **kwargs):
        decision = self.get_object()
        return Response(self.get_serializer(decision).data, headers={"ETag": etag(decision.version)})

    def create(self, request, *args, **kwargs):
        _require_manage(request.user)
        key = DecisionKeySerializer(data=request.data)
        key.is_valid(raise_exception=True)
        copil = Copil.objects.select_related("pacte").filter(pk=key.validated_data["copil"]).first()
        if copil is None:
            raise ValidationError({"copil": [_("Ce COPIL n'existe pas.")]})
        serializer = DecisionWriteSerializer(data=request.data, context={"copil": copil, "if_match": None})
        serializer.is_valid(raise_exception=True)
        decision = services.create_decision(copil, serializer.validated_data["data"])
        decision = decision_queryset().get(pk=decision.pk)
        location = reverse(f"{request.version}:decision-detail", args=[decision.pk])
        return Response(
            self.get_serializer(decision).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(decision.version), "Location": location},
        )

    def partial_update(self, request, *args, **kwargs):
        decision = self.get_object()  # staff or the decision's owner (access.can_follow_up_decision)
        if not access.can_manage_pilotage(request.user) and hasattr(request.data, "keys"):
            others = sorted(set(request.data.keys()) - {*OWNER_FIELDS, "version"})
            if others:
                raise PermissionDenied(OWNER_REFUSED)
        if_match = if_match_version(request)
        fresh = decision_queryset().get(pk=decision.pk)
        serializer = DecisionWriteSerializer(
            fresh, data=request.data, partial=True, context={"copil": fresh.copil, "if_match": if_match}
        )
        serializer.is_valid(raise_exception=True)
        valid = serializer.validated_data
        data = valid["data"]
        if not access.can_manage_pilotage(request.user):
            data = {name: data[name] for name in OWNER_FIELDS}
        try:
            services.update_decision(decision, data, valid["version"])
        except ConflictError as error:
            current = self.get_serializer(decision_queryset().get(pk=decision.pk)).data
            return conflict_response(error, 412 if if_match is not None else 409, current)
        updated = decision_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(updated).data, headers={"ETag": etag(updated.version)})


ROUTES = [
    ("copils", CopilViewSet, "copil"),
    ("decisions", DecisionViewSet, "decision"),
]
