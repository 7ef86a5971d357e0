"""The API's view of the yearly bilans (read and download only: their workflow lives on the pages)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bilans.forms import REASON_MAX
from bilans.models import Bilan
from pti.api import ChoiceLabelField


class BilanSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = ChoiceLabelField("status")
    pdf_url = serializers.SerializerMethodField(help_text=_("Téléchargement du PDF, s'il a été généré."))

    class Meta:
        model = Bilan
        fields = [
            "id",
            "pacte",
            "year",
            "status",
            "status_label",
            "approving",
            "introduction",
            "conclusion",
            "pdf_url",
            "pdf_sha256",
            "generation_step",
            "generation_progress",
            "generation_started_at",
            "generation_finished_at",
            "submitted_at",
            "approval_date",
            "deliberation_reference",
            "rejection_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_pdf_url(self, bilan) -> str | None:
        if not bilan.can_download:
            return None
        request = self.context.get("request")
        namespace = getattr(request, "version", None) or "v1"
        return reverse(f"{namespace}:bilan-pdf", args=[bilan.pk])


class ApprovalSerializer(serializers.Serializer):
    """The assembly's approval: its deliberation (the date's rule is the workflow's, checked by the service)."""

    approval_date = serializers.DateField(
        help_text=_("Date de la délibération : pas avant la soumission du bilan, pas dans le futur.")
    )
    deliberation_reference = serializers.CharField(
        max_length=120, help_text=_("Référence de la délibération, par exemple CD-2025-03-012.")
    )


class RejectionSerializer(serializers.Serializer):
    rejection_reason = serializers.CharField(
        max_length=REASON_MAX, help_text=_("Ce que l'assemblée demande de revoir (conservé dans l'historique).")
    )
