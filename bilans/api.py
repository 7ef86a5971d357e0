"""API of the yearly bilans: read, and download the PDF once its SHA-256 is checked against the recorded one."""

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound

from bilans import services
from bilans.enums import BilanStatus
from bilans.models import Bilan
from bilans.serializers import BilanSerializer
from pti.api import ReadOnlyViewSet, year_filter


class PdfRefused(APIException):
    """The PDF is not served: absent (404/410) or no longer matching its recorded SHA-256 (409)."""

    default_detail = gettext_lazy("Le PDF de ce bilan n'est pas disponible.")

    def __init__(self, message, status_code):
        self.status_code = status_code
        super().__init__(message)


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
            409: OpenApiResponse(description="Le fichier ne correspond plus à son empreinte : il n'est pas servi."),
            410: OpenApiResponse(description="Le fichier a disparu du serveur."),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf", pagination_class=None, filter_backends=[])
    def pdf(self, request, *args, **kwargs):
        bilan = self.get_object()
        if not bilan.can_download:
            raise NotFound(_("Ce bilan n'a pas de PDF à télécharger."))
        # The same check as the bilan's page: the file is served only if its SHA-256 is the recorded one.
        try:
            handle = services.verified_pdf(bilan)
        except (services.AlteredPdf, services.PdfUnavailable) as error:
            raise PdfRefused(error.message, error.status_code) from error
        return FileResponse(
            handle, as_attachment=True, filename=services.pdf_filename(bilan), content_type="application/pdf"
        )


ROUTES = [("bilans", BilanViewSet, "bilan")]
