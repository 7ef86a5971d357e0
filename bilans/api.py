"""API of the yearly bilans: read, and download the PDF once its SHA-256 is checked against the recorded one."""

import hashlib
import logging

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound

from bilans.enums import BilanStatus
from bilans.models import Bilan
from bilans.serializers import BilanSerializer
from pti.api import ReadOnlyViewSet, year_filter

logger = logging.getLogger(__name__)


class AlteredFile(APIException):
    status_code = 409
    default_detail = gettext_lazy(
        "Le fichier PDF ne correspond plus à son empreinte enregistrée : il n'est pas servi. "
        "Prévenez l'administrateur de l'application."
    )
    default_code = "altered_file"


def file_sha256(field):
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BilanFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    annee = year_filter("year", gettext_lazy("Année"))
    statut = django_filters.ChoiceFilter(field_name="status", choices=BilanStatus.choices, label=gettext_lazy("Statut"))

    class Meta:
        model = Bilan
        fields: list = []


@extend_schema_view(
    list=extend_schema(
        summary="Bilans annuels", description="Lecture seule : le circuit des bilans est dans les pages."
    ),
    retrieve=extend_schema(summary="Un bilan annuel"),
)
class BilanViewSet(ReadOnlyViewSet):
    queryset = Bilan.objects.select_related("pacte")
    serializer_class = BilanSerializer
    filterset_class = BilanFilter
    ordering_fields = ["year", "status"]
    ordering = ["-year"]

    @extend_schema(
        summary="Télécharger le PDF du bilan",
        description="Le fichier n'est servi que si son empreinte SHA-256 est celle enregistrée à la génération.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le PDF du bilan."),
            404: OpenApiResponse(description="Pas de PDF pour ce bilan."),
            409: OpenApiResponse(description="Le fichier ne correspond plus à son empreinte."),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf", pagination_class=None, filter_backends=[])
    def pdf(self, request, *args, **kwargs):
        bilan = self.get_object()
        if not bilan.pdf or not bilan.pdf_sha256:
            raise NotFound(_("Ce bilan n'a pas encore de PDF."))
        try:
            sha256 = file_sha256(bilan.pdf)
        except FileNotFoundError as error:
            raise NotFound(_("Le fichier PDF de ce bilan n'est plus disponible.")) from error
        if sha256 != bilan.pdf_sha256:
            logger.error("Bilan %s: PDF SHA-256 %s differs from the recorded %s", bilan.pk, sha256, bilan.pdf_sha256)
            raise AlteredFile()
        filename = f"bilan-{bilan.pacte.slug}-{bilan.year}.pdf"
        return FileResponse(bilan.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")


ROUTES = [("bilans", BilanViewSet, "bilan")]
