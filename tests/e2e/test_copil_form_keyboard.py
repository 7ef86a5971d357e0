"""The COPIL form with the keyboard only, in a real browser: an agent filters the partners and the users and checks
them without Ctrl+click, adds a person without an account and a highlighted action picked from the pacte's
actions, and saves; the COPIL page shows them."""

import datetime

import pytest
from playwright.sync_api import expect

from actions.factories import ActionFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.factories import CopilFactory
from pilotage.models import Copil
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def copil():
    pacte = PacteFactory(slug="pti-clavier", title="PTI 2022-2025", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=2)
    ActionFactory(axe=axe, number="2.3", title="Clauses sociales")
    ActionFactory(axe=axe, number="2.4", title="Garde d'enfants")
    for name in ("France Travail", "Caisse d'allocations familiales", "Mission locale", "Région Nouvelle-Aquitaine"):
        PartnerFactory(name=name)
    UserFactory(username="sophie", first_name="Sophie", last_name="Lambert", staff=True)
    UserFactory(username="helene", first_name="Hélène", last_name="Faure", copil=True, organisation="CAF")
    UserFactory(username="marc", first_name="Marc", last_name="Durand")
    return CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))


def test_an_agent_fills_the_copil_form_with_the_keyboard(page, live_server, copil):
    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/copils/{copil.pk}/modifier/")

    # The partners: type in the filter, go down to the only row left, check it with Space.
    partners_filter = page.get_by_label("Filtrer la liste « Partenaires présents »")
    partners_filter.focus()
    page.keyboard.type("mission")
    partners = page.get_by_role("group", name="Partenaires présents")
    expect(partners.get_by_role("checkbox", name="Mission locale")).to_be_visible()
    expect(partners.get_by_role("checkbox", name="France Travail")).to_be_hidden()
    expect(page.locator("#id_partners_etat")).to_have_text("0 choisi sur 4 ; 1 affiché")
    page.keyboard.press("ArrowDown")
    expect(partners.get_by_role("checkbox", name="Mission locale")).to_be_focused()
    page.keyboard.press("Space")
    expect(partners.get_by_role("checkbox", name="Mission locale")).to_be_checked()
    expect(page.locator("#id_partners_etat")).to_have_text("1 choisi sur 4 ; 1 affiché")
    # Enter in the filter does not send the form; Escape empties it.
    partners_filter.focus()
    page.keyboard.press("Escape")
    expect(partners.get_by_role("checkbox", name="France Travail")).to_be_visible()
    page.keyboard.type("accents alloca")  # no row has both words
    expect(partners.get_by_text("Aucun élément ne correspond au filtre.")).to_be_visible()
    page.keyboard.press("Escape")

    # The users: accents and case ignored; the organisation is searched too.
    page.get_by_label("Filtrer la liste « Participants ayant un compte »").focus()
    page.keyboard.type("helene")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", name="Hélène Faure (CAF)")).to_be_focused()
    page.keyboard.press("Space")
    assert page.url.endswith("/modifier/")  # still on the form

    # A person without an account: the « add » button gives a new row and puts the focus in it.
    before = page.locator("[data-pti-rows=personnes] [data-pti-row]").count()
    page.get_by_role("button", name="Ajouter une personne").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-pti-rows=personnes] [data-pti-row]")).to_have_count(before + 1)
    expect(page.locator(f"#id_personnes-{before}-name")).to_be_focused()
    page.keyboard.type("Claire Martin")
    page.locator(f"#id_personnes-{before}-function").fill("Directrice")
    page.locator(f"#id_personnes-{before}-presence").select_option("excused")

    # A highlighted action, typed in the search field fed by the pacte's actions.
    page.locator("#id_mises_en_avant-0-action").fill("2.4 – Garde d'enfants")
    page.locator("#id_mises_en_avant-0-comment").fill("Nouvelles places ouvertes")

    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le COPIL a été enregistré.")).to_be_visible()
    expect(page.get_by_role("table", name="Liste des participants : 1 présent, 1 excusé")).to_be_visible()
    expect(page.get_by_role("cell", name="Claire Martin")).to_be_visible()
    expect(page.get_by_role("cell", name="Nouvelles places ouvertes")).to_be_visible()

    saved = Copil.objects.get(pk=copil.pk)
    assert [p.name for p in saved.partners.all()] == ["Mission locale"]
    assert [u.username for u in saved.attendees.all()] == ["helene"]
    assert [(g.name, g.presence) for g in saved.guests.all()] == [("Claire Martin", "excused")]
    assert [(h.action.number, h.comment) for h in saved.highlights.all()] == [("2.4", "Nouvelles places ouvertes")]


def test_without_javascript_the_checkboxes_still_work(browser, live_server, copil, _live_server_closes_its_connections):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, "sophie", DEFAULT_PASSWORD)
        page.goto(f"{live_server.url}/copils/{copil.pk}/modifier/")
        expect(page.get_by_label("Filtrer la liste « Partenaires présents »")).to_be_hidden()
        expect(page.get_by_role("button", name="Ajouter une personne")).to_be_hidden()
        page.get_by_role("checkbox", name="France Travail").check()
        page.locator("#id_personnes-0-name").fill("Paul Durand")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("Le COPIL a été enregistré.")).to_be_visible()
    finally:
        context.close()
    saved = Copil.objects.get(pk=copil.pk)
    assert [p.name for p in saved.partners.all()] == ["France Travail"]
    assert [g.name for g in saved.guests.all()] == ["Paul Durand"]
