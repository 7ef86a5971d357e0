"""The steering committee's journey, in a real browser: a COPIL member opens the dashboard, switches year (the body
swaps in place), drills into an axe and one of its actions; then an agent of the département records a decision
on a COPIL and finds it in the list of open decisions."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.factories import CopilFactory
from pilotage.models import Decision
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey_data():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    orienter = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    accompagner = AxeFactory(pacte=pacte, number=2, title="Renforcer l'accompagnement")
    plateforme = ActionFactory(
        axe=orienter,
        number="1.1",
        title="Plateforme départementale d'orientation",
        status=ActionStatus.IN_PROGRESS,
        progress=65,
    )
    ActionFactory(axe=orienter, number="1.2", title="Rendez-vous sous quinze jours", progress=40)
    ActionFactory(axe=accompagner, number="2.1", title="Référent de parcours", status=ActionStatus.DONE, progress=100)
    for year, progress in ((2023, 30), (2024, 65)):
        ProgressReportFactory(action=plateforme, year=year, progress=progress, state=ReportState.SUBMITTED)
    indicator = IndicatorFactory(action=plateforme, label="Personnes orientées en moins d'un mois")
    IndicatorValueFactory(indicator=indicator, year=2024, target=400, value=312)
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Hôtel du Département, Limoges")
    UserFactory(username="helene", first_name="Hélène", last_name="Faure", copil=True)
    UserFactory(username="sophie", first_name="Sophie", last_name="Lambert", staff=True)
    owner = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    return {"pacte": pacte, "copil": copil, "action": plateforme, "owner": owner}


def test_copil_member_reads_the_dashboard_switches_year_and_drills_down(page, live_server, journey_data):
    login(page, live_server, "helene", DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Pilotage").click()
    expect(page.get_by_role("heading", name="Pilotage des pactes", level=1)).to_be_visible()
    page.get_by_role("link", name="Tableau de bord 2025").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Tableau de bord – PTI 2022-2025")
    expect(page.get_by_role("heading", name="Où en est-on en 2025 ?", level=2)).to_be_visible()
    expect(page.locator("#tableau-de-bord svg").first).to_be_attached()
    # The first screen's charts fold their data tables under them: one click opens the statuses'.
    table = page.get_by_role("table", name="Actions par statut et par axe, 2025")
    expect(table).to_be_hidden()
    page.locator("summary", has_text="Actions par statut et par axe, 2025").click()
    expect(table).to_be_visible()

    page.evaluate("window.sameDocument = true")
    page.get_by_label("Année", exact=True).select_option("2024")  # htmx swaps the body, no reload
    expect(page.get_by_role("heading", name="Où en est-on en 2024 ?", level=2)).to_be_visible()
    assert page.evaluate("window.sameDocument === true")
    expect(page.get_by_role("heading", name="2024 par rapport à 2023", level=2)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/pactes/pti-2022-2025/tableau-de-bord/\?annee=2024$"))
    expect(page.get_by_role("table", name=re.compile("Indicateurs : réalisé et cible"))).to_contain_text(
        "Personnes orientées en moins d'un mois"
    )

    page.get_by_role("link", name="Axe 1. Mieux orienter les personnes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mieux orienter les personnes")
    row = page.get_by_role("row", name=re.compile("Plateforme départementale d'orientation"))
    expect(row).to_contain_text("65 %")
    row.get_by_role("link", name="Plateforme départementale d'orientation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action 1.1 – Plateforme départementale d'orientation")


def test_staff_record_a_decision_and_find_it_among_the_open_decisions(page, live_server, journey_data):
    copil = journey_data["copil"]
    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/pactes/pti-2022-2025/copils/")
    page.get_by_role("link", name="COPIL du 26/11/2024", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("COPIL du 26/11/2024")
    page.get_by_role("link", name="Ajouter une décision").click()

    page.get_by_label("Décision").fill("Étendre la plateforme au sud du département")
    page.get_by_label("Action liée").select_option(label="1.1 – Plateforme départementale d'orientation")
    page.get_by_label("Responsable").select_option(label="Claire Martin")
    page.get_by_label("Échéance").fill("2025-03-31")
    page.get_by_label("Suivi").fill("Premières permanences à Saint-Yrieix en janvier.")
    page.get_by_role("button", name="Enregistrer la décision").click()

    expect(page.get_by_role("status")).to_contain_text("La décision a été enregistrée.")
    decisions = page.get_by_role("region", name="Décisions")
    expect(decisions).to_contain_text("Étendre la plateforme au sud du département")
    expect(decisions).to_contain_text("Premières permanences à Saint-Yrieix en janvier.")

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Pilotage").click()
    page.get_by_role("link", name="Toutes les décisions ouvertes").click()
    row = page.get_by_role("row", name=re.compile("Étendre la plateforme au sud du département"))
    expect(row).to_contain_text("Claire Martin")
    expect(row).to_contain_text("31/03/2025")
    expect(row).to_contain_text("en retard")  # due before today: late decisions come first

    decision = Decision.objects.get()
    assert (decision.copil, decision.action, decision.owner) == (copil, journey_data["action"], journey_data["owner"])
    assert decision.status == "open"
