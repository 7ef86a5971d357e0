"""What a signed-in user is shown never stays in a shared cache: pages, documents and API answers are
`private, no-store`, PDFs `private, no-cache`; public answers keep their own headers."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import ReportDocument
from pilotage.factories import CopilFactory

pytestmark = pytest.mark.django_db


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def action(referent):
    return ActionFactory(referents=[referent])


@pytest.mark.parametrize(
    "url",
    [
        lambda action: reverse("home"),
        lambda action: reverse("actions:detail", args=[action.pk]),
        lambda action: reverse("actions:edit", args=[action.pk]),
        lambda action: reverse("actions:list"),
        lambda action: reverse("actions_io:actions_xlsx"),
        lambda action: reverse("actions_io:actions_csv"),
        lambda action: reverse("pilotage:dashboard", args=[action.pacte.slug]),
        lambda action: "/page-qui-n-existe-pas/",
    ],
)
def test_signed_in_pages_are_private_and_not_stored(client, referent, action, url):
    client.force_login(referent)
    response = client.get(url(action))
    assert {"private", "no-store"} <= directives(response), response.get("Cache-Control")
    assert "public" not in directives(response)


def test_api_answers_to_a_token_are_private_and_not_stored(client, referent, action):
    token = Token.objects.create(user=referent)
    response = client.get(f"/api/v1/actions/{action.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_supporting_document_is_private_and_not_stored(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024)
    document = ReportDocument.objects.create(
        report=report, file=ContentFile(b"texte", name="note.txt"), title="Note", content_type="text/plain", size=5
    )
    client.force_login(referent)
    response = client.get(reverse("actions:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"texte"
    response.close()
    assert {"private", "no-store"} <= directives(response)


def test_a_pdf_is_private_and_revalidated(client, referent, action):
    copil = CopilFactory(pacte=action.pacte)
    client.force_login(referent)
    response = client.get(reverse("pilotage:dossier_pdf", args=[copil.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert {"private", "no-cache"} <= directives(response) and "no-store" not in directives(response)


def test_static_files_may_be_cached_even_for_a_signed_in_user(client, referent, settings):
    settings.WHITENOISE_USE_FINDERS = True  # served from the packages, as in development (no collectstatic here)
    client.force_login(referent)
    static = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    static.close()
    assert static.status_code == 200
    assert "private" not in directives(static) and "no-store" not in directives(static)
