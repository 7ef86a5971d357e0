"""A partner account in a real browser (issue 16): it lands in its space, writes its organisation's contribution,
and the action's referent takes it into his report with « Reprendre », added after what he had written; both pages
pass axe-core and hold at 360 px."""

import pytest
from playwright.sync_api import expect

from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory, PartnerMemberFactory
from axes.factories import AxeFactory, PacteFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page):
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_partner_writes_and_referent_takes_it_into_his_report(page, live_server):
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    referent = UserFactory(username="claire", first_name="Claire")
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", referents=[referent])
    partner = PartnerFactory(name="France Travail")
    ActionPartnerFactory(action=action, partner=partner)
    PartnerMemberFactory(user__username="paul", partner=partner)

    login(page, live_server, "paul", DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace partenaire – France Travail")
    page.get_by_role("link", name="2025 – à écrire").click()
    page.get_by_label("Ce que nous avons fait").fill("Deux ateliers par mois.\nUn job dating en juin.")
    page.get_by_label("Les difficultés rencontrées").fill("Peu de transports.")
    assert_accessible(page, "contribution d'un partenaire")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la contribution").click()
    expect(page.get_by_role("status").first).to_contain_text("La contribution 2025 de France Travail a été enregistrée")

    page.context.clear_cookies()
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/actions/{action.pk}/compte-rendu/2025/")
    field = page.get_by_label("Avancées de l'année")
    field.fill("Plateforme ouverte.")
    page.get_by_role(
        "button", name="Reprendre dans « Avancées de l'année » – France Travail, Ce que nous avons fait"
    ).click()
    expect(field).to_have_value("Plateforme ouverte.\n\nDeux ateliers par mois.\nUn job dating en juin.")
    # Twice is once: the text is not added again.
    page.get_by_role(
        "button", name="Reprendre dans « Avancées de l'année » – France Travail, Ce que nous avons fait"
    ).click()
    expect(field).to_have_value("Plateforme ouverte.\n\nDeux ateliers par mois.\nUn job dating en juin.")
    page.get_by_role("button", name="Reprendre dans « Difficultés rencontrées » – France Travail").click()
    expect(page.get_by_label("Difficultés rencontrées")).to_have_value("Peu de transports.")
    assert_accessible(page, "compte rendu avec les contributions des partenaires")
    no_sideways_scroll(page)
