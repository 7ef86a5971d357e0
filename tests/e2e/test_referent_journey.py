"""A referent's yearly update, in a real browser: log in, open my actions, fill in this year's report with
indicator values, submit, then see the new status and progress on the action page and the pacte page."""

import re

import pytest
from playwright.sync_api import expect

from actions.enums import ActionStatus
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory
from actions.models import IndicatorValue, ProgressReport
from axes.factories import AxeFactory, PacteFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey_data():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    referent = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    other = UserFactory(username="paul", first_name="Paul", last_name="Durand")
    action = ActionFactory(
        axe=axe,
        number="1.1",
        title="Plateforme départementale d'orientation",
        status=ActionStatus.TO_LAUNCH,
        progress=0,
        referents=[referent],
    )
    indicator = IndicatorFactory(action=action, label="Personnes orientées en moins d'un mois", unit="personnes")
    IndicatorValueFactory(indicator=indicator, year=2025, target=400)
    return {"pacte": pacte, "action": action, "indicator": indicator, "referent": referent, "other": other}


def test_referent_fills_in_this_years_report_and_sees_it_everywhere(page, live_server, journey_data):
    action = journey_data["action"]
    login(page, live_server, "claire", DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/mes-actions/")
    expect(page.get_by_role("heading", name="Mes actions", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile("Rédiger le compte rendu 2025 de l'action 1.1")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Compte rendu 2025 – action 1.1")
    page.get_by_label("Statut de l'action").select_option(label="En cours")
    page.get_by_label("Avancement (%)").fill("65")
    page.get_by_label("Quelques difficultés").check()
    page.get_by_label(re.compile("Personnes orientées en moins d'un mois")).fill("312")
    page.get_by_label("Avancées de l'année").fill("La plateforme a ouvert en mars dans les trois territoires.")
    page.get_by_label("Difficultés rencontrées").fill("Délais de rendez-vous encore longs au sud.")
    page.get_by_label("Ajustements convenus avec les partenaires").fill("Permanences communes avec France Travail.")
    page.get_by_role("button", name="Transmettre le compte rendu").click()

    # Transmitting asks once, with the report as the bilan will print it.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transmettre le compte rendu 2025 de l'action 1.1 ?")
    expect(page.locator("main")).to_contain_text("La plateforme a ouvert en mars dans les trois territoires.")
    expect(page.locator("main")).to_contain_text("312")
    assert ProgressReport.objects.get(action=action, year=2025).state == "draft"
    page.get_by_role("button", name="Confirmer la transmission").click()

    expect(page.get_by_role("status")).to_contain_text("Le compte rendu 2025 a été transmis")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plateforme départementale d'orientation")
    expect(page.locator("main")).to_contain_text("En cours")
    expect(page.locator("main")).to_contain_text("65 %")
    expect(page.locator("main")).to_contain_text("La plateforme a ouvert en mars")

    page.goto(f"{live_server.url}/pactes/pti-2022-2025/")
    page.get_by_text("Objectifs et actions de l'axe 1").click()  # the axe unfolds and loads its actions
    row = page.get_by_role("row", name=re.compile("Plateforme départementale d'orientation"))
    expect(row).to_contain_text("En cours")
    expect(row).to_contain_text("65 %")

    report = ProgressReport.objects.get(action=action, year=2025)
    assert report.state == "submitted" and report.progress == 65 and report.weather == "some_difficulties"
    assert IndicatorValue.objects.get(indicator=journey_data["indicator"], year=2025).value == 312


def test_another_referent_is_refused_the_same_form(page, live_server, journey_data):
    action = journey_data["action"]
    login(page, live_server, "paul", DEFAULT_PASSWORD)
    response = page.goto(f"{live_server.url}/actions/{action.pk}/compte-rendu/2025/")
    assert response.status == 403
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    expect(page.get_by_role("link", name="Compte rendu 2025")).to_have_count(0)
    assert not ProgressReport.objects.exists()
