"""The yearly report's draft saves itself in a real browser: typed, saved in the background ("Brouillon enregistré
à …"), found again after the tab is closed; and two tabs on the same report: the second one's autosave meets the
first one's version, stops and shows the conflict, with its own text still in the form."""

import re

import pytest
from playwright.sync_api import expect

from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import ProgressReport
from axes.factories import AxeFactory, PacteFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = re.compile(r"^Brouillon enregistré à \d\d:\d\d$")


@pytest.fixture
def action():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    referent = UserFactory(username="claire", first_name="Claire")
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", referents=[referent])


def form_url(live_server, action):
    return f"{live_server.url}/actions/{action.pk}/compte-rendu/2025/"


def test_typed_text_is_saved_in_the_background_and_found_again_after_closing_the_tab(page, live_server, action):
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    page.goto(form_url(live_server, action))
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")

    page.get_by_label("Avancées de l'année").press_sequentially("Plateforme ouverte en mars.")
    # Not saved yet: leaving asks first (the referent stays).
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    expect(status).to_have_text(SAVED)
    expect(page.locator("input[name='version']")).to_have_value("1")
    report = ProgressReport.objects.get(action=action, year=2025)
    assert report.advances == "Plateforme ouverte en mars."

    context = page.context
    page.close()
    again = context.new_page()
    again.goto(form_url(live_server, action))
    expect(again.get_by_label("Avancées de l'année")).to_have_value("Plateforme ouverte en mars.")
    expect(again.locator("input[name='version']")).to_have_value("1")

    # Typed again, then saved: leaving does not ask once the draft is saved.
    again.get_by_label("Difficultés rencontrées").fill("Recrutement lent.")
    expect(again.locator("#autosave-status")).to_have_text(SAVED)
    expect(again.locator("input[name='version']")).to_have_value("2")
    dialogs = []
    again.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    again.goto(f"{live_server.url}/mes-actions/")
    assert dialogs == []


def test_second_tab_meets_the_first_tabs_version_stops_and_loses_nothing(page, live_server, action):
    ProgressReportFactory(action=action, year=2025, advances="Texte de départ.", difficulties="")
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    first = page
    first.goto(form_url(live_server, action))
    second = page.context.new_page()
    second.goto(form_url(live_server, action))

    first.get_by_label("Avancées de l'année").fill("Texte du premier onglet.")
    expect(first.locator("#autosave-status")).to_have_text(SAVED)

    second.get_by_label("Avancées de l'année").fill("Texte du second onglet.")
    status = second.locator("#autosave-status")
    expect(status).to_contain_text("Enregistrement automatique arrêté : une autre personne a modifié ce compte rendu.")
    conflict = second.locator("#conflit")
    expect(conflict).to_contain_text("Modification concurrente")
    expect(conflict).to_contain_text("Texte du premier onglet.")
    expect(second.get_by_label("Avancées de l'année")).to_have_value("Texte du second onglet.")
    assert ProgressReport.objects.get(action=action, year=2025).advances == "Texte du premier onglet."

    # Typing on does not save anything in the background any more.
    second.get_by_label("Avancées de l'année").press_sequentially(" Suite.")
    second.wait_for_timeout(3500)
    assert ProgressReport.objects.get(action=action, year=2025).advances == "Texte du premier onglet."

    # "Enregistrer le brouillon" meets the same conflict: the page comes back with both texts.
    with second.expect_navigation():
        second.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(second.locator("#conflit")).to_contain_text("Texte du premier onglet.")
    expect(second.get_by_label("Avancées de l'année")).to_have_value("Texte du second onglet. Suite.")
    expect(second.locator("#autosave-status")).to_have_text(
        "Enregistrement automatique arrêté : une autre personne a modifié ce compte rendu. "
        "Votre texte est toujours dans le formulaire."
    )
    assert ProgressReport.objects.get(action=action, year=2025).advances == "Texte du premier onglet."
