"""The referent's desk in a real browser: last year's text copied into this year's field with the button, and an
indicator's gap to its target following the value as it is typed; at 360 px, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    referent = UserFactory(username="claire", first_name="Claire")
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", referents=[referent])
    ProgressReportFactory(
        action=action, year=2024, submitted=True, advances="Plateforme ouverte en mars.\nTrois territoires couverts."
    )
    indicator = IndicatorFactory(action=action, label="Personnes orientées", unit="personnes", baseline=120)
    IndicatorValueFactory(indicator=indicator, year=2025, target=400)
    return action, indicator


def test_referent_copies_last_years_text_and_sees_the_gap_follow_the_value(page, live_server, desk):
    action, indicator = desk
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/actions/{action.pk}/compte-rendu/2025/")

    field = page.get_by_label("Avancées de l'année")
    expect(field).to_have_value("")
    page.locator("summary", has_text="Texte de 2024").first.click()
    page.get_by_role("button", name="Reprendre le texte de 2024 – Avancées de l'année").click()
    expect(field).to_have_value("Plateforme ouverte en mars.\nTrois territoires couverts.")
    expect(field).to_be_focused()

    gap = page.locator(f"#id_indicator_{indicator.pk}_ecart")
    expect(gap).to_have_text("—")
    expect(gap).to_have_attribute("aria-live", "polite")
    page.get_by_label("Personnes orientées (personnes)").fill("312")
    expect(gap).to_have_text("\u221288")
    page.get_by_label("Personnes orientées (personnes)").fill("412,5")
    expect(gap).to_have_text("+12,5")
    page.get_by_label("Personnes orientées (personnes)").fill("")
    expect(gap).to_have_text("—")

    assert_accessible(page, "formulaire du compte rendu, texte de 2024 ouvert")
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    # Saved as a draft, the report is previewed as the bilan will print it.
    page.get_by_label("Personnes orientées (personnes)").fill("312")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("link", name="Aperçu : le compte rendu enregistré tel qu’il figurera dans le bilan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu du compte rendu 2025 de l’action 1.1")
    expect(page.locator(".report")).to_contain_text("Plateforme ouverte en mars.")
    expect(page.locator(".bilan-preview table")).to_contain_text("312")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert_accessible(page, "aperçu du compte rendu")
