"""The API's view of COPILs and their decisions (read-only: they are managed on the pages by the staff)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pilotage.models import Copil, Decision, HighlightedAction
from pti.api import PersonSerializer


class HighlightSerializer(serializers.ModelSerializer):
    action_number = serializers.CharField(source="action.number", read_only=True)

    class Meta:
        model = HighlightedAction
        fields = ["action", "action_number", "comment"]
        read_only_fields = fields


class CopilSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attendees = PersonSerializer(many=True, read_only=True)
    partners = serializers.SerializerMethodField(help_text=_("Partenaires présents : identifiant et nom."))
    highlighted_actions = HighlightSerializer(source="highlights", many=True, read_only=True)

    class Meta:
        model = Copil
        fields = ["id", "pacte", "date", "place", "agenda", "minutes", "attendees", "partners", "highlighted_actions"]
        read_only_fields = fields

    def get_partners(self, copil) -> list[dict]:
        return [{"id": partner.pk, "name": partner.name} for partner in copil.partners.all()]


class DecisionSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="copil.pacte", slug_field="slug", read_only=True)
    copil_date = serializers.DateField(source="copil.date", read_only=True)
    action_number = serializers.CharField(source="action.number", read_only=True, allow_null=True, default=None)
    owner = PersonSerializer(read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.BooleanField(read_only=True, help_text=_("Ouverte et échéance dépassée."))

    class Meta:
        model = Decision
        fields = [
            "id",
            "pacte",
            "copil",
            "copil_date",
            "text",
            "action",
            "action_number",
            "owner",
            "due_date",
            "status",
            "status_label",
            "closed_on",
            "is_late",
            "follow_up",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
