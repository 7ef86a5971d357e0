"""RGAA: axe-core (shipped inside the pinned axe-playwright-python package, never downloaded) on every main
page, for the role that uses it: no serious or critical violation. And the yearly report can be filled in
and submitted with the keyboard alone."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from actions.models import Action, ProgressReport
from pilotage.demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return (
        Action.objects.filter(pacte__slug="pti-2022-2025", referents__username="referent").order_by("sort_key").first()
    )


def assert_accessible(page, label):
    # Colours are read as they end, not halfway through a button's hover transition after a click.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.mouse.move(0, 0)
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}" for v in blocking
    )
    assert not blocking, f"{label} : violations RGAA bloquantes\n{details}"


def referent_pages(action):
    return [
        ("mes actions", "/mes-actions/"),
        ("page du pacte", "/pactes/pti-2022-2025/"),
        ("liste des actions", "/actions/?statut=in_progress"),
        ("page d'une action", f"/actions/{action.pk}/"),
        ("historique d'une action", f"/actions/{action.pk}/historique/"),
        ("formulaire du compte rendu", f"/actions/{action.pk}/compte-rendu/2025/"),
        ("modification d'une action", f"/actions/{action.pk}/modifier/"),
    ]


def test_login_page_has_no_blocking_violation(page, live_server, demo):
    page.goto(f"{live_server.url}/comptes/login/")
    assert_accessible(page, "connexion")
    page.goto(f"{live_server.url}/comptes/password_reset/")
    assert_accessible(page, "mot de passe oublié")
    # The public pages of a published pacte, read without an account (indicators unfolded).
    page.goto(f"{live_server.url}/public/")
    assert_accessible(page, "pactes publiés")
    page.goto(f"{live_server.url}/public/pti-2022-2025/")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert_accessible(page, "page publique d'un pacte")


def test_referent_pages_have_no_blocking_violation(page, live_server, demo):
    login(page, live_server, "referent", DEMO_PASSWORD)
    for label, path in referent_pages(demo):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, label)
    page.goto(f"{live_server.url}/pactes/pti-2022-2025/")
    page.locator("summary").first.click()
    page.wait_for_selector("#axe-1 table")
    assert_accessible(page, "axe déplié de la page du pacte")


def test_report_form_with_errors_shown_has_no_blocking_violation(page, live_server, demo):
    login(page, live_server, "referent", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/actions/{demo.pk}/compte-rendu/2025/")
    page.get_by_label("Avancement (%)").fill("150")
    page.get_by_role("button", name="Transmettre le compte rendu").click()
    page.wait_for_selector(".invalid-feedback")
    assert page.get_by_label("Avancement (%)").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "formulaire du compte rendu avec erreurs")


def test_report_form_can_be_completed_with_the_keyboard_only(page, live_server, demo):
    login(page, live_server, "referent", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/actions/{demo.pk}/compte-rendu/2025/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    page.get_by_label("Statut de l'action").focus()  # from here on, keys only
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_progress"
    page.keyboard.press("Control+A")
    page.keyboard.type("80")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # weather radios: move to "Quelques difficultés"
    visited = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        element = page.evaluate(
            "[document.activeElement.id, document.activeElement.name, document.activeElement.tagName]"
        )
        visited.add(element[0])
        if element[0] == "id_advances":
            page.keyboard.type("Avancées saisies au clavier.")
        if element[0].startswith("id_indicator_") and not element[0].endswith("_reason"):
            page.keyboard.type("12")
        if element[1] == "submit":
            break
    assert element[1] == "submit", f"le bouton Transmettre n'est pas atteint au clavier : {sorted(visited)}"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "le focus doit rester visible"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The confirmation, with the keyboard too.
    assert "Transmettre le compte rendu 2025" in page.locator("h1").inner_text()
    assert_accessible(page, "confirmation de la transmission")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "Confirmer la transmission":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = ProgressReport.objects.get(action=demo, year=2025)
    assert report.state == "submitted" and report.progress == 80 and report.weather == "some_difficulties"
    assert report.advances == "Avancées saisies au clavier."


def staff_pages():
    from bilans.models import Bilan
    from pilotage.models import Copil, Decision

    copil = Copil.objects.filter(pacte__slug="pti-2022-2025").order_by("-date").first()
    decision = Decision.objects.filter(copil=copil).first()
    Bilan.objects.get_or_create(pacte=copil.pacte, year=2024)
    return [
        ("tableau de bord", "/pactes/pti-2022-2025/tableau-de-bord/?annee=2024"),
        ("tableau de bord pendant la campagne", "/pactes/pti-2022-2025/tableau-de-bord/"),
        ("actions à surveiller", "/pactes/pti-2022-2025/tableau-de-bord/a-surveiller/"),
        ("indicateurs du tableau de bord", "/pactes/pti-2022-2025/tableau-de-bord/indicateurs/"),
        ("pilotage", "/pilotage/"),
        ("liste des COPIL", "/pactes/pti-2022-2025/copils/"),
        ("page d'un COPIL", f"/copils/{copil.pk}/"),
        ("modification d'un COPIL", f"/copils/{copil.pk}/modifier/"),
        ("nouvelle décision", f"/copils/{copil.pk}/decisions/ajouter/"),
        ("modification d'une décision", f"/decisions/{decision.pk}/modifier/"),
        ("décisions ouvertes", "/decisions/"),
        ("dossier COPIL imprimable", f"/copils/{copil.pk}/dossier/"),
        ("bilans", "/bilans/"),
        ("page d'un bilan", "/bilans/pti-2022-2025/2024/"),
        ("campagne de comptes rendus", "/pactes/pti-2022-2025/campagnes/2025/"),
        ("import d'un pacte", "/import/pacte/"),
        ("journal des modifications", "/journal/"),
        ("accueil", "/"),
        ("comment les chiffres sont calculés", "/aide/chiffres/"),
        ("changement de mot de passe", "/comptes/password_change/"),
        ("documentation de l'API", "/api/v1/docs/"),
    ]


def test_copil_member_pages_have_no_blocking_violation(page, live_server, demo):
    login(page, live_server, "copil", DEMO_PASSWORD)
    for label, path in staff_pages()[:6] + [("décisions ouvertes", "/decisions/"), ("bilans", "/bilans/")]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, label)


def test_staff_pages_have_no_blocking_violation(page, live_server, demo):
    login(page, live_server, "agent", DEMO_PASSWORD)
    for label, path in staff_pages():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{label} : HTTP {response.status}"
        if path.startswith("/api/"):
            page.wait_for_selector("[id^='operation/']")  # Redoc draws the schema once fetched
        assert_accessible(page, label)
