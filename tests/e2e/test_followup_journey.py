"""A referent follows his action through the year: he adds a milestone, marks it done, adds a follow-up note, and
sees a late one flagged on his desk; the pages hold at 360 px and have no blocking accessibility violation."""

import datetime

import pytest
from playwright.sync_api import expect

from actions.factories import ActionFactory, MilestoneFactory
from actions.models import FollowUpNote, Milestone
from axes.models import Axe, Pacte
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def action():
    referent = UserFactory(username="lea", first_name="Léa", last_name="Martin")
    pacte = Pacte.objects.create(
        slug="pti-suivi", title="PTI", territory="Haute-Vienne", first_year=2024, last_year=2027
    )
    axe = Axe.objects.create(pacte=pacte, number=1, title="Emploi")
    action = ActionFactory(axe=axe, number="1.1", title="Ateliers numériques", referents=[referent])
    MilestoneFactory(action=action, title="Convention avec la médiathèque", planned_date=datetime.date(2025, 1, 31))
    return action


def test_a_referent_adds_a_milestone_marks_it_done_and_writes_a_note(page, live_server, action):
    login(page, live_server, "lea", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/mes-actions/")
    expect(page.locator("#etapes-en-retard")).to_be_visible()
    expect(
        page.get_by_text("Convention avec la médiathèque, prévue le 31/01/2025, pas encore franchie")
    ).to_be_visible()

    page.goto(f"{live_server.url}/actions/{action.pk}/modifier/etapes/")
    page.get_by_role("link", name="Ajouter une étape").click()
    page.get_by_label("Intitulé").fill("Premier atelier")
    page.get_by_label("Date prévue").fill("2025-03-15")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'étape « Premier atelier » a été enregistrée.")).to_be_visible()

    page.get_by_role("link", name="Marquer franchie Premier atelier").click()
    page.get_by_label("Franchie le").fill("2025-03-16")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'étape « Premier atelier » est franchie.")).to_be_visible()
    assert Milestone.objects.get(title="Premier atelier").done_date == datetime.date(2025, 3, 16)

    page.goto(f"{live_server.url}/actions/{action.pk}/")
    page.get_by_text("Ajouter une note de suivi").click()
    page.get_by_label("Note de suivi").fill("Douze participants au premier atelier.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("La note de suivi a été ajoutée.")).to_be_visible()
    expect(page.locator("#etapes").locator("..")).to_contain_text("en retard")
    note = FollowUpNote.objects.get()
    assert note.text == "Douze participants au premier atelier."

    # The next report's form lists the year's notes beside its fields.
    page.goto(f"{live_server.url}/actions/{action.pk}/compte-rendu/{note.date.year}/")
    expect(page.locator("#notes-annee").locator("..")).to_contain_text("Douze participants au premier atelier.")
    # And the milestone marked done suggests the progress: 1 of 2, copied on request.
    suggestion = page.locator("#avancement-suggere")
    expect(suggestion).to_contain_text("Avancement suggéré d'après les étapes : 50 % (1 franchie sur 2).")
    suggestion.get_by_role("button", name="Reprendre 50 %").click()
    expect(page.get_by_label("Avancement (%)")).to_have_value("50")


def test_the_follow_up_pages_hold_at_360_px_and_are_accessible(page, live_server, action):
    from tests.e2e.test_accessibility import assert_accessible

    milestone = Milestone.objects.get()
    login(page, live_server, "lea", DEFAULT_PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    for path in (
        f"/actions/{action.pk}/",
        f"/actions/{action.pk}/modifier/etapes/",
        f"/actions/{action.pk}/modifier/etapes/nouvelle/",
        f"/actions/{action.pk}/modifier/etapes/{milestone.pk}/franchie/",
        f"/actions/{action.pk}/modifier/etapes/{milestone.pk}/supprimer/",
        f"/actions/{action.pk}/notes/nouvelle/",
        "/mes-actions/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        assert_accessible(page, path)
