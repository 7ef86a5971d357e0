"""API of the Assises de l'insertion: the working groups of a pacte with their meetings, and the proposals with
their fate and the actions that carry them. Read-only (staff record them on the pages, actions.views_assises),
readable by every signed-in user, like the pages. Counts only: never a name of a participant."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from axes.enums import ProposalFate
from axes.models import Meeting, Proposal, WorkingGroup
from pti.api import ChoiceLabelField, ReadOnlyViewSet, choice_filter

COUNTS_HELP = _("Nombre de personnes par catégorie (jamais de noms).")


class CountsSerializer(serializers.Serializer):
    institutional = serializers.IntegerField(help_text=_("Partenaires institutionnels."))
    economic = serializers.IntegerField(help_text=_("Acteurs économiques."))
    associative = serializers.IntegerField(help_text=_("Associations."))
    social_workers = serializers.IntegerField(help_text=_("Travailleurs sociaux."))
    rsa_beneficiaries = serializers.IntegerField(help_text=_("Personnes au RSA."))


class MeetingSerializer(serializers.ModelSerializer):
    participants = CountsSerializer(source="counts", read_only=True, help_text=COUNTS_HELP)

    class Meta:
        model = Meeting
        fields = ["id", "date", "place", "topic", "participants"]
        read_only_fields = fields


class WorkingGroupSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="axe.pacte", slug_field="slug", read_only=True)
    axe_number = serializers.IntegerField(source="axe.number", read_only=True)
    members = CountsSerializer(source="counts", read_only=True, help_text=COUNTS_HELP)
    meetings = MeetingSerializer(many=True, read_only=True)

    class Meta:
        model = WorkingGroup
        fields = ["id", "pacte", "axe", "axe_number", "title", "description", "members", "meetings"]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="group.axe.pacte", slug_field="slug", read_only=True)
    code = serializers.CharField(read_only=True, help_text=_("Numéro de la thématique et de la proposition, 2.3."))
    fate_label = ChoiceLabelField("fate")
    actions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Les actions qui portent la proposition (retenue).")
    )

    class Meta:
        model = Proposal
        fields = ["id", "pacte", "group", "number", "code", "text", "fate", "fate_label", "merged_into", "reason"]
        fields += ["actions"]
        read_only_fields = fields


class AssisesFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="axe__pacte__slug", label=_("Pacte (identifiant)"))

    class Meta:
        model = WorkingGroup
        fields: list = []


class ProposalFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="group__axe__pacte__slug", label=_("Pacte (identifiant)"))
    suite = choice_filter("fate", ProposalFate.choices, _("Suite donnée"))

    class Meta:
        model = Proposal
        fields: list = []


@extend_schema_view(
    list=extend_schema(summary="Groupes de travail des Assises"),
    retrieve=extend_schema(summary="Un groupe de travail des Assises"),
)
class WorkingGroupViewSet(ReadOnlyViewSet):
    queryset = WorkingGroup.objects.select_related("axe__pacte").prefetch_related(
        Prefetch("meetings", queryset=Meeting.objects.order_by("date", "pk"))
    )
    serializer_class = WorkingGroupSerializer
    filterset_class = AssisesFilter
    ordering_fields = ["axe"]
    ordering_aliases = {"axe": ("axe__pacte_id", "axe__number")}
    ordering = ["axe"]


@extend_schema_view(
    list=extend_schema(summary="Propositions des Assises"), retrieve=extend_schema(summary="Une proposition")
)
class ProposalViewSet(ReadOnlyViewSet):
    queryset = Proposal.objects.select_related("group__axe__pacte").prefetch_related("actions")
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    ordering_fields = ["group", "number"]
    ordering_aliases = {"group": ("group__axe__pacte_id", "group__axe__number")}
    ordering = ["group", "number"]


ROUTES = [
    ("assises-groupes", WorkingGroupViewSet, "workinggroup"),
    ("assises-propositions", ProposalViewSet, "proposal"),
]
