"""In a real browser, on a phone's width: the owner of a COPIL decision closes it from /mes-actions/ (with the
confirmation), and staff preview then send a campaign's reminders now; no page scrolls sideways at 360 px."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from actions.factories import ActionFactory
from axes.factories import AxeFactory, PacteFactory
from bilans.models import Reminder, ReportingCampaign
from pilotage.factories import CopilFactory, DecisionFactory
from pilotage.models import Decision
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login
from tests.e2e.test_widths import wider_than_the_screen

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def data():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    owner = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    UserFactory(username="agent-relances", first_name="Agnès", last_name="Petit", staff=True)
    ActionFactory(axe=axe, number="1.1", title="Plateforme départementale d'orientation", referents=[owner])
    copil = CopilFactory(pacte=pacte, date=datetime.date(2025, 11, 20))
    decision = DecisionFactory(
        copil=copil, text="Ouvrir une permanence d'orientation à Saint-Yrieix", owner=owner, follow_up=""
    )
    campaign = ReportingCampaign.objects.create(
        pacte=pacte, year=2025, deadline=timezone.localdate() + datetime.timedelta(days=10)
    )
    return {"decision": decision, "campaign": campaign}


def on_a_phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_the_owner_closes_his_decision_from_my_actions_on_a_phone(page, live_server, data):
    on_a_phone(page)
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/mes-actions/")
    section = page.locator("#mes-decisions").locator("xpath=..")
    expect(section).to_contain_text("Ouvrir une permanence d'orientation à Saint-Yrieix")
    section.get_by_text("Mettre à jour le suivi ou clore la décision").click()
    assert wider_than_the_screen(page, PHONE["width"]) is None
    section.get_by_label("Statut").select_option(label="Réalisée")
    section.get_by_label("Suivi").fill("Permanence ouverte le mardi matin depuis le 3 novembre.")
    section.get_by_role("button", name="Enregistrer le suivi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Clore la décision ?")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    assert Decision.objects.get().status == "open"
    page.get_by_role("button", name="Clore la décision").click()

    expect(page.locator("body")).to_contain_text("La décision est close (réalisée)")
    assert page.url == f"{live_server.url}/mes-actions/"
    decision = Decision.objects.get()
    assert (decision.status, decision.closed_on) == ("done", timezone.localdate())
    assert decision.follow_up == "Permanence ouverte le mardi matin depuis le 3 novembre."


def test_staff_preview_then_send_the_reminders_now_on_a_phone(page, live_server, data):
    mail.outbox.clear()  # the e-mail telling claire she is a referent of 1.1
    on_a_phone(page)
    login(page, live_server, "agent-relances", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/pactes/pti-2022-2025/campagnes/2025/")
    page.get_by_role("link", name="Envoyer les relances maintenant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Envoyer les relances maintenant")
    expect(page.locator("main")).to_contain_text("1.1 Plateforme départementale d'orientation – à rédiger")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    page.get_by_role("button", name="Envoyer la relance à 1 référent").click()

    expect(page.locator("body")).to_contain_text("La relance de 1 référent part maintenant")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    assert [(r.recipient.username, r.kind) for r in Reminder.objects.all()] == [("claire", "manual")]
    assert [(m.to, m.subject[:22]) for m in mail.outbox] == [
        (["claire@haute-vienne.example"], "Comptes rendus 2025 à ")
    ]
