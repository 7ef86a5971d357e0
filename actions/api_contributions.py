"""API of the partners' yearly contributions (/api/v1/contributions/).

Read by everyone inside the pacte (its referents read them beside their reports); a partner account reads only its
own organisation's (`pti.access.visible_contributions`). Written only by a partner account, for its organisation, on
an action it takes part in and in an open year (`pti.access.contribution_refusal`): POST creates the year's
contribution, PATCH changes it with the `version` read (or If-Match; a stale one is a 409/412 with the colleague's
changes). The checks are the page's form's and the write the page's service (actions/contributions.py)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from actions import contributions
from actions.forms_contributions import ContributionForm
from actions.models import Action, Contribution
from actions.models_contributions import CONTRIBUTION_FIELDS, CONTRIBUTION_TEXT_MAX
from actions.serializers import StrictSerializer, _form_errors, _resolve_version
from pti import access
from pti.api import (
    CONFLICT_RESPONSES,
    ReadOnlyViewSet,
    conflict_response,
    conflict_schema,
    etag,
    id_filter,
    if_match_version,
    year_filter,
)
from pti.concurrency import ConflictError
from pti.inputs import VERSION_MAX, YEAR_MAX, YEAR_MIN


class ContributionSerializer(serializers.ModelSerializer):
    action_number = serializers.CharField(source="action.number", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    author = serializers.StringRelatedField()

    class Meta:
        model = Contribution
        fields = [
            "id",
            "action",
            "action_number",
            "partner",
            "partner_name",
            "year",
            *CONTRIBUTION_FIELDS,
            "author",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


def _text():
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=CONTRIBUTION_TEXT_MAX
    )


class ContributionWriteSerializer(StrictSerializer):
    """POST (with `action` and `year`) or PATCH (with `version`) of a contribution; checked by the page's form."""

    action = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy("Action (à la création)."))
    year = serializers.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=gettext_lazy("Année (à la création).")
    )
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=VERSION_MAX,
        help_text=gettext_lazy("Version lue ; obligatoire pour modifier, sauf avec l'en-tête If-Match."),
    )
    achievements = _text()
    figures = _text()
    difficulties = _text()


class ContributionFilter(django_filters.FilterSet):
    action = id_filter("action_id", gettext_lazy("Action (identifiant)"))
    partenaire = id_filter("partner_id", gettext_lazy("Partenaire (identifiant)"))
    annee = year_filter("year", gettext_lazy("Année"))

    class Meta:
        model = Contribution
        fields: list = []


def _checked(data):
    form = ContributionForm({"version": 0, **data})
    if not form.is_valid():
        raise ValidationError(_form_errors(form))
    return form.contribution_data()


def _save(request, action, year, data, version, if_match=None):
    try:
        return contributions.save_contribution(action, year, request.user, data, version), None
    except ConflictError as error:
        current = None
        if error.instance.pk:
            current = ContributionSerializer(Contribution.objects.get(pk=error.instance.pk)).data
        return None, conflict_response(error, 412 if if_match is not None else 409, current)
    except contributions.ContributionRefused as error:
        raise PermissionDenied(error.message) from None


@extend_schema_view(
    list=extend_schema(summary="Contributions des partenaires"),
    retrieve=extend_schema(summary="Une contribution", description="L'en-tête ETag porte sa version."),
    create=extend_schema(
        summary="Écrire la contribution de son organisation",
        description="Réservé aux comptes des partenaires de l'action, pour une année ouverte du pacte.",
        request=ContributionWriteSerializer,
        responses={201: ContributionSerializer, **CONFLICT_RESPONSES},
    ),
    partial_update=conflict_schema(
        summary="Modifier la contribution de son organisation",
        subject="la contribution",
        request=ContributionWriteSerializer,
        responses={200: ContributionSerializer},
    ),
)
class ContributionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyViewSet):
    serializer_class = ContributionSerializer
    filterset_class = ContributionFilter
    write_permission = access.WRITE_CONTRIBUTION
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["year", "updated_at"]
    ordering = ["-year"]

    def get_queryset(self):
        queryset = Contribution.objects.select_related("action__pacte", "partner", "author")
        return access.visible_contributions(self.request.user, queryset)

    def retrieve(self, request, *args, **kwargs):
        contribution = self.get_object()
        return Response(self.get_serializer(contribution).data, headers={"ETag": etag(contribution.version)})

    def create(self, request, *args, **kwargs):
        if not access.is_partner(request.user):
            raise PermissionDenied(_("Seuls les comptes des partenaires de l'action écrivent leur contribution."))
        serializer = ContributionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = dict(serializer.validated_data)
        missing = {name: [_("Ce champ est obligatoire.")] for name in ("action", "year") if name not in attrs}
        if missing:
            raise ValidationError(missing)
        action = get_object_or_404(Action.objects.select_related("pacte"), pk=attrs.pop("action"))
        year = attrs.pop("year")
        refusal = access.contribution_refusal(request.user, action, year)
        if refusal:
            raise PermissionDenied(refusal)
        if contributions.contribution_for(request.user, action, year) is not None:
            raise ValidationError(
                {"year": [_("La contribution de cette année existe déjà : modifiez-la (PATCH) avec sa version.")]}
            )
        version = attrs.pop("version", 0)
        data = _checked({name: attrs.get(name, "") for name in CONTRIBUTION_FIELDS})
        saved, refused = _save(request, action, year, data, version)
        if refused is not None:
            return refused
        location = reverse(f"{request.version}:contribution-detail", args=[saved.pk])
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(saved.version), "Location": location},
        )

    def partial_update(self, request, *args, **kwargs):
        contribution = self.get_object()
        if_match = if_match_version(request)
        serializer = ContributionWriteSerializer(data=request.data, partial=True, context={"if_match": if_match})
        serializer.is_valid(raise_exception=True)
        attrs = dict(serializer.validated_data)
        if "action" in attrs or "year" in attrs:
            raise ValidationError({"action": [_("Une contribution ne change ni d'action ni d'année.")]})
        version = _resolve_version(serializer, attrs)
        data = {name: getattr(contribution, name) for name in CONTRIBUTION_FIELDS}
        data.update(attrs)
        data = _checked(data)
        saved, refused = _save(request, contribution.action, contribution.year, data, version, if_match)
        if refused is not None:
            return refused
        return Response(self.get_serializer(saved).data, headers={"ETag": etag(saved.version)})


ROUTES = [("contributions", ContributionViewSet, "contribution")]
