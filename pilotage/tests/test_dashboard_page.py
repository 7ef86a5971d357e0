"""The dashboard page: year selector, htmx body, drill-down links, charts with their tables, lists loaded on demand,
and a constant number of queries."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.services import reporting_year
from axes.factories import AxeFactory, PacteFactory
from pilotage import views
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12


def populate(pacte, n):
    """n actions over two axes, with reports for two years, indicators and a COPIL decision."""
    axes = [AxeFactory(pacte=pacte, number=i, title=f"Axe de test {i}") for i in (1, 2)]
    for i in range(n):
        axe = axes[i % 2]
        action = ActionFactory(axe=axe, number=f"{axe.number}.{i + 1}", progress=10 * (i % 10))
        ProgressReportFactory(action=action, year=2024, state=ReportState.SUBMITTED if i % 3 else ReportState.DRAFT)
        ProgressReportFactory(action=action, year=2023, state=ReportState.SUBMITTED)
        indicator = IndicatorFactory(action=action)
        IndicatorValueFactory(indicator=indicator, year=2023, target=10, value=12)
        IndicatorValueFactory(indicator=indicator, year=2024, target=10, value=5 + i % 10)
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 20))
    DecisionFactory(copil=copil)
    return axes


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-test", title="PTI de test", first_year=2022, last_year=2025)
    populate(pacte, 4)
    return pacte


def url(pacte, **query):
    base = reverse("pilotage:dashboard", args=[pacte.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_dashboard_shows_the_reporting_year_by_default(client, copil_member, pacte):
    client.force_login(copil_member)
    response = client.get(url(pacte))
    assert response.status_code == 200
    year = reporting_year(pacte)
    assert response.context["year"] == year
    content = response.content.decode()
    assert f"Où en est-on en {year} ?" in content
    assert f'<option value="{year}" selected>' in content


def test_year_selector_switches_year_and_compares_with_the_previous_one(client, copil_member, pacte):
    client.force_login(copil_member)
    response = client.get(url(pacte, annee=2024))
    content = response.content.decode()
    assert response.context["data"]["year"] == 2024
    assert "Où en est-on en 2024 ?" in content and "2024 par rapport à 2023" in content
    assert "En petit, le chiffre de 2023." in content


@pytest.mark.parametrize("year", ["1999", "2026", "abc", ""])
def test_a_year_outside_the_pacte_is_refused_with_a_french_message(client, copil_member, pacte, year):
    client.force_login(copil_member)
    response = client.get(url(pacte, annee=year))
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert "n'est pas une année de ce pacte" in content or "Ce champ est obligatoire" in content
    assert "Cette année n'appartient pas au pacte" in content


def test_unknown_pacte_is_a_404(client, copil_member):
    client.force_login(copil_member)
    assert client.get(reverse("pilotage:dashboard", args=["inconnu"])).status_code == 404


def test_htmx_year_switch_returns_the_dashboard_body_only(client, copil_member, pacte):
    client.force_login(copil_member)
    response = client.get(url(pacte, annee=2023), headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and "Où en est-on en 2023 ?" in content
    assert "HX-Request" in response["Vary"]
    full = client.get(url(pacte, annee=2023))
    assert "HX-Request" in full["Vary"] and "<html" in full.content.decode()


def test_each_chart_is_hidden_svg_beside_a_table_with_a_caption(client, copil_member, pacte):
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2024)).content.decode()
    charts = re.findall(r'<div class="chart" aria-hidden="true">\s*<svg', content)
    assert len(charts) == 6  # status and weather on the first screen; progress, budget, comparison, indicators
    for caption in [
        "Actions par statut et par axe, 2024",
        "Avancement moyen des actions par axe, 2024",
        "Comparaison 2023 – 2024",
        "Indicateurs par rapport à leur cible 2024, par axe",
    ]:
        assert f"<caption>{caption}</caption>" in content
    assert "<script" not in content.split("<main", 1)[1].split("</main>", 1)[0]


def test_headings_follow_each_other(client, copil_member, pacte):
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2024)).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", content.split("<main", 1)[1])]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_each_axe_drills_down_to_its_actions(client, copil_member, pacte):
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2024)).content.decode()
    axe = pacte.axes.get(number=1)
    assert f'href="{reverse("actions:list")}?axe={axe.pk}&amp;annee=2024"' in content
    assert f'href="{reverse("actions:pacte_axe", args=[pacte.slug, 1])}"' in content
    listed = client.get(f"{reverse('actions:list')}?axe={axe.pk}&annee=2024")
    assert {action.axe_id for action in listed.context["page"]} == {axe.pk}


def test_long_lists_show_a_first_page_and_load_the_next_on_demand(client, copil_member, pacte, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE", 1)
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2024)).content.decode()
    attention = reverse("pilotage:attention", args=[pacte.slug])
    indicators = reverse("pilotage:indicators", args=[pacte.slug])
    assert f'data-hx-get="{attention}?annee=2024&amp;page=2"' in content
    assert f'data-hx-get="{indicators}?annee=2024&amp;page=2"' in content

    rows = client.get(f"{attention}?annee=2024&page=2", headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in rows.content.decode()
    assert rows.content.decode().count("<tr>") == 1
    page = client.get(f"{attention}?annee=2024&page=2")
    assert "<html" in page.content.decode() and "Actions à surveiller 2024" in page.content.decode()

    part = client.get(f"{indicators}?annee=2024&page=2", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "Nombre de personnes accompagnées" in part.content.decode()
    assert client.get(f"{indicators}?annee=1850").status_code == 400
    assert client.get(f"{attention}?annee=2024&page=zzz").status_code == 200


def test_dashboard_counts_open_decisions_and_links_to_them(client, copil_member, pacte):
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2024)).content.decode()
    tile = re.search(r"<dt>Décisions du COPIL ouvertes</dt>\s*<dd[^>]*>(\d+)</dd>\s*<dd>(.*?)</dd>", content, re.S)
    assert tile.group(1) == "1" and "dont 1 en retard" in tile.group(2)
    assert f"{reverse('pilotage:decision_list')}?pacte={pacte.slug}" in content


def count_queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_for",
    [
        lambda pacte: url(pacte),
        lambda pacte: url(pacte, annee=2024),
        lambda pacte: url(pacte, annee=2022),
        lambda pacte: reverse("pilotage:attention", args=[pacte.slug]) + "?annee=2024&page=1",
        lambda pacte: reverse("pilotage:indicators", args=[pacte.slug]) + "?annee=2024&page=1",
        lambda pacte: reverse("pilotage:index"),
        lambda pacte: reverse("pilotage:copil_list", args=[pacte.slug]),
        lambda pacte: reverse("pilotage:copil_detail", args=[pacte.copils.get().pk]),
        lambda pacte: reverse("pilotage:decision_list") + f"?pacte={pacte.slug}",
    ],
    ids=[
        "dashboard",
        "dashboard_2024",
        "dashboard_first_year",
        "attention",
        "indicators",
        "index",
        "copils",
        "copil",
        "decisions",
    ],
)
def test_pilotage_pages_run_a_constant_number_of_queries_whatever_the_number_of_actions(client, staff, url_for):
    client.force_login(staff)
    small = PacteFactory(slug="petit", first_year=2022, last_year=2025)
    populate(small, 2)
    small_count = count_queries(client, url_for(small))

    big = PacteFactory(slug="grand", first_year=2022, last_year=2025)
    axes = populate(big, 40)
    copil = big.copils.get()
    for action in big.actions.all()[:10]:
        HighlightedActionFactory(copil=copil, action=action)
        DecisionFactory(copil=copil, action=action, owner=staff)
    assert axes
    big_count = count_queries(client, url_for(big))
    assert big_count == small_count
    assert big_count <= MAX_QUERIES


def test_a_late_action_is_listed_with_its_reason(client, copil_member):
    pacte = PacteFactory(slug="pti-retard", first_year=2022, last_year=2025)
    ActionFactory(axe__pacte=pacte, title="Action en retard", late=True, status=ActionStatus.IN_PROGRESS)
    client.force_login(copil_member)
    content = client.get(url(pacte, annee=2025)).content.decode()
    assert "Action en retard" in content and "Date de fin dépassée" in content


def test_an_empty_pacte_has_a_dashboard_too(client, copil_member):
    pacte = PacteFactory(slug="vide", first_year=2025, last_year=2025)
    client.force_login(copil_member)
    response = client.get(url(pacte))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Où en est-on en 2025 ?" in content and "Aucun indicateur dans ce pacte." in content
    assert response.context["data"]["previous"] is None
