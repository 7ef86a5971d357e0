"""The API of bilans: read by every signed-in user; the PDF is served only when its SHA-256 is the recorded one."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from bilans.enums import BilanStatus
from bilans.factories import BilanFactory
from bilans.models import Bilan

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% bilan 2023\n%%EOF\n"


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def generated_bilan(content=PDF, sha256=None):
    bilan = BilanFactory(status=BilanStatus.GENERATED, pdf_sha256=sha256 or hashlib.sha256(content).hexdigest())
    bilan.pdf.save("bilan.pdf", ContentFile(content), save=True)
    return bilan


def test_bilans_list_with_pdf_link(copil_member):
    bilan = generated_bilan()
    BilanFactory(pacte=bilan.pacte, year=2024)
    body = as_user(copil_member).get(reverse("v1:bilan-list"), {"pacte": bilan.pacte.slug}).json()
    rows = {row["year"]: row for row in body["results"]}
    assert rows[2023]["pdf_url"] == reverse("v1:bilan-pdf", args=[bilan.pk])
    assert rows[2023]["status_label"] == "généré"
    assert rows[2024]["pdf_url"] is None


def test_pdf_is_downloaded_when_its_sha256_matches(copil_member):
    bilan = generated_bilan()
    response = as_user(copil_member).get(reverse("v1:bilan-pdf", args=[bilan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert f"bilan-{bilan.pacte.slug}-2023.pdf" in response["Content-Disposition"]


def test_pdf_missing_on_disk_gives_410(copil_member):
    bilan = generated_bilan()
    bilan.pdf.storage.delete(bilan.pdf.name)
    response = as_user(copil_member).get(reverse("v1:bilan-pdf", args=[bilan.pk]))
    assert response.status_code == 410
    assert "introuvable" in response.json()["detail"]


def test_altered_pdf_is_not_served(copil_member):
    bilan = generated_bilan(sha256="0" * 64)
    response = as_user(copil_member).get(reverse("v1:bilan-pdf", args=[bilan.pk]))
    assert response.status_code == 409
    assert "empreinte" in response.json()["detail"]


def test_bilan_without_pdf_gives_404(copil_member):
    bilan = BilanFactory()
    response = as_user(copil_member).get(reverse("v1:bilan-pdf", args=[bilan.pk]))
    assert response.status_code == 404
    assert "PDF" in response.json()["detail"]
    assert "pdf_url" in as_user(copil_member).get(reverse("v1:bilan-detail", args=[bilan.pk])).json()


def test_bilans_are_read_only_and_closed_to_anonymous(client, staff):
    bilan = BilanFactory()
    assert client.get(reverse("v1:bilan-pdf", args=[bilan.pk])).status_code == 401
    response = as_user(staff).patch(reverse("v1:bilan-detail", args=[bilan.pk]), {"status": "approved"}, format="json")
    assert response.status_code in (403, 405)
    assert Bilan.objects.get(pk=bilan.pk).status == BilanStatus.DRAFT
