"""An unfolded axe and a thematic referent's axe show their first actions, and « Afficher la suite » adds the
next ones in place, in a real browser (htmx); the link is a plain link to the next page without JavaScript."""

import pytest
from playwright.sync_api import expect

from actions import queries
from actions.factories import ActionFactory
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def axe(monkeypatch):
    monkeypatch.setattr(queries, "AXE_PAGE_SIZE", 2)
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2026)
    referent = UserFactory(username="claire", first_name="Claire", last_name="Martin")
    axe = AxeFactory(pacte=pacte, number=1, title="Mieux orienter", thematic_referents=[referent])
    objectif = ObjectifFactory(axe=axe, number=1, text="orienter vite")
    for n in range(1, 6):
        ActionFactory(axe=axe, objectif=objectif, number=f"1.{n}", title=f"Action numéro {n}")
    return axe


def test_afficher_la_suite_adds_the_next_actions_in_place(page, live_server, axe):
    login(page, live_server, "claire", DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/pactes/pti-2022-2025/")
    page.get_by_text("Objectifs et actions de l'axe 1").click()
    section = page.locator("#axe-1")
    expect(section.get_by_role("link", name="Action numéro 2")).to_be_visible()
    expect(section.get_by_role("link", name="Action numéro 3")).to_have_count(0)
    section.get_by_role("link", name="Afficher la suite").click()
    expect(section.get_by_role("link", name="Action numéro 4")).to_be_visible()
    section.get_by_role("link", name="Afficher la suite").click()
    expect(section.get_by_role("link", name="Action numéro 5")).to_be_visible()
    expect(section.get_by_role("link", name="Afficher la suite")).to_have_count(0)
    expect(section.get_by_role("link", name="Action numéro 1")).to_have_count(1)
    assert page.url.endswith("/pactes/pti-2022-2025/")  # loaded in place

    page.goto(f"{live_server.url}/mes-actions/axes/{axe.pk}/")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(1 + 2 + 1)  # header, two actions, the "more" row
    page.get_by_role("link", name="Afficher la suite").click()
    expect(table.get_by_role("link", name="Action numéro 4")).to_be_visible()
    page.get_by_role("link", name="Afficher la suite").click()
    expect(table.get_by_role("link", name="Action numéro 5")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(1 + 5)
