"""The axes' counters (actions.axe_stamps): the database counts every write in the axe it belongs to, and a
pacte's figures are kept axe by axe, so that a report saved computes again its axe's figures alone."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import axe_stamps, figures
from actions.enums import ActionStatus, ReportState
from actions.factories import (
    ActionFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    ProgressReportFactory,
)
from actions.models import Action, AxeStamp, IndicatorValue, Milestone, ProgressReport
from axes.factories import AxeFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def plan():
    """Two axes: 1.1 in progress (a draft report, an indicator with a value, a milestone) and 1.2 abandoned in
    axe 1; 2.1 finished during the year (a submitted report) in axe 2."""
    pacte = PacteFactory(slug="pti-axes", first_year=2022, last_year=2025)
    first, second = AxeFactory(pacte=pacte, number=1), AxeFactory(pacte=pacte, number=2)
    actions = {}
    for axe, number, status, progress, state in (
        (first, "1.1", ActionStatus.IN_PROGRESS, 40, ReportState.DRAFT),
        (first, "1.2", ActionStatus.ABANDONED, 10, ReportState.DRAFT),
        (second, "2.1", ActionStatus.DONE, 100, ReportState.SUBMITTED),
    ):
        actions[number] = ActionFactory(
            axe=axe,
            number=number,
            status=status,
            progress=progress,
            objectif=None,
            start_date=datetime.date(2022, 1, 1),
            end_date=datetime.date(2025, 12, 31),
        )
        ProgressReportFactory(action=actions[number], year=2025, status=status, progress=progress, state=state)
    indicator = IndicatorFactory(action=actions["1.1"])
    IndicatorValueFactory(indicator=indicator, year=2025, target=100, value=80)
    MilestoneFactory(action=actions["1.1"], planned_date=datetime.date(2025, 3, 31))
    return {"pacte": pacte, "axes": {1: first, 2: second}, **actions}


def counters(plan):
    """{axe number: the counters of its pieces}."""
    return {
        number: dict(
            AxeStamp.objects.filter(
                piece__gte=axe.pk * axe_stamps.BUCKETS, piece__lt=(axe.pk + 1) * axe_stamps.BUCKETS
            ).values_list("piece", "version")
        )
        for number, axe in plan["axes"].items()
    }


def save_report(action, **changes):
    report = action.reports.get()
    for name, value in changes.items():
        setattr(report, name, value)
    report.save()


def raw_update(plan):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_progressreport SET progress = %s WHERE action_id = %s", [77, plan["2.1"].pk])


def raw_text_update(plan):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE actions_progressreport SET advances = %s WHERE action_id = %s", ["x", plan["2.1"].pk])


def move(plan):
    action = plan["1.2"]
    action.axe = plan["axes"][2]
    action.save()


WRITES = [
    ("a report's progress saved", lambda plan: save_report(plan["1.1"], progress=45), {1}),
    ("a report's state saved", lambda plan: save_report(plan["1.1"], state=ReportState.SUBMITTED), {1}),
    ("a report's weather saved", lambda plan: save_report(plan["1.1"], weather="at_risk"), {1}),
    (
        "a draft saved again with new text (the autosave): no figure changes",
        lambda plan: save_report(plan["1.1"], advances="Nouveau texte", difficulties="Aucune"),
        set(),
    ),
    ("a report saved unchanged", lambda plan: plan["1.1"].reports.get().save(), set()),
    (
        "reports updated in bulk",
        lambda plan: ProgressReport.objects.filter(action=plan["2.1"]).update(progress=90),
        {2},
    ),
    (
        "an indicator value added",
        lambda plan: IndicatorValueFactory(indicator=plan["1.1"].indicators.get(), year=2024),
        {1},
    ),
    ("an indicator value deleted", lambda plan: IndicatorValue.objects.filter(year=2025).delete(), {1}),
    ("a milestone done", lambda plan: Milestone.objects.update(done_date=datetime.date(2025, 4, 1)), {1}),
    ("a referent named", lambda plan: plan["1.2"].referents.add(UserFactory()), {1}),
    ("a thematic referent named", lambda plan: plan["axes"][2].thematic_referents.add(UserFactory()), {2}),
    ("an action moved to the other axe", move, {1, 2}),
    ("an action deleted", lambda plan: plan["2.1"].delete(), {2}),
    ("raw SQL", raw_update, {2}),
    ("raw SQL on the text alone", raw_text_update, set()),
    ("an axe renamed (the plan's tables: their own stamp)", lambda plan: plan["axes"][1].save(), set()),
]


@pytest.mark.parametrize("write, expected", [(w[1], w[2]) for w in WRITES], ids=[w[0] for w in WRITES])
def test_every_write_counts_in_its_axe_and_in_no_other(plan, write, expected):
    before = counters(plan)
    write(plan)
    after = counters(plan)
    assert {number for number in before if after[number] != before[number]} == expected


def pieces_read(sql):
    """The pieces a statement of the figures ran over (None: all)."""
    found = re.search(r"- \(a\.id / 16\) \* 16\) IN \(([\d, ]+)\)", sql)
    return sorted(int(piece) for piece in found.group(1).split(",")) if found else None


def read(plan):
    """(submitted reports and actions of the pacte, then of each axe, in 2025; the axes the statement ran over:
    None for all, [] when it did not run)."""
    with CaptureQueriesContext(connection) as queries:
        result = figures.compute([figures.period(plan["pacte"], 2025, TODAY)])
    statements = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("WITH ")]
    ran = []
    for sql in statements:
        pieces = pieces_read(sql)
        ran.append(sorted({axe_stamps.axe_of(piece) for piece in pieces}) if pieces is not None else None)
    by_number = {axe.pk: number for number, axe in plan["axes"].items()}
    figures_of = {"pacte": result.total()} | {by_number[pk]: value for pk, value in result.groups().items()}
    shown = {name: (value["reports"]["submitted"], value["actions"]) for name, value in figures_of.items()}
    axes = [sorted(by_number[pk] for pk in axes) if axes is not None else None for axes in ran]
    return shown, axes


def test_a_report_transmitted_computes_again_the_figures_of_its_axe_alone(plan):
    everything = {"pacte": (1, 3), 1: (0, 2), 2: (1, 1)}
    assert read(plan) == (everything, [None])
    assert read(plan) == (everything, [])
    report = plan["1.1"].reports.get()
    report.state = ReportState.SUBMITTED
    report.save()
    assert read(plan) == ({"pacte": (2, 3), 1: (1, 2), 2: (1, 1)}, [[1]])
    assert read(plan) == ({"pacte": (2, 3), 1: (1, 2), 2: (1, 1)}, [])


def test_an_action_moved_or_deleted_leaves_no_figure_behind(plan):
    read(plan)
    move(plan)
    assert read(plan) == ({"pacte": (1, 3), 1: (0, 1), 2: (1, 2)}, [[1, 2]])  # its piece in each axe
    plan["2.1"].delete()
    assert read(plan) == ({"pacte": (0, 2), 1: (0, 1), 2: (0, 1)}, [[2]])


def test_a_report_saved_computes_again_its_piece_of_the_axe_and_a_thematic_referent_the_whole_axe(plan):
    """An axe of 40 actions is kept in 16 pieces: a report saved computes again the 2 or 3 actions of its piece,
    a thematic referent named (who writes the reports of the actions without referents) all of the axe's."""
    axe = plan["axes"][2]
    many = [
        ActionFactory(axe=axe, number=f"2.{n}", objectif=None, status=ActionStatus.IN_PROGRESS) for n in range(2, 41)
    ]
    period = figures.period(plan["pacte"], 2025, TODAY)

    def statements():
        with CaptureQueriesContext(connection) as queries:
            result = figures.compute([period])
        ran = [pieces_read(q["sql"]) for q in queries.captured_queries if q["sql"].startswith("WITH ")]
        return result.groups()[axe.pk]["actions"], ran

    assert statements() == (40, [None])
    ProgressReportFactory(action=many[10], year=2025, state=ReportState.DRAFT)
    piece = axe.pk * 16 + many[10].pk % 16
    assert statements() == (40, [[piece]])
    assert statements() == (40, [])
    axe.thematic_referents.add(UserFactory())
    assert statements() == (40, [list(range(axe.pk * 16, axe.pk * 16 + 16))])
    assert figures.compute([period]).groups()[axe.pk]["reports"]["draft"] == 1


def test_a_new_axe_or_an_axe_renumbered_computes_everything_again(plan):
    read(plan)
    AxeFactory(pacte=plan["pacte"], number=3)
    assert read(plan)[1] == [None]
    assert read(plan)[1] == []


def test_the_figures_kept_by_axe_are_those_computed_at_once(plan):
    """After writes in each axe, the figures read from the cache piece by piece equal a computation from
    nothing (indicators, milestones, attention, weather included)."""
    period = figures.period(plan["pacte"], 2025, TODAY)
    figures.compute([period])
    plan["1.1"].indicators.get().values.update(value=120)
    Milestone.objects.update(done_date=None, planned_date=datetime.date(2025, 1, 31))
    ProgressReport.objects.filter(action=plan["2.1"]).update(state=ReportState.DRAFT)
    pieces = figures.compute([period])
    cache.clear()
    whole = figures.compute([period])
    assert pieces.figures == whole.figures
    assert whole.total()["indicators"]["on_target"] == 1
    assert whole.total()["reports"]["submitted"] == 0


def test_the_triggers_are_installed_by_migrate_and_installing_them_again_changes_nothing(plan):
    def triggers():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pti_axe_stamp_%'"
                )
            else:
                cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'pti_axe_stamp_%'")
            return cursor.fetchone()[0]

    # Seven tables of the pieces and five of the plan (pactes, axes, objectives, closed years, users). SQLite:
    # one per table and event; PostgreSQL: one per table, and the reports' and users' updates have their own.
    count = 12 * 3 if connection.vendor == "sqlite" else 12 + 2
    assert triggers() == count
    axe_stamps.install("default")
    assert triggers() == count
    before = counters(plan)
    Action.objects.filter(pk=plan["2.1"].pk).update(progress=95)
    assert counters(plan)[2] != before[2] and counters(plan)[1] == before[1]


WINDOWS = [
    ((0, 2), ["1.1", "1.2"]),
    ((1, 2), ["1.2", "2.1"]),
    ((2, 3), ["2.1", "3.1", "3.2"]),
    ((4, 5), ["3.2"]),
    ((5, 2), []),
]


@pytest.mark.parametrize("window, expected", WINDOWS, ids=[f"from {w[0]}, {w[1]}" for w, _e in WINDOWS])
def test_a_page_of_listed_actions_is_cut_from_the_axes_in_the_plans_order(plan, window, expected):
    """A page of a list over the whole pacte (the dashboard's actions needing attention) is cut from each axe's
    first rows: the same page as over the whole plan, before and after a write in one axe."""
    third = AxeFactory(pacte=plan["pacte"], number=3)
    for number in ("3.2", "3.1"):  # created out of order: the plan's order is the numbers'
        ActionFactory(axe=third, number=number, objectif=None, start_date=datetime.date(2022, 1, 1))
    period = figures.period(plan["pacte"], 2025, TODAY)
    offset, limit = window

    def page():
        result = figures.compute([period], totals=False, rows=True, limit=limit, offset=offset)
        return [row["number"] for row in result.rows]

    assert page() == expected
    assert page() == expected
    save_report(plan["2.1"], progress=95)
    with CaptureQueriesContext(connection) as queries:
        assert page() == expected
    piece = plan["axes"][2].pk * 16 + plan["2.1"].pk % 16
    assert [pieces_read(query["sql"]) for query in queries if query["sql"].startswith("WITH ")] == [[piece]]
    whole = figures.compute([period], Action.objects.all(), totals=False, rows=True, limit=limit, offset=offset)
    assert [row["number"] for row in whole.rows] == expected


def test_the_dashboard_draws_its_charts_again_only_when_what_it_shows_changed(client, plan, monkeypatch):
    """A draft saved in another pacte leaves the dashboard's charts and tables as they were drawn; a report
    transmitted in the pacte draws them again, with the new count."""
    from django.urls import reverse

    from pilotage import dashboard
    from pti.enums import Role

    drawn = []
    draw = dashboard.dashboard_charts
    monkeypatch.setattr(dashboard, "dashboard_charts", lambda data: drawn.append(1) or draw(data))
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("pilotage:dashboard", args=[plan["pacte"].slug]) + "?annee=2025"
    assert re.findall(r"\d+ sur \d+ attendus", client.get(url).content.decode()) == ["1 sur 3 attendus"]
    assert client.get(url).status_code == 200
    assert len(drawn) == 1
    elsewhere = ActionFactory(axe=AxeFactory(pacte=PacteFactory(slug="pti-ailleurs")), objectif=None)
    ProgressReportFactory(action=elsewhere, year=2025)
    assert client.get(url).status_code == 200
    assert len(drawn) == 1
    ProgressReport.objects.filter(action=plan["1.1"]).update(state=ReportState.SUBMITTED)
    page = client.get(url).content.decode()
    assert len(drawn) == 2
    assert re.findall(r"\d+ sur \d+ attendus", page) == ["2 sur 3 attendus"]  # 1.1 and 2.1 of the three due


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections to one database: PostgreSQL")
def test_a_write_by_another_program_shows_once_committed_and_not_before(plan):
    """Another program (psql, a script) writes a report in axe 1 outside PTI's connections: its counter moves in
    its transaction, so PTI keeps the figures it had until the commit, then computes axe 1 again."""
    import psycopg

    settings = connection.settings_dict
    everything = {"pacte": (1, 3), 1: (0, 2), 2: (1, 1)}
    assert read(plan) == (everything, [None])
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    )
    try:
        other.execute(
            "UPDATE actions_progressreport SET state = %s WHERE action_id = %s",
            [ReportState.SUBMITTED.value, plan["1.1"].pk],
        )
        assert read(plan) == (everything, [])  # not committed: what PTI has is still right
        other.commit()
    finally:
        other.close()
    assert read(plan) == ({"pacte": (2, 3), 1: (1, 2), 2: (1, 1)}, [[1]])


def test_an_unfolded_axe_is_drawn_again_after_a_figure_changed_not_after_a_text(client, plan, monkeypatch):
    """The unfolded axe shows no report's text: the autosave's draft leaves it in the cache, a progress saved
    draws it again with the new figure."""
    from django.urls import reverse

    from actions import views
    from pti.enums import Role

    drawn = []
    draw = views._pacte_axe_part
    monkeypatch.setattr(views, "_pacte_axe_part", lambda *args: drawn.append(1) or draw(*args))
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("actions:pacte_axe", args=[plan["pacte"].slug, 1])
    assert "40 %" in client.get(url).content.decode()
    save_report(plan["1.1"], advances="Nouveau texte")
    assert "40 %" in client.get(url).content.decode()
    assert len(drawn) == 1
    Action.objects.filter(pk=plan["1.1"].pk).update(progress=55)
    page = client.get(url).content.decode()
    assert len(drawn) == 2
    assert "55 %" in page and "40 %" not in page


def both_counters(action):
    """(version, reports, indicators) of the piece of `action`."""
    piece = action.axe_id * axe_stamps.BUCKETS + action.pk % axe_stamps.BUCKETS
    row = AxeStamp.objects.filter(piece=piece).values_list("version", "reports", "indicators").first()
    return row or (0, 0, 0)


def add_referent(plan):
    plan["1.1"].referents.add(UserFactory())


def thematic_referent(plan):
    plan["axes"][1].thematic_referents.add(UserFactory())


def update_action(**values):
    return lambda plan: Action.objects.filter(pk=plan["1.1"].pk).update(**values)


# (what is written to 1.1, its report, indicator or milestone; whether it counts in `version`, in `reports`, in
# `indicators`): the report counts (the campaign, the reminders) read a report's action, year, state and status,
# an action's place, number, title, dates and status, and the referents; the dashboard's indicators and budgets
# read the indicators and their values, an action's place, number and title.
COUNTED_WRITES = [
    ("a draft's new text", lambda plan: save_report(plan["1.1"], advances="Une phrase"), False, False, False),
    ("a draft's new progress", lambda plan: save_report(plan["1.1"], progress=45), True, False, False),
    ("a draft's new weather", lambda plan: save_report(plan["1.1"], weather="at_risk"), True, False, False),
    ("a draft transmitted", lambda plan: save_report(plan["1.1"], state=ReportState.SUBMITTED), True, True, False),
    ("a report's new status", lambda plan: save_report(plan["1.1"], status=ActionStatus.DONE), True, True, False),
    ("a report deleted", lambda plan: plan["1.1"].reports.get().delete(), True, True, False),
    ("a report written", lambda plan: ProgressReportFactory(action=plan["1.1"], year=2024), True, True, False),
    ("an action's new progress (bulk)", update_action(progress=60), True, False, False),
    ("an action's new description", update_action(description="Autre"), True, False, False),
    ("an action's new title", update_action(title="Autre"), True, True, True),
    ("an action's new end date", update_action(end_date=datetime.date(2024, 6, 30)), True, True, False),
    ("an action abandoned", update_action(status=ActionStatus.ABANDONED), True, True, False),
    ("an indicator's value", lambda plan: IndicatorValue.objects.update(value=90), True, False, True),
    ("an indicator added", lambda plan: IndicatorFactory(action=plan["1.1"]), True, False, True),
    (
        "a milestone reached",
        lambda plan: Milestone.objects.update(done_date=datetime.date(2025, 4, 1)),
        True,
        False,
        False,
    ),
    ("a referent named", add_referent, True, True, False),
    ("a thematic referent named", thematic_referent, True, True, False),
]


@pytest.mark.parametrize(
    "write, in_version, in_reports, in_indicators",
    [case[1:] for case in COUNTED_WRITES],
    ids=[case[0] for case in COUNTED_WRITES],
)
def test_the_narrow_counters_count_only_what_their_results_read(plan, write, in_version, in_reports, in_indicators):
    before = both_counters(plan["1.1"])
    write(plan)
    after = both_counters(plan["1.1"])
    moved = tuple(new != old for new, old in zip(after, before, strict=True))
    assert moved == (in_version, in_reports, in_indicators)


def plan_counters():
    counters = axe_stamps.with_plan(None)[1]
    del counters[axe_stamps.EPOCH_NAME]
    return counters


def outside_django(sql, params):
    """Run `sql` on Django's connection without its execute wrappers: as another program would (no stamp)."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
    finally:
        cursor.close()


# (a write; the tables whose counter it moves): each table of the plan and the users have a counter of their own,
# that a sign-in's date, a report and an axe's action do not move.
PLAN_WRITES = [
    (
        "a sign-in",
        lambda plan: get_user_model().objects.update(last_login=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)),
        set(),
    ),
    ("a user renamed", lambda plan: get_user_model().objects.update(last_name="Martin-Roux"), {"pti_user"}),
    ("an axe renamed", lambda plan: plan["axes"][1].save(), {"axes_axe"}),
    ("a pacte retitled", lambda plan: plan["pacte"].save(), {"axes_pacte"}),
    (
        "an objective added",
        lambda plan: plan["axes"][1].objectifs.create(number=1, text="Lever les freins"),
        {"axes_objectif"},
    ),
    ("a year closed", lambda plan: plan["pacte"].closed_years.create(year=2022), {"axes_closedyear"}),
    ("a report's progress saved", lambda plan: save_report(plan["1.1"], progress=45), set()),
    ("an action added", lambda plan: ActionFactory(axe=plan["axes"][2], number="2.2", objectif=None), set()),
    (
        "an axe renamed outside Django",
        lambda plan: outside_django("UPDATE axes_axe SET title = %s WHERE id = %s", ["Mobilité", plan["axes"][1].pk]),
        {"axes_axe"},
    ),
]


@pytest.mark.parametrize("write, expected", [(w[1], w[2]) for w in PLAN_WRITES], ids=[w[0] for w in PLAN_WRITES])
def test_each_table_of_the_plan_has_its_counter(plan, write, expected):
    UserFactory()  # a user to sign in or rename, written before the counters are read
    before = plan_counters()
    assert set(before) == {"axes_pacte", "axes_axe", "axes_objectif", "axes_closedyear", "pti_user"}
    write(plan)
    after = plan_counters()
    assert {table for table in before if after[table] != before[table]} == expected


def test_a_pactes_figures_outlive_the_caches_stamps_and_follow_the_plan_written_outside_django(plan):
    """Kept under the database's counters alone, the figures survive the cache's stamps lost (an evicted stamp);
    an axe renumbered by another program, or a migration applied, computes them again."""
    from pti import stamps

    shown, ran = read(plan)
    assert ran == [None]  # every piece
    stamps.changed()
    cache.delete(stamps.TABLE_KEY + "axes_axe")
    assert read(plan) == (shown, [])
    outside_django("UPDATE axes_axe SET number = %s WHERE id = %s", [3, plan["axes"][2].pk])
    assert read(plan) == (shown, [None])
    assert read(plan) == (shown, [])
    axe_stamps.plan_changed()  # what a migrate that applied a migration calls
    assert read(plan) == (shown, [None])


def test_a_restored_backup_and_renew_forget_what_was_kept_under_the_counters(plan):
    """A restored backup brings the counters back to values they had before: the cache may hold, under the same
    counters, figures of other data. `warm_caches --renew`, which the restore procedure runs, draws a new epoch
    of the database: nothing kept before is read again."""
    from django.core.management import call_command

    everything = {"pacte": (1, 3), 1: (0, 2), 2: (1, 1)}
    assert read(plan) == (everything, [None])
    before = {row.piece: (row.version, row.reports, row.indicators) for row in AxeStamp.objects.all()}
    # The restored data differs (1.1's report transmitted), its counters are those the cache knows.
    ProgressReport.objects.filter(action=plan["1.1"]).update(state=ReportState.SUBMITTED)
    for piece, (version, reports, indicators) in before.items():
        outside_django(
            "UPDATE actions_axestamp SET version = %s, reports = %s, indicators = %s WHERE piece = %s",
            [version, reports, indicators, piece],
        )
    assert read(plan) == (everything, [])  # what the restore leaves, before --renew: the figures of before
    call_command("warm_caches", "--renew", stdout=io.StringIO(), stderr=io.StringIO())
    assert read(plan)[0] == {"pacte": (2, 3), 1: (1, 2), 2: (1, 1)}
    assert read(plan) == ({"pacte": (2, 3), 1: (1, 2), 2: (1, 1)}, [])  # and kept again
