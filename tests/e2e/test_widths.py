"""Every screen: no page of any role scrolls sideways at 360 and 390 px (tables scroll inside their labelled,
focusable region), and the navigation holds on one line at 1280 px for every role."""

import io

import pytest
from django.core.management import call_command

from actions.models import Action, Partner
from pilotage.demo.accounts import DEMO_PASSWORD
from pilotage.models import Copil
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ("referent", "copil", "agent", "admin")


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    action = Action.objects.filter(pacte__slug="pti-2022-2025", referents__username="referent").order_by("sort_key")[0]
    copil = Copil.objects.filter(pacte__slug="pti-2022-2025").order_by("-date").first()
    return action, copil


def pages_of(role, action, copil):
    partner = Partner.objects.filter(action_roles__isnull=False).order_by("name").first()
    common = [
        "/",
        "/mes-actions/",
        "/pactes/pti-2022-2025/",
        "/pactes/pti-2022-2025/axes/1/",
        "/actions/",
        f"/actions/{action.pk}/",
        f"/actions/{action.pk}/historique/",
        "/pactes/pti-2022-2025/tableau-de-bord/?annee=2024",
        "/pactes/pti-2022-2025/tableau-de-bord/a-surveiller/?annee=2024",
        "/pactes/pti-2022-2025/tableau-de-bord/indicateurs/?annee=2024",
        "/pilotage/",
        "/pactes/pti-2022-2025/copils/",
        f"/copils/{copil.pk}/",
        "/decisions/",
        "/bilans/",
        "/bilans/pti-2022-2025/2024/",
        "/pactes/pti-2022-2025/campagnes/2025/",
        "/aide/chiffres/",
        "/comptes/password_change/",
        "/partenaires/",
        "/partenaires/?type=institutional&pacte=pti-2022-2025",
        f"/partenaires/{partner.pk}/",
    ]
    if role == "referent":
        # The public page of a pacte is the same for everyone: once is enough.
        return common + [
            f"/actions/{action.pk}/compte-rendu/2025/",
            f"/actions/{action.pk}/modifier/",
            "/public/pti-2022-2025/",
        ]
    if role in ("agent", "admin"):
        return common + [
            f"/actions/{action.pk}/modifier/",
            f"/copils/{copil.pk}/modifier/",
            "/import/pacte/",
            "/journal/",
            "/partenaires/nouveau/",
            f"/partenaires/{partner.pk}/modifier/",
            "/partenaires/fusionner/",
            "/pactes/pti-2022-2025/axes/1/nouvelle-action/",
            f"/actions/{action.pk}/modifier/referents/",
            f"/actions/{action.pk}/modifier/partenaires/",
            f"/actions/{action.pk}/modifier/budget/",
            f"/actions/{action.pk}/modifier/indicateurs/",
            f"/actions/{action.pk}/modifier/indicateurs/nouveau/",
        ]
    return common


def wider_than_the_screen(page, width):
    """The page's width if it scrolls sideways, with the elements that stick out (not inside a scroll region)."""
    # Right after a click on a link the new document may not have its root yet: measure the page once loaded.
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement !== null && document.body !== null")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll <= width:
        return None
    culprits = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')].filter((el) => {
            const box = el.getBoundingClientRect();
            return box.right > width + 1 && box.width > 0 && !el.closest('.table-responsive');
        }).slice(0, 5).map((el) => el.tagName + '.' + String(el.className).slice(0, 40))""",
        width,
    )
    return scroll, culprits


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, demo, role, _live_server_closes_its_connections):
    action, copil = demo
    wide = []
    for width in (360, 390):
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 780})
        page = context.new_page()
        try:
            login(page, live_server, role, DEMO_PASSWORD)
            for path in pages_of(role, action, copil):
                response = page.goto(f"{live_server.url}{path}")
                assert response.status < 400, (path, response.status)
                found = wider_than_the_screen(page, width)
                if found:
                    wide.append((width, path, *found))
        finally:
            context.close()
    assert wide == []


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_holds_on_one_line_at_1280_px(
    browser, live_server, demo, role, _live_server_closes_its_connections
):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, role, DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mes-actions/")
        tops = page.evaluate(
            "[...document.querySelectorAll('.pti-header .navbar-nav > .nav-item')].map((el) => "
            "Math.round(el.getBoundingClientRect().top))"
        )
        assert tops and len(set(tops)) == 1, tops
        header = page.evaluate("document.querySelector('.pti-header').getBoundingClientRect().height")
        assert header < 90, header
    finally:
        context.close()
