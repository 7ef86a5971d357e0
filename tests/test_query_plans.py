"""The main pages read actions and yearly reports through indexes: with a few thousand actions and reports (and
fresh statistics), PostgreSQL's plan for every query they run holds no sequential scan of `actions_action` or of
`actions_progressreport` (the reports). Each page is requested, its queries captured and each one EXPLAINed."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import ActionStatus, ReportState
from actions.models import Action, ProgressReport, number_sort_key
from axes.models import Axe, Objectif, Pacte
from pti.factories import UserFactory

pytestmark = [
    # Committed rows, so that VACUUM can mark their pages visible, as autovacuum does in production.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's (CI runs the suite on PostgreSQL); SQLite's planner is another one",
    ),
]

WATCHED = {"actions_action", "actions_progressreport"}
PACTES, AXES, OBJECTIFS, ACTIONS_PER_OBJECTIF = 10, 4, 3, 25  # 3,000 actions, 6,000 reports
STATUSES = [ActionStatus.TO_LAUNCH, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.POSTPONED]
WORDS = ["insertion", "mobilité", "emploi", "numérique", "logement", "santé", "formation", "équipe", "jeunes"]


@pytest.fixture
def big_plan(transactional_db):
    """Ten pactes of 300 actions, each action with two yearly reports, written with bulk_create."""
    pactes = Pacte.objects.bulk_create(
        Pacte(title=f"PTI {2000 + 4 * i}", slug=f"pti-{i}", territory="Haute-Vienne", first_year=2022, last_year=2025)
        for i in range(PACTES)
    )
    axes = Axe.objects.bulk_create(
        Axe(pacte=pacte, number=n, title=f"Axe {n}") for pacte in pactes for n in range(1, AXES + 1)
    )
    objectifs = Objectif.objects.bulk_create(
        Objectif(axe=axe, number=n, text=f"Objectif {n}") for axe in axes for n in range(1, OBJECTIFS + 1)
    )
    actions = []
    for index, objectif in enumerate(objectifs):
        axe = axes[index // OBJECTIFS]
        for n in range(ACTIONS_PER_OBJECTIF):
            number = f"{axe.number}.{objectif.number * 100 + n}"
            # One action in 50 says "passerelle": a search for it reads a few rows, through the GIN index.
            word = "passerelle" if (index + n) % 50 == 0 else WORDS[(index + n) % len(WORDS)]
            actions.append(
                Action(
                    pacte_id=axe.pacte_id,
                    axe=axe,
                    objectif=objectif,
                    number=number,
                    sort_key=number_sort_key(number),
                    title=f"Action {word} {n}",
                    # As long as the demo's descriptions (120 characters).
                    description=f"Accompagnement {WORDS[n % len(WORDS)]} des allocataires du territoire, avec les "
                    f"partenaires de l'action {number} et les référents de parcours.",
                    status=ActionStatus.ABANDONED if (index + n) % 60 == 0 else STATUSES[n % len(STATUSES)],
                    progress=n * 4 % 100,
                    start_date=datetime.date(2022, 1, 1),
                    end_date=datetime.date(2025 if n % 5 else 2023, 12, 31),
                )
            )
    actions = Action.objects.bulk_create(actions, batch_size=1000)
    ProgressReport.objects.bulk_create(
        (
            ProgressReport(
                action=action,
                year=year,
                state=ReportState.SUBMITTED if (action.pk + year) % 3 else ReportState.DRAFT,
                status=action.status,
                progress=action.progress,
            )
            for action in actions
            for year in (2023, 2024)
        ),
        batch_size=2000,
    )
    referent = UserFactory(username="referent-plans")
    referent.referent_actions.set(actions[:: len(actions) // 20])
    with connection.cursor() as cursor:
        for table in ("actions_action", "actions_progressreport", "actions_action_referents", "axes_axe"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "pacte": pactes[3],
        "axe": axes[13],
        "objectif": objectifs[40],
        "action": actions[1234],
        "referent": referent,
    }


def sequential_scans(plan):
    """The watched tables a plan (EXPLAIN's JSON) reads by sequential scan."""
    found = []
    stack = [plan]
    while stack:
        node = stack.pop()
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in WATCHED:
            found.append(node["Relation Name"])
        stack.extend(node.get("Plans", []))
    return found


def plans_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, content[:300])
    bad = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans = sequential_scans(plan[0]["Plan"])
            if scans:
                bad.append(f"{', '.join(scans)} ← {sql[:400]}")
    return bad


def test_the_main_pages_read_actions_and_reports_through_indexes(client, big_plan):
    """Not in the list: the filter on the year's report (`compte_rendu`, `en_retard`) and the pages of figures
    (pacte, dashboard, bilan), which compute the facts of every action of a pacte (actions.figures): reading all
    of a pacte's reports, PostgreSQL rightly reads the table in one pass when the pacte holds more than a few
    percent of it."""
    pacte, axe, objectif, action = (big_plan[key] for key in ("pacte", "axe", "objectif", "action"))
    client.force_login(big_plan["referent"])
    first = client.get(reverse("actions:list")).context["page"]
    urls = [
        reverse("actions:list"),
        reverse("actions:list") + first.next_href,
        reverse("actions:list") + f"?page={first.num_pages}",
        reverse("actions:list") + "?q=passerell",
        reverse("actions:list") + f"?pacte={pacte.slug}&statut=done",
        reverse("actions:list") + f"?axe={axe.pk}",
        reverse("actions:list") + f"?objectif={objectif.pk}&statut=in_progress",
        reverse("actions:list") + "?statut=abandoned",
        reverse("actions:list") + f"?referent={big_plan['referent'].pk}",
        reverse("actions:detail", args=[action.pk]),
        reverse("actions:my_actions"),
        reverse("actions:pacte_axe", args=[pacte.slug, 2]),
        reverse("actions_io:actions_csv") + f"?pacte={pacte.slug}",
        "/api/v1/actions/?q=Passerelles",
        f"/api/v1/actions/?pacte={pacte.slug}&page=2",
    ]
    bad = {url: plans for url in urls if (plans := plans_of(client, url))}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)


def test_the_connections_run_without_jit_compilation():
    """PostgreSQL's JIT would compile the figures' statement over a large pacte (its estimated cost passes
    jit_above_cost) and spend more doing so than running it: PTI's connections have it off (pti.settings)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def index_names(plan):
    found, stack = set(), [plan]
    while stack:
        node = stack.pop()
        if "Index Name" in node:
            found.add(node["Index Name"])
        stack.extend(node.get("Plans", []))
    return found


def test_after_a_report_the_figures_read_its_piece_of_the_axe_through_the_piece_index(client, big_plan):
    """Once a pacte's figures are in the cache, a report saved computes again the piece of the axe it is in
    (actions.axe_stamps): the dashboard's and the unfolded axe's statements then read that piece's actions
    through their index, and neither the actions nor the reports by sequential scan."""
    from django.core.cache import cache

    pacte, action = big_plan["pacte"], Action.objects.filter(pacte=big_plan["pacte"]).order_by("pk")[40]
    client.force_login(UserFactory(role="copil"))
    urls = [
        reverse("pilotage:dashboard", args=[pacte.slug]) + "?annee=2024",
        reverse("actions:pacte_axe", args=[pacte.slug, action.axe.number]),
    ]
    cache.clear()
    for url in urls:
        assert client.get(url).status_code == 200
    # The report's state is turned to the other one: whatever the fixture gave it (it follows the row's key), the
    # update changes a column the figures read.
    report = ProgressReport.objects.get(action=action, year=2024)
    other = ReportState.DRAFT if report.state == ReportState.SUBMITTED else ReportState.SUBMITTED
    ProgressReport.objects.filter(pk=report.pk).update(state=other)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        statements = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("WITH ")]
        assert len(statements) == 1, url
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statements[0])
            plan = cursor.fetchone()[0]
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        assert "action_piece_idx" in index_names(plan), url
        assert sequential_scans(plan) == [], url


def actions_read(plan):
    """The most rows of `actions_action` one node of a plan (EXPLAIN ANALYZE's JSON) read: those it kept and those
    its filters removed, on all its loops."""
    most, stack = 0, [plan]
    while stack:
        node = stack.pop()
        if node.get("Relation Name") == "actions_action":
            read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            most = max(most, read * node.get("Actual Loops", 1))
        stack.extend(node.get("Plans", []))
    return most


def test_a_thematic_referents_axe_reads_the_actions_of_its_page_not_the_pactes(client, big_plan):
    """A thematic referent's axe, page by page (50 actions of its 75): its page's actions in the plan's order,
    through the index on the axe (action_axe_order_idx), and their year's facts through the primary key,
    whatever the size of the pacte (300 actions) and of the table (3,000)."""
    from django.core.cache import cache

    axe = big_plan["axe"]
    axe.thematic_referents.add(big_plan["referent"])
    client.force_login(big_plan["referent"])
    for page in ("", "?page=2"):
        cache.clear()
        url = reverse("actions:my_axe_actions", args=[axe.pk]) + page
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        read = {}
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                if "actions_action" not in query["sql"] or not query["sql"].startswith(("SELECT", "WITH")):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
                read[query["sql"][:200]] = actions_read(plan)
        assert read and max(read.values()) <= 75, (url, read)  # no scan reads more actions than the axe holds
