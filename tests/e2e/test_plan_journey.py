"""Staff build a pacte's plan in the browser, never through Django's admin: a new pacte, two axes (the second
inserted before the first, which makes room), an objective, and the pacte's page shows them; then, on that pacte,
an action with two partners (a funder with its amount, an operational partner created in the directory first), a
year's planned and actual budget and an indicator with a target for each year of the pacte."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from actions.factories import PartnerFactory
from actions.models import Action, ActionBudget, ActionPartner, IndicatorValue
from axes.models import Axe, Objectif, Pacte
from pti.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 360, "height": 800}
WIDE = {"width": 1280, "height": 900}


def holds_at_360_px(page):
    """The current page does not scroll sideways at 360 px (the viewport is put back to 1280 px after). The caller
    has waited for something of the new page; the load state covers its styles."""
    page.wait_for_load_state("load")
    page.set_viewport_size(NARROW)
    try:
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.set_viewport_size(WIDE)


def test_staff_build_a_pacte_and_an_action_sheet_without_the_admin(page, live_server):
    UserFactory(username="sophie", first_name="Sophie", last_name="Lambert", staff=True)
    UserFactory(username="ines", first_name="Inès", last_name="Morel", organisation="France Travail")
    PartnerFactory(name="Conseil régional Nouvelle-Aquitaine", kind="institutional")
    visited, refused = [], []
    page.on("request", lambda request: visited.append(request.url))
    page.on("response", lambda response: response.status >= 400 and refused.append((response.status, response.url)))

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
    # The searchable list: filter it, then tick the person (no Ctrl+click).
    page.get_by_role("searchbox", name="Filtrer la liste « Référents thématiques »").fill("morel")
    page.get_by_role("group", name="Référents thématiques").get_by_label("Inès Morel (France Travail)").check()
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

    build_an_action_sheet(page, pacte)
    assert not [url for url in visited if "/admin/" in url]
    assert refused == []  # no page or form answered with an error on the way


def build_an_action_sheet(page, pacte):
    """On the pacte's page just built: a new action in axe 2, its partners, a year's budget, an indicator with its
    targets, all through the pages' links and forms; then what the action's and the pacte's pages show."""
    # An operational partner not yet in the directory: staff add it there first.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Partenaires").click()
    page.get_by_role("link", name="Nouveau partenaire").click()
    expect(page.get_by_role("heading", name="Nouveau partenaire", level=1)).to_be_visible()
    assert holds_at_360_px(page)
    page.get_by_label("Nom").fill("Mission locale de l'agglomération de Limoges")
    page.get_by_label("Type").select_option(label="Associatif")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("Le partenaire « Mission locale de l'agglomération de Limoges » a été créé.")
    ).to_be_visible()

    page.get_by_role("link", name=re.compile("Département de la Haute-Vienne")).first.click()
    page.get_by_role("link", name="Pacte territorial d'insertion 2026-2030").click()
    page.get_by_role("link", name="Nouvelle action dans l'axe 2").click()
    expect(page.get_by_role("heading", name="Nouvelle action", level=1)).to_be_visible()
    assert holds_at_360_px(page)
    page.get_by_label("Numéro").fill("2.1")
    page.get_by_label("Intitulé").fill("Accompagnement renforcé vers l'emploi durable")
    page.get_by_label("Objectif").select_option(label="2.1 Accompagner vers l'emploi durable")
    page.get_by_label("Date de début").fill("2026-04-01")
    page.get_by_label("Date de fin").fill("2028-12-31")
    page.get_by_role("button", name="Créer l'action").click()
    expect(page.get_by_text("L'action 2.1 a été créée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Action 2.1 – Accompagnement renforcé vers l'emploi durable"
    )
    action = Action.objects.get(pacte=pacte, number="2.1")
    assert action.axe.number == 2

    page.get_by_role("link", name="Modifier les partenaires").click()
    expect(page.get_by_role("heading", name="Partenaires et rôles", level=2)).to_be_visible()
    assert holds_at_360_px(page)
    first, second = page.get_by_role("group", name="Nouveau partenaire").all()[:2]
    first.get_by_label("Partenaire", exact=True).select_option(label="Conseil régional Nouvelle-Aquitaine")
    first.get_by_label("Rôle").select_option(label="Financeur")
    first.get_by_label("Montant (€)").fill("45000")
    second.get_by_label("Partenaire", exact=True).select_option(label="Mission locale de l'agglomération de Limoges")
    second.get_by_label("Rôle").select_option(label="Partenaire opérationnel")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les partenaires de l'action ont été enregistrés.")).to_be_visible()

    # The budget with the keyboard only: type, Tab to the next field, Enter to save.
    page.get_by_role("link", name="Renseigner le budget").click()
    expect(page.get_by_role("heading", name="Budget prévu et réalisé par année", level=2)).to_be_visible()
    assert holds_at_360_px(page)
    page.get_by_label("Prévu en 2026 (€)").focus()
    page.keyboard.type("120000")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Réalisé en 2026 (€)")).to_be_focused()
    page.keyboard.type("98500.40")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Le budget de l'action a été enregistré.")).to_be_visible()

    page.get_by_role("link", name="Modifier les indicateurs et leurs cibles").click()
    page.get_by_role("link", name="Ajouter un indicateur").click()
    expect(page.get_by_role("heading", name="Nouvel indicateur", level=2)).to_be_visible()
    assert holds_at_360_px(page)
    page.get_by_label("Libellé").fill("Personnes en emploi durable six mois après l'accompagnement")
    page.get_by_label("Unité").fill("personnes")
    page.get_by_label("Valeur de référence").fill("40")
    for year, target in [(2026, "50"), (2027, "60"), (2028, "70"), (2029, "80"), (2030, "90")]:
        page.get_by_label(f"Cible {year}").fill(target)
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text(
            "L'indicateur « Personnes en emploi durable six mois après l'accompagnement » a été enregistré."
        )
    ).to_be_visible()
    expect(page.get_by_role("region", name="Indicateurs et cibles").locator("tbody td.text-end")).to_have_text(
        ["50", "60", "70", "80", "90"]
    )

    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role("link", name="Action 2.1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Action 2.1 – Accompagnement renforcé vers l'emploi durable"
    )
    assert holds_at_360_px(page)
    partners = page.get_by_role("region", name="Partenaires et rôles")
    expect(partners.locator("tbody tr")).to_have_count(2)
    expect(partners.locator("tbody tr").nth(0).get_by_role("cell")).to_have_text(
        ["Conseil régional Nouvelle-Aquitaine", "Institutionnel", "Financeur", "45\xa0000,00\xa0€"]
    )
    expect(partners.locator("tbody tr").nth(1).get_by_role("cell")).to_have_text(
        ["Mission locale de l'agglomération de Limoges", "Associatif", "Partenaire opérationnel", ""]
    )
    budget = page.get_by_role("region", name="Budget prévu et réalisé par année")
    expect(budget.locator("tbody tr")).to_have_count(1)
    expect(budget.locator("tbody tr").get_by_role("rowheader")).to_have_text("2026")
    expect(budget.locator("tbody tr").get_by_role("cell")).to_have_text(["120\xa0000,00\xa0€", "98\xa0500,40\xa0€"])
    indicator = page.get_by_role("region", name="Personnes en emploi durable six mois après l'accompagnement")
    expect(indicator.locator("caption")).to_have_text(
        "Personnes en emploi durable six mois après l'accompagnement (personnes) – référence 40"
    )
    expect(indicator.locator("tbody th")).to_have_text(["2026", "2027", "2028", "2029", "2030"])
    expect(indicator.locator("tbody td:nth-of-type(1)")).to_have_text(["50", "60", "70", "80", "90"])  # the targets
    expect(indicator.locator("tbody td:nth-of-type(2)")).to_have_text(["—"] * 5)  # no value measured yet

    assert list(
        ActionPartner.objects.filter(action=action)
        .order_by("partner__name")
        .values_list("partner__name", "role", "amount")
    ) == [
        ("Conseil régional Nouvelle-Aquitaine", "funder", Decimal("45000.00")),
        ("Mission locale de l'agglomération de Limoges", "operational", None),
    ]
    assert list(ActionBudget.objects.filter(action=action).values_list("year", "planned", "actual")) == [
        (2026, Decimal("120000.00"), Decimal("98500.40"))
    ]
    indicator_row = action.indicators.get()
    assert (indicator_row.label, indicator_row.unit, indicator_row.baseline) == (
        "Personnes en emploi durable six mois après l'accompagnement",
        "personnes",
        Decimal("40.00"),
    )
    assert list(
        IndicatorValue.objects.filter(indicator=indicator_row).order_by("year").values_list("year", "target", "value")
    ) == [
        (2026, Decimal("50.00"), None),
        (2027, Decimal("60.00"), None),
        (2028, Decimal("70.00"), None),
        (2029, Decimal("80.00"), None),
        (2030, Decimal("90.00"), None),
    ]

    page.get_by_role("navigation", name="Fil d’Ariane").get_by_role(
        "link", name="Pacte territorial d'insertion 2026-2030"
    ).click()
    expect(page).to_have_url(re.compile(r"/pactes/pti-2026-2030/$"))
    assert holds_at_360_px(page)
    section = page.get_by_role("region", name="Budget prévu et réalisé")
    expect(section.locator('[data-budget-year="2026"] td')).to_have_text(["120 000 €", "98 500 €", "82 %"])
    for year in (2027, 2028, 2029, 2030):
        expect(section.locator(f'[data-budget-year="{year}"] td')).to_have_text(["0 €", "—", "—"])
    expect(section.locator('[data-budget-year="total"] td')).to_have_text(["120 000 €", "98 500 €", "82 %"])
    expect(section.locator('[data-budget-axe="2"] td')).to_have_text(["120 000 €", "98 500 €", "82 %"])
    expect(section.locator('[data-budget-axe="1"] td')).to_have_text(["—", "—", "—"])


def test_the_plan_page_holds_at_360_px(page, live_server):
    UserFactory(username="sophie", staff=True)
    pacte = Pacte.objects.create(
        slug="pti-etroit", title="Pacte", territory="Haute-Vienne", first_year=2026, last_year=2030
    )
    Axe.objects.create(pacte=pacte, number=1, title="Un intitulé d'axe assez long pour passer à la ligne " * 3)
    login(page, live_server, "sophie", DEFAULT_PASSWORD)
    page.set_viewport_size(NARROW)
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
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    assert_accessible(page, "nouvel axe en erreur")
