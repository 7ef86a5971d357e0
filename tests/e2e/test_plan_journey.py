"""Staff build a pacte's plan in the browser, never through Django's admin: a new pacte, two axes (the second
inserted before the first, which makes room), an objective, and the pacte's page shows them."""

import re

import pytest
from playwright.sync_api import expect

from axes.models import Axe, Objectif, Pacte
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_create_a_pacte_with_two_axes_and_an_objective(page, live_server):
    UserFactory(username="sophie", first_name="Sophie", last_name="Lambert", staff=True)
    UserFactory(username="ines", first_name="Inès", last_name="Morel", organisation="France Travail")
    visited = []
    page.on("request", lambda request: visited.append(request.url))

    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    page.get_by_role("link", name="Nouveau pacte").click()
    expect(page.get_by_role("heading", name="Nouveau pacte", level=1)).to_be_visible()
    page.get_by_label("Intitulé").fill("Pacte territorial d'insertion 2026-2030")
    page.get_by_label("Première année").fill("2026")
    page.get_by_label("Dernière année").fill("2030")
    page.get_by_label("Date de signature").fill("2026-03-12")
    page.get_by_role("button", name="Créer le pacte").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Axes et objectifs")
    expect(page.get_by_text("Le pacte a été créé.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un axe").click()
    expect(page.get_by_label("Numéro")).to_have_value("1")
    page.get_by_label("Intitulé").fill("Accès à l'emploi")
    page.get_by_label("Référents thématiques").select_option(label="Inès Morel (France Travail)")
    page.get_by_role("button", name="Créer l'axe").click()
    expect(page.get_by_role("heading", name="Axe 1. Accès à l'emploi", level=2)).to_be_visible()

    page.get_by_role("link", name="Ajouter un axe").click()
    expect(page.get_by_label("Numéro")).to_have_value("2")
    page.get_by_label("Numéro").fill("1")
    page.get_by_label("Intitulé").fill("Lever les freins périphériques")
    page.get_by_role("button", name="Créer l'axe").click()
    expect(page.get_by_role("heading", name="Axe 1. Lever les freins périphériques", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Axe 2. Accès à l'emploi", level=2)).to_be_visible()

    page.get_by_role("link", name="Ajouter un objectif à l'axe 2").click()
    expect(page.get_by_label("Axe")).to_have_value(str(Axe.objects.get(title="Accès à l'emploi").pk))
    page.get_by_label("Intitulé").fill("Accompagner vers l'emploi durable")
    page.get_by_role("button", name="Créer l'objectif").click()
    expect(page.locator("#objectif-2-1")).to_contain_text("2.1 Accompagner vers l'emploi durable")

    page.get_by_role("link", name="Pacte territorial d'insertion 2026-2030").first.click()
    expect(page).to_have_url(re.compile(r"/pactes/pti-2026-2030/$"))
    expect(page.get_by_role("heading", name="Axe 1. Lever les freins périphériques", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Axe 2. Accès à l'emploi", level=2)).to_be_visible()

    pacte = Pacte.objects.get(slug="pti-2026-2030")
    assert list(pacte.axes.order_by("number").values_list("number", "title")) == [
        (1, "Lever les freins périphériques"),
        (2, "Accès à l'emploi"),
    ]
    assert [u.username for u in pacte.axes.get(number=2).thematic_referents.all()] == ["ines"]
    assert Objectif.objects.get().code == "2.1"
    assert not [url for url in visited if "/admin/" in url]


def test_the_plan_page_holds_at_360_px(page, live_server):
    UserFactory(username="sophie", staff=True)
    pacte = Pacte.objects.create(
        slug="pti-etroit", title="Pacte", territory="Haute-Vienne", first_year=2026, last_year=2030
    )
    Axe.objects.create(pacte=pacte, number=1, title="Un intitulé d'axe assez long pour passer à la ligne " * 3)
    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    for path in ("/pactes/pti-etroit/plan/", "/pactes/pti-etroit/axes/ajouter/", "/pactes/pti-etroit/modifier/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_plan_pages_have_no_blocking_accessibility_violation(page, live_server):
    from actions.factories import ActionFactory
    from tests.e2e.test_accessibility import assert_accessible

    UserFactory(username="sophie", staff=True)
    UserFactory(username="ines", first_name="Inès", last_name="Morel")
    pacte = Pacte.objects.create(
        slug="pti-a11y", title="PTI", territory="Haute-Vienne", first_year=2026, last_year=2030
    )
    axe = Axe.objects.create(pacte=pacte, number=1, title="Emploi")
    objectif = Objectif.objects.create(axe=axe, number=1, text="Accompagner")
    Objectif.objects.create(axe=axe, number=2, text="Former")
    ActionFactory(axe=axe, objectif=objectif, number="1.1")
    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    for label, path in [
        ("nouveau pacte", "/nouveau-pacte/"),
        ("modification du pacte", "/pactes/pti-a11y/modifier/"),
        ("axes et objectifs", "/pactes/pti-a11y/plan/"),
        ("nouvel axe", "/pactes/pti-a11y/axes/ajouter/"),
        ("modification d'un axe", f"/axes/{axe.pk}/modifier/"),
        ("suppression refusée d'un axe", f"/axes/{axe.pk}/supprimer/"),
        ("nouvel objectif", f"/axes/{axe.pk}/objectifs/ajouter/"),
        ("modification d'un objectif", f"/objectifs/{objectif.pk}/modifier/"),
        ("suppression d'un objectif", f"/objectifs/{objectif.pk + 1}/supprimer/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, label)
    page.goto(f"{live_server.url}/pactes/pti-a11y/axes/ajouter/")
    page.get_by_role("button", name="Créer l'axe").click()  # an empty form: its errors must be accessible too
    assert_accessible(page, "nouvel axe en erreur")
