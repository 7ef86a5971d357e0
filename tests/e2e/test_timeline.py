"""The pacte's calendar in a real browser: at 360 px the page does not scroll sideways, the chart scrolls inside
its focusable region, no blocking accessibility violation; printed, it is landscape and without the navigation."""

import datetime
import io

import pdfplumber
import pytest

from actions.factories import ActionFactory, MilestoneFactory
from axes.models import Axe, Pacte
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pacte():
    UserFactory(username="lea", first_name="Léa", last_name="Martin")
    pacte = Pacte.objects.create(
        slug="pti-calendrier", title="PTI 2024-2027", territory="Haute-Vienne", first_year=2024, last_year=2027
    )
    axe = Axe.objects.create(pacte=pacte, number=1, title="Emploi")
    action = ActionFactory(axe=axe, number="1.1", title="Ateliers numériques", start_date=datetime.date(2023, 9, 1))
    MilestoneFactory(action=action, title="Convention avec la médiathèque", planned_date=datetime.date(2025, 1, 31))
    ActionFactory(axe=axe, number="1.2", title="Garage solidaire", start_date=None, end_date=None)
    return pacte


def test_the_calendar_holds_at_360_px_and_is_accessible(page, live_server, pacte):
    from tests.e2e.test_accessibility import assert_accessible

    login(page, live_server, "lea", DEFAULT_PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/pactes/pti-calendrier/calendrier/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    region = page.locator(".pti-timeline-scroll")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_accessible(page, "calendrier")


def test_the_printed_calendar_is_landscape_without_the_navigation(page, live_server, pacte):
    login(page, live_server, "lea", DEFAULT_PASSWORD)
    page.goto(f"{live_server.url}/pactes/pti-calendrier/calendrier/")
    page.emulate_media(media="print")
    with pdfplumber.open(io.BytesIO(page.pdf(prefer_css_page_size=True))) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
        sizes = [(p.width, p.height) for p in pdf.pages]
    assert all(width > height for width, height in sizes)
    assert "Calendrier des actions" in text and "Ateliers numériques" in text
    assert "Retour au pacte" not in text and "Se déconnecter" not in text
