"""The dossier COPIL: one click gives a PDF/A with the year's dashboard and its charts, the highlighted actions
with the committee's comments and the open decisions with their follow-up; the same dossier prints from the
browser."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.services import dossier_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(referent):
    pacte = PacteFactory(slug="pti-dossier", title="PTI de la Haute-Vienne 2022-2025", first_year=2022, last_year=2025)
    orienter = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    accompagner = AxeFactory(pacte=pacte, number=2, title="Renforcer l'accompagnement")
    plateforme = ActionFactory(axe=orienter, number="1.1", title="Plateforme d'orientation", progress=60)
    ProgressReportFactory(action=plateforme, year=2024, state=ReportState.SUBMITTED, progress=60)
    garde = ActionFactory(axe=accompagner, number="2.1", title="Places en crèche", status=ActionStatus.DONE)
    indicator = IndicatorFactory(action=garde, label="Places réservées", unit="places")
    IndicatorValueFactory(indicator=indicator, year=2024, target=40, value=31)
    copil = CopilFactory(
        pacte=pacte,
        date=datetime.date(2024, 11, 26),
        place="Hôtel du Département, Limoges",
        agenda="Point d'étape global",
    )
    copil.attendees.set([referent])
    HighlightedActionFactory(copil=copil, action=plateforme, comment="Délai d'orientation divisé par deux.")
    DecisionFactory(
        copil=copil,
        text="Étendre la plateforme au sud du département <script>alert(1)</script>",
        owner=referent,
        action=plateforme,
        due_date=datetime.date(2025, 6, 30),
        follow_up="Permanences ouvertes à Saint-Yrieix.",
    )
    earlier = CopilFactory(pacte=pacte, date=datetime.date(2023, 11, 21))
    DecisionFactory(copil=earlier, text="Recruter deux référents de parcours", due_date=datetime.date(2024, 3, 31))
    DecisionFactory(copil=earlier, text="Décision déjà réalisée", status=DecisionStatus.DONE)
    return copil


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def test_dossier_pdf_holds_the_dashboard_highlights_and_open_decisions(client, staff, copil):
    client.force_login(staff)
    response = client.get(reverse("pilotage:dossier_pdf", args=[copil.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="dossier-copil-pti-dossier-2024-11-26.pdf"' in response["Content-Disposition"]
    reader, text = pdf_text(response.content)
    text = re.sub(r"\s+", " ", text)

    raw = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", raw)  # PDF/A-3a, from pti.pdf
    assert reader.metadata.title == "Dossier du COPIL du 26/11/2024 – PTI de la Haute-Vienne 2022-2025"
    for expected in [
        "Dossier du COPIL du 26/11/2024",
        "Hôtel du Département, Limoges",
        "Point d'étape global",
        "Tableau de bord 2024",
        "Chiffres clés 2024 et 2023",
        "Avancement moyen",
        "Mieux orienter les personnes",
        "Renforcer l'accompagnement",
        "Actions par statut et par axe, 2024",
        "Places réservées",
        "Plateforme d'orientation",
        "Délai d'orientation divisé par deux.",
        "Étendre la plateforme au sud du département",
        "Permanences ouvertes à Saint-Yrieix.",
        "Recruter deux référents de parcours",
    ]:
        assert expected in text, expected
    assert "Décision déjà réalisée" not in text.split("Décisions ouvertes et leur suivi")[-1]
    # What a user typed is printed as text, never run or interpreted (wherever the cell's lines break: after the
    # "/" of "</script>" too).
    assert "<script>alert(1)</script>" in re.sub(r"\s+", "", text)


def test_dossier_takes_stock_of_the_copil_year_within_the_pacte():
    pacte = PacteFactory(first_year=2022, last_year=2025)
    assert dossier_year(CopilFactory.build(pacte=pacte, date=datetime.date(2024, 11, 26))) == 2024
    assert dossier_year(CopilFactory.build(pacte=pacte, date=datetime.date(2026, 2, 10))) == 2025


def test_dossier_prints_from_the_browser_with_the_same_content(client, copil_member, copil):
    client.force_login(copil_member)
    response = client.get(reverse("pilotage:dossier_print", args=[copil.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<link rel="stylesheet" href="/static/pti/css/pdf.css">' in content
    assert "Ctrl + P" in content
    assert "Délai d&#x27;orientation divisé par deux." in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content and "<script>alert(1)" not in content
    assert content.count("<svg") == 6  # status, weather, progress, budget, comparison, indicators


def test_copil_page_links_to_the_dossier(client, copil_member, copil):
    client.force_login(copil_member)
    content = client.get(reverse("pilotage:copil_detail", args=[copil.pk])).content.decode()
    assert reverse("pilotage:dossier_job", args=[copil.pk]) in content  # the PDF's page: progress, then download
    assert reverse("pilotage:dossier_print", args=[copil.pk]) in content
    assert f"{reverse('pilotage:dashboard', args=[copil.pacte.slug])}?annee=2024" in content
