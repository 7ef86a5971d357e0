"""API of the yearly bilans: read, download the PDF once its SHA-256 is checked against the recorded one, and
record the assembly's decision (approval or rejection) through the same services as the pages."""

import django_filters
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from bilans import services
from bilans.enums import BilanStatus
from bilans.models import Bilan
from bilans.serializers import ApprovalSerializer, BilanSerializer, RejectionSerializer
from pti import access
from pti.api import ReadOnlyViewSet, choice_filter, year_filter


class PdfRefused(APIException):
    """The PDF is not served: absent (404/410) or no longer matching its recorded SHA-256 (409)."""

    default_detail = gettext_lazy("Le PDF de ce bilan n'est pas disponible.")

    def __init__(self, message, status_code):
        self.status_code = status_code
        super().__init__(message)


class Refused(APIException):
    """The bilan's state refuses the move (409), or the PDF service is unavailable (503): nothing changed."""

    status_code = 409

    def __init__(self, error):
        if isinstance(error, services.JobUnavailable):
            self.status_code = 503
        super().__init__(error.message)


DECISION_RESPONSES = {
    400: OpenApiResponse(description="Saisie refusée (par exemple une date de délibération impossible)."),
    403: OpenApiResponse(description="Réservé aux agents du Département."),
    409: OpenApiResponse(description="L'état du bilan refuse cette décision : rien n'a été modifié."),
}


class BilanFilter(django_filters.FilterSet):
    pacte = django_filters.CharFilter(field_name="pacte__slug", label=gettext_lazy("Pacte (identifiant)"))
    annee = year_filter("year", gettext_lazy("Année"))
    statut = choice_filter("status", BilanStatus.choices, gettext_lazy("Statut"))

    class Meta:
        model = Bilan
        fields: list = []


@extend_schema_view(
    list=extend_schema(
        summary="Bilans annuels",
        description="Lecture ; les agents enregistrent aussi la décision de l'assemblée (approbation ou rejet). "
        "La génération et la soumission sont dans les pages.",
    ),
    retrieve=extend_schema(summary="Un bilan annuel"),
)
class BilanViewSet(ReadOnlyViewSet):
    queryset = Bilan.objects.select_related("pacte")
    serializer_class = BilanSerializer
    filterset_class = BilanFilter
    ordering_fields = ["year", "status"]
    ordering = ["-year"]
    write_permission = access.MANAGE_BILANS

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

    @extend_schema(
        summary="Approuver le bilan soumis",
        description="Enregistre la délibération : le PDF est produit une dernière fois avec elle en couverture, "
        "puis figé. Réponse 202 tant que ce PDF est en production (`approving` vrai), 200 une fois approuvé. "
        "Une seconde approbation, ou un rejet, pendant la production répond 409 : la première reste en charge.",
        request=ApprovalSerializer,
        responses={200: BilanSerializer, 202: BilanSerializer, **DECISION_RESPONSES, 503: OpenApiResponse()},
        filters=False,
    )
    @action(detail=True, methods=["post"], url_path="approbation", url_name="approve", filter_backends=[])
    def approve(self, request, *args, **kwargs):
        bilan = self.get_object()
        serializer = ApprovalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            bilan = services.request_approval(bilan, request.user, **serializer.validated_data)
        except services.InvalidInput as error:
            raise ValidationError({error.field: [error.message]}) from error
        except services.BilanError as error:
            raise Refused(error) from error
        code = status.HTTP_202_ACCEPTED if bilan.approving else status.HTTP_200_OK
        return Response(self.get_serializer(bilan).data, status=code)

    @extend_schema(
        summary="Enregistrer le rejet du bilan soumis",
        request=RejectionSerializer,
        responses={200: BilanSerializer, **DECISION_RESPONSES},
        filters=False,
    )
    @action(detail=True, methods=["post"], url_path="rejet", url_name="reject", filter_backends=[])
    def reject(self, request, *args, **kwargs):
        bilan = self.get_object()
        serializer = RejectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            bilan = services.reject(bilan, request.user, serializer.validated_data["rejection_reason"])
        except services.BilanError as error:
            raise Refused(error) from error
        return Response(self.get_serializer(bilan).data)


ROUTES = [("bilans", BilanViewSet, "bilan")]
