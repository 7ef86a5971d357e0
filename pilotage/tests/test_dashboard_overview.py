"""The dashboard's first screen: key figures with the year before, status and weather by axe, late actions, open
decisions, budget planned against actual, and the running campaign's notice.

The pacte spans the year before this one to the next; Y is this year (the reporting year):

    axe 1 "Orienter"     1.1 in progress         Y report transmitted, en bonne voie; budget Y 1 000 € / 800 €
                                                  budget Y-1 900 € / 900 €
                         1.2 in progress, late    Y report transmitted, en danger; budget Y 500 €, no actual yet
                         1.3 abandoned in Y-1     Y-1 report abandoned: owes no report for Y
    axe 2 "Accompagner"  2.1 in progress         Y report still a draft (quelques difficultés): weather not counted
                                                  budget Y 2 000 € / 2 100 €
                         2.2 postponed            no report
                         2.3 done on 31 January Y  Y report transmitted, quelques difficultés
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.enums import ActionStatus, ReportState, Weather
from actions.factories import ActionFactory, ProgressReportFactory
from actions.figures import budget_totals
from actions.models import ActionBudget
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from bilans.models import ReportingCampaign
from pilotage.dashboard import chart_tables, dashboard_data
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory
from pti.formats import long_date

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
Y = TODAY.year


def report(action, year, weather, state=ReportState.SUBMITTED, status=ActionStatus.IN_PROGRESS):
    return ProgressReportFactory(action=action, year=year, state=state, status=status, weather=weather, progress=50)


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-meteo", title="PTI météo", first_year=Y - 1, last_year=Y + 1)
    orienter = AxeFactory(pacte=pacte, number=1, title="Orienter")
    accompagner = AxeFactory(pacte=pacte, number=2, title="Accompagner")
    start = datetime.date(Y - 1, 1, 1)

    a11 = ActionFactory(axe=orienter, number="1.1", start_date=start, end_date=datetime.date(Y + 1, 12, 31))
    report(a11, Y, Weather.ON_TRACK)
    ActionBudget.objects.create(action=a11, year=Y, planned=1000, actual=800)
    ActionBudget.objects.create(action=a11, year=Y - 1, planned=900, actual=900)
    a12 = ActionFactory(axe=orienter, number="1.2", start_date=start, end_date=TODAY - datetime.timedelta(days=1))
    report(a12, Y, Weather.AT_RISK)
    ActionBudget.objects.create(action=a12, year=Y, planned=500, actual=None)
    a13 = ActionFactory(
        axe=orienter,
        number="1.3",
        start_date=start,
        end_date=datetime.date(Y - 1, 9, 30),
        status=ActionStatus.ABANDONED,
        progress=10,
    )
    report(a13, Y - 1, Weather.AT_RISK, status=ActionStatus.ABANDONED)

    a21 = ActionFactory(axe=accompagner, number="2.1", start_date=start, end_date=datetime.date(Y + 1, 12, 31))
    report(a21, Y, Weather.SOME_DIFFICULTIES, state=ReportState.DRAFT)
    ActionBudget.objects.create(action=a21, year=Y, planned=2000, actual=2100)
    ActionFactory(
        axe=accompagner,
        number="2.2",
        start_date=start,
        end_date=datetime.date(Y + 1, 12, 31),
        status=ActionStatus.POSTPONED,
    )
    a23 = ActionFactory(
        axe=accompagner,
        number="2.3",
        start_date=start,
        end_date=datetime.date(Y, 1, 31),
        status=ActionStatus.DONE,
        progress=100,
    )
    report(a23, Y, Weather.SOME_DIFFICULTIES, status=ActionStatus.DONE)

    copil = CopilFactory(pacte=pacte, date=datetime.date(Y - 1, 11, 20))
    DecisionFactory(copil=copil, due_date=TODAY, status=DecisionStatus.OPEN)  # due today: not late
    DecisionFactory(copil=copil, due_date=TODAY - datetime.timedelta(days=1), status=DecisionStatus.OPEN)
    DecisionFactory(copil=copil, due_date=TODAY - datetime.timedelta(days=9), status=DecisionStatus.DONE)
    return pacte


def test_weather_counts_the_transmitted_reports_due_and_leaves_the_rest_unknown(pacte):
    data = dashboard_data(pacte, Y, TODAY)
    first, second = data["axes"]
    assert first["current"]["weather"] == {"on_track": 1, "some_difficulties": 0, "at_risk": 1, "unknown": 0}
    assert second["current"]["weather"] == {"on_track": 0, "some_difficulties": 1, "at_risk": 0, "unknown": 2}
    assert data["current"]["weather"] == {"on_track": 1, "some_difficulties": 1, "at_risk": 1, "unknown": 2}
    assert data["current"]["reports"]["due"] == 5
    table = chart_tables(data)["weather_by_axe"]
    assert table["head"] == [
        "Axe",
        "En bonne voie",
        "Quelques difficultés",
        "En danger",
        "Non renseignée",
        "Comptes rendus attendus",
    ]
    assert table["rows"] == [["1. Orienter", 1, 0, 1, 0, 2], ["2. Accompagner", 0, 1, 0, 2, 3]]


def test_budget_totals_add_up_by_axe_and_year_and_compare_actual_with_what_was_planned_for_it(pacte):
    totals = budget_totals(pacte)
    assert {year: (e["planned"], e["actual"], e["share"]) for year, e in totals["years"].items()} == {
        Y - 1: (900, 900, 100),
        Y: (3500, 2900, 97),  # 2 900 of the 3 000 € planned for the actions that recorded an actual budget
        Y + 1: (0, None, None),
    }
    first, second = (axe.pk for axe in pacte.axes.order_by("number"))
    assert (totals["axes"][first][Y]["planned"], totals["axes"][first][Y]["actual"]) == (1500, 800)
    assert totals["axes"][first][Y]["share"] == 80
    assert (totals["axes"][second][Y]["planned"], totals["axes"][second][Y]["share"]) == (2000, 105)
    assert (totals["total"]["planned"], totals["total"]["actual"]) == (4400, 3800)
    rows = chart_tables(dashboard_data(pacte, Y, TODAY))["budget_by_axe"]["rows"]
    assert rows == [
        ["1. Orienter", "1\xa0500\xa0€", "800\xa0€", "80 %"],
        ["2. Accompagner", "2\xa0000\xa0€", "2\xa0100\xa0€", "105 %"],
        ["Total", "3\xa0500\xa0€", "2\xa0900\xa0€", "97 %"],
    ]


def tiles(content):
    """{tile title: [its lines]} of the dashboard's key figures."""
    result = {}
    for title, body in re.findall(r'<div class="pti-kpi">\s*<dt>(.*?)</dt>(.*?)</div>', content, re.S):
        lines = [
            re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", dd)).strip()
            for dd in re.findall(r"<dd[^>]*>(.*?)</dd>", body, re.S)
        ]
        result[title] = lines
    return result


def test_first_screen_answers_where_are_we_with_the_year_before(client, copil_member, pacte):
    client.force_login(copil_member)
    content = client.get(reverse("pilotage:dashboard", args=[pacte.slug])).content.decode()
    shown = tiles(content)
    assert shown["Actions"][0] == "6"
    assert shown["Actions"][1].startswith("1 réalisée")
    assert shown[f"Comptes rendus {Y} transmis"][:2] == ["60 %", "3 sur 5 attendus, 1 en brouillon"]
    assert shown["Actions en retard"][0] == "1"
    assert shown["Décisions du COPIL ouvertes"][:2] == ["2", "dont 1 en retard – Suivre les décisions ouvertes"]
    assert shown[f"Budget {Y}"] == ["97 %", "réalisé : 2\xa0900\xa0€ sur 3\xa0500\xa0€", f"{Y - 1} : 100 % réalisé"]
    assert f"Statut des actions par axe, {Y}" in content and f"Météo des comptes rendus {Y} par axe" in content
    # Both charts come with their data, folded under them.
    assert content.count("Voir les données du graphique") == 2


def test_a_running_campaign_says_the_figures_are_provisional(client, copil_member, pacte):
    deadline = TODAY + datetime.timedelta(days=10)
    ReportingCampaign.objects.create(pacte=pacte, year=Y, deadline=deadline)
    client.force_login(copil_member)
    content = client.get(reverse("pilotage:dashboard", args=[pacte.slug])).content.decode()
    notice = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(r'<p class="alert alert-info.*?</p>', content, re.S)[0])
    )
    assert notice.strip() == (
        f"Campagne {Y} en cours : 60 % des comptes rendus transmis (3 sur 5), échéance le {long_date(deadline)} "
        "(dans 10 jours) ; les chiffres de l'année sont provisoires. Suivre la campagne"
    )
    assert reverse("bilans:campaign", args=[pacte.slug, Y]) in content


def test_no_campaign_notice_without_a_campaign_or_once_the_year_is_closed(client, copil_member, pacte):
    client.force_login(copil_member)
    target = reverse("pilotage:dashboard", args=[pacte.slug])
    assert "Campagne" not in client.get(target).content.decode()
    ReportingCampaign.objects.create(pacte=pacte, year=Y - 1, deadline=TODAY + datetime.timedelta(days=3))
    ClosedYear.objects.create(pacte=pacte, year=Y - 1, approval_date=TODAY, deliberation_reference="CD-1")
    assert f"Campagne {Y - 1} en cours" not in client.get(target, {"annee": Y - 1}).content.decode()
