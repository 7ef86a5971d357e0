"""In a real browser: a referent finds his news in "Nouveautés" on /mes-actions/ (a milestone due soon, a COPIL
decision given to him), marks one read (htmx swaps the panel, no reload), then all, follows a link to its object,
and turns on the milestone e-mails in his profile; on a phone's width, without sideways scroll, no blocking
accessibility violation."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions import notifications as action_notifications
from actions.factories import ActionFactory, MilestoneFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage import services as pilotage_services
from pilotage.factories import CopilFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from pti.models import Notification, NotificationPreferences
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_widths import wider_than_the_screen

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def news():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")
    claire = UserFactory(username="claire", first_name="Claire", last_name="Martin", email="")
    action = ActionFactory(axe=axe, number="1.1", title="Plateforme départementale d'orientation", referents=[claire])
    MilestoneFactory(
        action=action,
        title="Comité de sélection des candidats",
        planned_date=timezone.localdate() + datetime.timedelta(5),
    )
    action_notifications.milestones_due()
    copil = CopilFactory(pacte=pacte, date=datetime.date(2025, 11, 20))
    pilotage_services.create_decision(copil, {"text": "Ouvrir une permanence à Saint-Yrieix", "owner": claire})
    return claire


def test_a_referent_reads_his_news_and_marks_them_read(page, live_server, news):
    page.set_viewport_size(PHONE)
    login(page, live_server, "claire", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/mes-actions/")
    panel = page.locator("#nouveautes")
    expect(panel.get_by_role("heading", name="Nouveautés")).to_contain_text("2")
    milestone = panel.get_by_role(
        "link", name="Étape « Comité de sélection des candidats » de l'action 1.1", exact=False
    )
    expect(milestone).to_be_visible()
    expect(panel).to_contain_text("Décision du COPIL du 20 novembre 2025 qui vous est confiée")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    assert_accessible(page, "nouveautés de mes actions")

    page.evaluate("window.__same_page = true")
    panel.get_by_role("button", name="Marquer comme lu : Étape « Comité de sélection", exact=False).click()
    expect(panel.get_by_role("link", name="Étape « Comité de sélection", exact=False)).to_have_count(0)
    expect(panel).to_contain_text("Décision du COPIL du 20 novembre 2025")
    assert page.evaluate("window.__same_page") is True  # swapped by htmx, not reloaded
    assert Notification.objects.filter(user=news, read_at__isnull=True).count() == 1

    panel.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.locator("#nouveautes")).to_contain_text("Rien de nouveau pour vous.")
    assert Notification.objects.filter(user=news, read_at__isnull=True).count() == 0

    # The milestone's link leads to the action's milestones.
    page.get_by_role("link", name="Toutes mes notifications").click()
    expect(page.get_by_role("heading", name="Mes notifications", level=1)).to_be_visible()
    assert wider_than_the_screen(page, PHONE["width"]) is None
    assert_accessible(page, "mes notifications")
    page.get_by_role("link", name="Étape « Comité de sélection", exact=False).click()
    expect(page.get_by_role("heading", name="Étapes")).to_be_visible()

    # His profile: the e-mail preferences, milestones off by default; he turns them on.
    page.goto(f"{live_server.url}/comptes/profil/")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    assert_accessible(page, "mon profil")
    milestones = page.get_by_label("Une étape de mes actions arrive dans les 15 jours")
    expect(milestones).not_to_be_checked()
    milestones.check()
    page.get_by_role("button", name="Enregistrer mes préférences").click()
    expect(page.locator("body")).to_contain_text("Vos préférences de notification sont enregistrées.")
    assert NotificationPreferences.objects.get(user=news).email_milestone_due is True
