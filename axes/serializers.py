"""Read-only representations of the plan's skeleton for the API (the plan is written by the import)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from axes.models import Axe, Objectif, Pacte
from pti.api import ChoiceLabelField, PersonSerializer


class PacteSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField("status")
    closed_years = serializers.SerializerMethodField(help_text=_("Années dont le bilan est approuvé."))

    class Meta:
        model = Pacte
        fields = [
            "id",
            "slug",
            "title",
            "territory",
            "first_year",
            "last_year",
            "signature_date",
            "status",
            "status_label",
            "description",
            "closed_years",
        ]
        read_only_fields = fields

    def get_closed_years(self, pacte) -> list[int]:
        return sorted(closed.year for closed in pacte.closed_years.all())


class AxeSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    thematic_referents = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Axe
        fields = ["id", "pacte", "number", "title", "description", "thematic_referents"]
        read_only_fields = fields


class ObjectifSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="axe.pacte", slug_field="slug", read_only=True)
    axe_number = serializers.IntegerField(source="axe.number", read_only=True)
    code = serializers.CharField(read_only=True, help_text=_("Numéro de l'axe et de l'objectif, par exemple 2.3."))

    class Meta:
        model = Objectif
        fields = ["id", "pacte", "axe", "axe_number", "number", "code", "text"]
        read_only_fields = fields
