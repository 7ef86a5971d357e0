"""Every page shows the same figure for the same thing (docs/indicateurs.md).

On the demo data of both pactes, with the awkward cases added (an action abandoned during the reporting year,
one postponed past its end date, one finished during the year, a decision due today, a report sent back to its
referent), for every year and every referent, the figures read from each page (its rendered HTML where it
carries them, else its context) are compared with each other, never with the code that computes them: if one
page drifts, the test fails.
"""

import csv
import datetime
import io
import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from actions import services
from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import Action, ProgressReport
from axes.closing import reopened
from axes.models import Axe, Pacte
from bilans.models import ReportingCampaign
from pilotage.enums import DecisionStatus
from pilotage.factories import DecisionFactory
from pilotage.models import Copil
from pti.enums import Role
from pti.models import User

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_awkward_cases():
    """The cases the demo lacks, in each pacte's reporting year."""
    today = timezone.localdate()
    for pacte in Pacte.objects.all():
        year = min(max(today.year, pacte.first_year), pacte.last_year)
        axe = Axe.objects.filter(pacte=pacte).order_by("number").first()
        referent = User.objects.get(username="referent")
        with reopened():
            abandoned = ActionFactory(
                axe=axe,
                number=f"{axe.number}.901",
                objectif=None,
                status=ActionStatus.ABANDONED,
                progress=35,
                start_date=datetime.date(pacte.first_year, 1, 1),
                end_date=None,
                referents=[referent],
            )
            ProgressReportFactory(
                action=abandoned, year=year - 1, status=ActionStatus.IN_PROGRESS, progress=35, submitted=True
            )
            ActionFactory(
                axe=axe,
                number=f"{axe.number}.902",
                objectif=None,
                status=ActionStatus.POSTPONED,
                progress=10,
                start_date=datetime.date(pacte.first_year, 3, 1),
                end_date=datetime.date(year - 1, 6, 30),
                referents=[referent],
            )
            finished = ActionFactory(
                axe=axe,
                number=f"{axe.number}.903",
                objectif=None,
                status=ActionStatus.DONE,
                progress=100,
                start_date=datetime.date(pacte.first_year, 1, 1),
                end_date=datetime.date(year, 2, 28),
                referents=[referent],
            )
            ProgressReportFactory(action=finished, year=year, status=ActionStatus.DONE, progress=100, submitted=True)
        copil = Copil.objects.filter(pacte=pacte).order_by("-date").first()
        if copil is not None:
            DecisionFactory(copil=copil, text="Échéance aujourd'hui", due_date=today, status=DecisionStatus.OPEN)
            DecisionFactory(copil=copil, text="Échéance hier", due_date=today - datetime.timedelta(days=1))
    # A report of the open pacte sent back to its referent: a draft again.
    report = (
        ProgressReport.objects.filter(action__pacte__slug="pti-2022-2025", state=ReportState.SUBMITTED, year=2025)
        .order_by("pk")
        .first()
    )
    if report is not None:
        services.return_report(report, User.objects.get(username="agent"), "Précisez les chiffres.", report.version)
    for pacte in Pacte.objects.all():
        for year in pacte.years:
            ReportingCampaign.objects.get_or_create(
                pacte=pacte, year=year, defaults={"deadline": datetime.date(year + 1, 1, 31)}
            )


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo data and the awkward cases, once for the module, in a transaction rolled back at the end."""
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            from django.core.management import call_command

            with override_settings(PASSWORD_HASHERS=FAST_HASHERS, CELERY_TASK_ALWAYS_EAGER=True):
                call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
                add_awkward_cases()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def staff_client(db, client):
    client.force_login(User.objects.get(username="agent"))
    return client


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def pacte_years():
    return [
        (slug, year)
        for slug, first, last in [("pti-2022-2025", 2022, 2025), ("pti-2017-2021", 2017, 2021)]
        for year in range(first, last + 1)
    ]


def reporting_year(pacte):
    today = timezone.localdate()
    return min(max(today.year, pacte.first_year), pacte.last_year)


# --- the same counts on the dashboard, the campaign, the bilan, the list and its export -------------------


@pytest.mark.parametrize("slug, year", pacte_years())
def test_reports_due_and_late_agree_on_every_page(staff_client, slug, year):
    dashboard = get(staff_client, reverse("pilotage:dashboard", args=[slug]) + f"?annee={year}").context["data"]
    current = dashboard["current"]
    campaign = get(staff_client, reverse("bilans:campaign", args=[slug, year])).context["completion"]["totals"]
    bilan = get(staff_client, reverse("bilans:detail", args=[slug, year])).context["completion"]

    seen = {
        "dashboard": (current["reports"]["due"], current["reports"]["submitted"], current["reports"]["draft"]),
        "campaign": (campaign["due"], campaign["submitted"], campaign["draft"]),
        "bilan": (bilan["due"], bilan["submitted"], bilan["draft"]),
    }
    # The action list, filtered on the same year and pacte, finds as many actions.
    listed = {}
    for choice in ("attendu", "transmis", "brouillon"):
        page = get(staff_client, reverse("actions:list") + f"?pacte={slug}&annee={year}&compte_rendu={choice}")
        listed[choice] = page.context["page"].paginator.count
    seen["list"] = (listed["attendu"], listed["transmis"], listed["brouillon"])
    assert len(set(seen.values())) == 1, seen

    # Missing = due - submitted - draft everywhere.
    assert campaign["missing"] == bilan["missing"] == current["reports"]["missing"]
    # The same actions are late on the dashboard and in the filtered list (the live rule for the reporting year).
    late = get(staff_client, reverse("actions:list") + f"?pacte={slug}&annee={year}&en_retard=true")
    assert late.context["page"].paginator.count == current["late"]
    api = APIClient()
    api.force_authenticate(User.objects.get(username="agent"))
    # The export of the filtered list says "transmis" as many times.
    export = staff_client.get(reverse("actions_io:actions_csv") + f"?pacte={slug}&annee={year}&compte_rendu=attendu")
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    state = header.index("Compte rendu")
    assert len(body) == current["reports"]["due"]
    assert sum(1 for row in body if row[state] == "Transmis") == current["reports"]["submitted"]
    api_late = api.get(reverse("v1:action-list"), {"pacte": slug, "annee": year, "en_retard": "true"})
    assert api_late.status_code == 200
    assert api_late.json()["count"] == current["late"]
    api_due = api.get(reverse("v1:action-list"), {"pacte": slug, "annee": year, "compte_rendu": "attendu"})
    assert api_due.json()["count"] == current["reports"]["due"]


@pytest.mark.parametrize("slug", ["pti-2022-2025", "pti-2017-2021"])
def test_the_pacte_page_says_what_the_dashboard_says(staff_client, slug):
    pacte = Pacte.objects.get(slug=slug)
    year = reporting_year(pacte)
    page = get(staff_client, reverse("actions:pacte_detail", args=[slug])).content.decode()
    dashboard = get(staff_client, reverse("pilotage:dashboard", args=[slug]) + f"?annee={year}").context["data"]

    def attribute(name, html):
        return int(re.search(rf'data-{name}="(\d+)"', html).group(1))

    reports = re.search(r'data-figure="reports"[^>]*>', page).group(0)
    assert (attribute("submitted", reports), attribute("due", reports)) == (
        dashboard["current"]["reports"]["submitted"],
        dashboard["current"]["reports"]["due"],
    )
    late = re.search(r'data-figure="late">(\d+)<', page).group(1)
    assert int(late) == dashboard["current"]["late"]
    mean = re.search(r'data-figure="mean_progress" data-value="(\d*)"', page).group(1)
    assert int(mean) == dashboard["current"]["mean_progress"]
    for axe in dashboard["axes"]:
        block = re.search(rf'data-axe="{axe["number"]}"[^>]*>', page).group(0)
        figures = axe["current"]
        assert (attribute("submitted", block), attribute("due", block), attribute("late", block)) == (
            figures["reports"]["submitted"],
            figures["reports"]["due"],
            figures["late"],
        ), axe["number"]


@pytest.mark.parametrize("slug", ["pti-2022-2025", "pti-2017-2021"])
def test_the_bilan_and_the_dossier_read_the_dashboards_figures(staff_client, slug):
    from bilans import content
    from bilans.services import bilan_for
    from pilotage import services as pilotage_services

    pacte = Pacte.objects.get(slug=slug)
    year = reporting_year(pacte)
    dashboard = get(staff_client, reverse("pilotage:dashboard", args=[slug]) + f"?annee={year}").context["data"]
    snapshot = content.collect(bilan_for(pacte, year))
    due_in_snapshot = sum(1 for axe in snapshot["axes"] for action in axe["actions"] if action["due"])
    assert due_in_snapshot == dashboard["current"]["reports"]["due"]
    assert snapshot["dashboard"]["current"]["reports"] == dashboard["current"]["reports"]
    assert snapshot["dashboard"]["current"]["mean_progress"] == dashboard["current"]["mean_progress"]
    assert snapshot["dashboard"]["decisions"] == dashboard["decisions"]
    copil = Copil.objects.filter(pacte=pacte).order_by("-date").first()
    if copil is not None:
        dossier = pilotage_services.dossier_context(copil)
        if dossier["data"]["year"] == year:
            assert dossier["data"]["current"]["reports"] == dashboard["current"]["reports"]
        late_open = [d for d in dossier["open_decisions"] if d.is_late]
        assert len(late_open) == dashboard["decisions"]["late"]


def test_a_decision_due_today_is_open_not_late_everywhere(staff_client):
    from pilotage.models import Decision

    today_decisions = Decision.objects.filter(text="Échéance aujourd'hui")
    assert today_decisions and not any(d.is_late for d in today_decisions)
    listing = get(staff_client, reverse("pilotage:decision_list")).content.decode()
    row = re.search(r"Échéance aujourd&#x27;hui.*?</tr>", listing, flags=re.S).group(0)
    assert "en retard" not in row
    yesterday = re.search(r"Échéance hier.*?</tr>", listing, flags=re.S).group(0)
    assert "en retard" in yesterday
    api = APIClient()
    api.force_authenticate(User.objects.get(username="copil"))
    late = api.get(reverse("v1:decision-list"), {"en_retard": "true"}).json()
    assert "Échéance aujourd'hui" not in {d["text"] for d in late["results"]}
    assert "Échéance hier" in {d["text"] for d in late["results"]}


# --- every referent's desk agrees with the campaign -----------------------------------------------------------


def referents():
    return list(User.objects.filter(role=Role.REFERENT).order_by("username"))


def test_every_referents_desk_agrees_with_the_campaign(client, db):
    campaigns = {}
    for pacte in Pacte.objects.all():
        year = reporting_year(pacte)
        from bilans import campaigns as campaign_module

        campaign = ReportingCampaign.objects.get(pacte=pacte, year=year)
        campaigns[pacte.pk] = (year, campaign_module.completion(campaign), pacte.is_year_closed(year))
    checked = 0
    for user in referents():
        client.force_login(user)
        desk = get(client, reverse("actions:my_actions"))
        todo = {(a.pacte_id, a.number) for a in desk.context["missing"] + desk.context["drafts"]}
        todo |= {(r.action.pacte_id, r.action.number) for r in desk.context["returned"]}
        expected = set()
        for pacte_id, (_year, completion, closed) in campaigns.items():
            if closed:
                continue
            for row in completion["referents"]:
                if row["user"].pk == user.pk:
                    named = set(
                        Action.objects.filter(pacte_id=pacte_id, referents=user).values_list("number", flat=True)
                    )
                    expected |= {(pacte_id, a.number) for a in row["pending"] if a.number in named}
        assert todo == expected, user.username
        # The thematic axes' summaries say what the campaign says of those axes.
        for item in desk.context["thematic_axes"]:
            year, completion, _closed = campaigns[item["axe"].pacte_id]
            row = next((r for r in completion["axes"] if r["axe"].pk == item["axe"].pk), None)
            got = (item["due"], item["submitted"], item["draft"], item["missing"])
            assert got == ((row["due"], row["submitted"], row["draft"], row["missing"]) if row else (0, 0, 0, 0))
        checked += 1
    assert checked >= 6


def test_the_referents_closed_pacte_offers_nothing_to_write(client, db):
    client.force_login(User.objects.get(username="referent"))
    desk = get(client, reverse("actions:my_actions"))
    closed = [a for a in desk.context["actions"] if a.pacte.slug == "pti-2017-2021"]
    assert closed and all(a.report_closure is not None and not a.report_todo for a in closed)
    assert not any(a.pacte.slug == "pti-2017-2021" for a in desk.context["missing"] + desk.context["drafts"])


@pytest.mark.parametrize("slug", ["pti-2022-2025", "pti-2017-2021"])
def test_the_lighter_report_figures_are_the_full_ones(db, slug):
    """`figures.report_figures` (the bilan page) leaves indicators and milestones out: same reports' figures."""
    from actions import figures
    from axes.models import Pacte

    pacte = Pacte.objects.get(slug=slug)
    periods = [figures.period(pacte, year, key=index) for index, year in enumerate(pacte.years)]
    full = figures.compute(periods, group=None)
    lean = figures.report_figures(periods)
    assert lean == {p.key: full.total(p.key)["reports"] for p in periods}
    assert any(reports["due"] for reports in lean.values())


@pytest.mark.parametrize("slug", ["pti-2022-2025", "pti-2017-2021"])
def test_the_lighter_rows_of_owed_reports_are_the_full_ones(db, slug):
    """`reports_only` (the campaign and its reminders) lists the same actions owing or due a report."""
    from actions import figures
    from axes.models import Pacte

    pacte = Pacte.objects.get(slug=slug)
    keep = ("id", "pacte_id", "axe_id", "number", "title", "report", "due", "no_report", "submitted")
    for year in pacte.years:
        p = figures.period(pacte, year)
        for flag in ("no_report", "due"):
            full = figures.compute([p], totals=False, rows=flag).rows
            lean = figures.compute([p], totals=False, rows=flag, reports_only=True).rows
            assert [{k: row[k] for k in keep} for row in lean] == [{k: row[k] for k in keep} for row in full]
