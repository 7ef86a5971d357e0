"""The API's view of the yearly bilans (read and download only: their workflow lives on the pages)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bilans.models import Bilan


class BilanSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    pdf_url = serializers.SerializerMethodField(help_text=_("Téléchargement du PDF, s'il a été généré."))

    class Meta:
        model = Bilan
        fields = [
            "id",
            "pacte",
            "year",
            "status",
            "status_label",
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
