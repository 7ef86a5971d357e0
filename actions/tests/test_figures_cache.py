"""The figures of a whole pacte are computed once and served from the cache until the data they read changes
(pti.stamps): every kind of write shows at once, a transaction reads its own writes, a rolled-back write leaves
the cache as it was.

These tests commit for real (transaction=True): the cache only serves what was committed."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from actions import figures
from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import Action, ProgressReport
from axes.factories import AxeFactory, PacteFactory
from pti import stamps
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-cache", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1)
    for number, status, progress in (("1.1", ActionStatus.IN_PROGRESS, 40), ("1.2", ActionStatus.ABANDONED, 10)):
        action = ActionFactory(
            axe=axe,
            number=number,
            status=status,
            progress=progress,
            objectif=None,
            start_date=datetime.date(2022, 1, 1),
            end_date=datetime.date(2025, 12, 31),
        )
        ProgressReportFactory(action=action, year=2025, status=status, progress=progress, state=ReportState.DRAFT)
    return pacte


def read(pacte):
    """(the 2025 figures' submitted reports, the number of actions, whether the statement ran)."""
    with CaptureQueriesContext(connection) as queries:
        total = figures.compute([figures.period(pacte, 2025, TODAY)]).total()
    ran = any(query["sql"].startswith("WITH ") for query in queries.captured_queries)
    return total["reports"]["submitted"], total["actions"], ran


def submit(action):
    report = action.reports.get(year=2025)
    report.state = ReportState.SUBMITTED
    report.save()


def test_the_figures_are_computed_once_then_read_from_the_cache(pacte):
    assert read(pacte) == (0, 2, True)
    assert read(pacte) == (0, 2, False)


@pytest.mark.parametrize("write", ["save", "queryset update", "new action", "deleted action", "bulk create"])
def test_every_kind_of_write_shows_at_once(pacte, write):
    action = pacte.actions.get(number="1.1")
    assert read(pacte) == (0, 2, True)
    expected = (1, 2)
    if write == "save":
        submit(action)
    elif write == "queryset update":
        ProgressReport.objects.filter(action=action, year=2025).update(state=ReportState.SUBMITTED)
    elif write == "new action":
        ActionFactory(axe=action.axe, number="1.3", objectif=None)
        expected = (0, 3)
    elif write == "deleted action":
        pacte.actions.get(number="1.2").delete()
        expected = (0, 1)
    elif write == "bulk create":
        Action.objects.bulk_create([Action(pacte=pacte, axe=action.axe, number="1.4", title="Nouvelle")])
        expected = (0, 3)
    assert read(pacte) == (*expected, True)
    assert read(pacte) == (*expected, False)


def test_a_referent_named_shows_at_once_in_the_figures_of_a_referents_actions(pacte):
    """The figures of a referent's actions (his desk) read who the referents are: they follow at once (the whole
    pacte's figures count it in its action's axe alone: test_axe_stamps)."""
    action = pacte.actions.get(number="1.1")
    referent = UserFactory()
    period = figures.period(pacte, 2025, TODAY)

    def desk():
        with CaptureQueriesContext(connection) as queries:
            total = figures.compute([period], Action.objects.filter(referents=referent)).total()
        return total["actions"], any(query["sql"].startswith("WITH ") for query in queries.captured_queries)

    assert desk() == (0, True)
    assert desk() == (0, False)
    action.referents.add(referent)
    assert desk() == (1, True)
    assert desk() == (1, False)


def test_a_write_elsewhere_leaves_the_figures_and_a_write_to_a_table_they_read_drops_them(pacte):
    """The figures follow the tables their statement reads: a decision recorded at a COPIL (pilotage's tables)
    leaves them in the cache; an axe renamed (the axes' table, which the statement joins) drops them."""
    from pilotage.factories import DecisionFactory

    assert read(pacte) == (0, 2, True)
    DecisionFactory(copil__pacte=pacte)
    assert read(pacte) == (0, 2, False)
    pacte.axes.update(title="Renommé")
    assert read(pacte) == (0, 2, True)


def test_a_sign_in_does_not_drop_the_cached_figures(pacte):
    user = UserFactory()
    read(pacte)
    user.last_login = datetime.datetime(2025, 6, 15, 8, tzinfo=datetime.UTC)
    user.save(update_fields=["last_login"])
    assert read(pacte) == (0, 2, False)


def test_a_transaction_reads_its_own_writes_and_caches_them_only_once_committed(pacte):
    action = pacte.actions.get(number="1.1")
    read(pacte)
    with transaction.atomic():
        submit(action)
        assert read(pacte) == (1, 2, True)
        assert read(pacte) == (1, 2, True)  # not cached while it could still be rolled back
    assert read(pacte) == (1, 2, True)
    assert read(pacte) == (1, 2, False)


def test_a_rolled_back_write_leaves_the_cache_and_the_next_write_still_shows(pacte):
    first, second = pacte.actions.get(number="1.1"), pacte.actions.get(number="1.2")
    read(pacte)
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(first)
        raise RuntimeError
    assert read(pacte) == (0, 2, False)
    with transaction.atomic():
        submit(second)
    assert read(pacte) == (1, 2, True)


@pytest.mark.parametrize("lost", ["the axes' table's", "the epoch"])
def test_a_lost_stamp_means_what_follows_it_is_computed_again(client, pacte, lost):
    """What follows the cache's stamps (the list filters' options) is computed again after its stamp is lost; a
    pacte's figures, kept under the database's counters alone, are not."""
    from django.core.cache import cache
    from django.urls import reverse

    from pti.enums import Role

    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("actions:list")

    def options_read():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return any('FROM "axes_axe"' in query["sql"] for query in queries.captured_queries)

    read(pacte)
    assert options_read() is True
    assert options_read() is False
    cache.delete(stamps.TABLE_KEY + "axes_axe" if lost != "the epoch" else stamps.EPOCH)
    assert options_read() is True
    assert read(pacte) == (0, 2, False)


def test_a_change_of_everything_as_after_a_migration_drops_what_follows_one_table(pacte):
    """`post_migrate` renews every stamp, and a migration applied moves the plan's counters: the figures are
    computed again."""
    from actions import axe_stamps

    read(pacte)
    stamps.changed()  # what post_migrate calls
    assert read(pacte) == (0, 2, False)
    axe_stamps.plan_changed()  # what post_migrate calls after a migration applied
    assert read(pacte) == (0, 2, True)


def test_the_bilan_page_shows_a_report_transmitted_since_its_last_display(client, pacte):
    """A page read twice: the second display comes from the cache, the third follows a transmitted report."""
    from django.urls import reverse

    from pti.enums import Role

    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("bilans:detail", args=[pacte.slug, 2025])
    assert "0 transmis sur 2 attendus (2 en brouillon, 0 manquants)" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "0 transmis sur 2 attendus" in client.get(url).content.decode()
    assert not any(query["sql"].startswith("WITH ") for query in queries.captured_queries)
    submit(pacte.actions.get(number="1.1"))
    assert "1 transmis sur 2 attendus (1 en brouillon, 0 manquants)" in client.get(url).content.decode()


def test_the_action_list_filters_offer_a_referent_named_since_their_last_display(client, pacte):
    """The filters' options (referents, partners, axes) are rendered once and kept until the plan changes: a new
    referent is offered at once, a list displayed twice reads no user the second time."""
    from django.urls import reverse

    from pti.enums import Role

    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("actions:list")
    assert "Ferrand" not in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not any("DISTINCT" in query["sql"] and "pti_user" in query["sql"] for query in queries.captured_queries)
    pacte.actions.get(number="1.1").referents.add(UserFactory(first_name="Lucie", last_name="Ferrand"))
    referent = pacte.actions.get(number="1.1").referents.get()
    page = client.get(url).content.decode()
    assert re.search(rf'<option value="{referent.pk}">[^<]*Ferrand[^<]*</option>', page)


def test_a_report_saved_leaves_the_list_filters_options_in_the_cache(client, pacte):
    """A report's save writes the reports' and the action's tables: the referents and partners the filters offer
    are not read again, while the list itself shows the new state."""
    from django.urls import reverse

    from pti.enums import Role

    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("actions:list") + "?compte_rendu=transmis&annee=2025"
    assert "1.1" not in re.sub(r"<select.*?</select>", "", client.get(url).content.decode(), flags=re.S)
    submit(pacte.actions.get(number="1.1"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any(re.match(r'SELECT DISTINCT "pti_user"', statement) for statement in sql)
    assert not any('FROM "actions_partner"' in statement for statement in sql)
    assert any(statement.startswith("WITH ") for statement in sql)  # the list's figures are computed again
    assert pacte.actions.get(number="1.1").get_absolute_url() in page


def test_the_dashboard_shows_an_indicator_renamed_since_its_last_display(client, pacte):
    """The dashboard's indicators, sorted over the whole pacte, come from the cache on the second display and
    follow a change at once."""
    from django.urls import reverse

    from actions.factories import IndicatorFactory, IndicatorValueFactory
    from pti.enums import Role

    indicator = IndicatorFactory(action=pacte.actions.get(number="1.1"), label="Véhicules réparés")
    IndicatorValueFactory(indicator=indicator, year=2025, target=10, value=4)
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("pilotage:dashboard", args=[pacte.slug]) + "?annee=2025"
    assert "Véhicules réparés" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "Véhicules réparés" in client.get(url).content.decode()
    assert not any("actions_indicator" in query["sql"] for query in queries.captured_queries)
    indicator.label = "Permis de conduire obtenus"
    indicator.save()
    page = client.get(url).content.decode()
    assert "Permis de conduire obtenus" in page and "Véhicules réparés" not in page


def test_the_dashboard_body_is_rendered_once_and_follows_a_decision_or_an_action_since(client, pacte):
    """The dashboard's body (figures, charts, lists) is read from the cache on the second display, without a
    query on the actions nor the decisions, and follows at once a decision closed or an action abandoned."""
    from django.urls import reverse

    from pilotage.enums import DecisionStatus
    from pilotage.factories import CopilFactory, DecisionFactory
    from pti.enums import Role

    copil = CopilFactory(pacte=pacte, date=datetime.date(2025, 3, 1))
    decisions = DecisionFactory.create_batch(2, copil=copil, due_date=datetime.date(2099, 1, 1))
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("pilotage:dashboard", args=[pacte.slug]) + "?annee=2025"
    open_decisions = re.compile(
        r'<dd class="pti-kpi-value">(\d+)</dd>\s*<dd>[^<]*(?:<span[^>]*>[^<]*</span>)?[^<]*– <a'
    )

    def shown():
        page = client.get(url).content.decode()
        match = open_decisions.search(page)
        return (match.group(1) if match else "0"), "1.1" in page

    first = shown()
    with CaptureQueriesContext(connection) as queries:
        assert shown() == first
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "actions_action" not in sql and "pilotage_decision" not in sql
    assert first[0] == "2"
    decisions[0].status = DecisionStatus.DONE
    decisions[0].closed_on = datetime.date(2025, 4, 1)
    decisions[0].save()
    assert shown()[0] == "1"
    page_before = client.get(url).content.decode()
    Action.objects.filter(number="1.1").update(status=ActionStatus.DONE, progress=100)
    assert client.get(url).content.decode() != page_before


def test_the_campaign_page_follows_a_report_transmitted_since_its_last_display(client, pacte):
    """The campaign's tables by axe and by referent are kept in the cache between two displays, and a report
    transmitted in between moves its referent's row at once."""
    from django.urls import reverse

    from bilans.models import ReportingCampaign
    from pti.enums import Role

    referent = UserFactory(first_name="Lucie", last_name="Ferrand")
    for action in pacte.actions.all():
        action.referents.add(referent)
    ReportingCampaign.objects.create(pacte=pacte, year=2025, deadline=datetime.date(2026, 1, 31))
    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("bilans:campaign", args=[pacte.slug, 2025])
    row = re.compile(
        r'<th scope="row">Lucie Ferrand</th><td class="text-end">(\d+)</td><td class="text-end">(\d+)</td>'
    )
    assert row.search(client.get(url).content.decode()).groups() == ("2", "0")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert row.search(page).groups() == ("2", "0")
    # The tables are rendered once: neither the figures' statement nor the actions are read again.
    assert not any(query["sql"].startswith("WITH ") for query in queries.captured_queries)
    assert "actions_action" not in " ".join(query["sql"] for query in queries.captured_queries)
    assert "Envoyer les relances maintenant" in page
    # A COPIL member reads the same tables, without the staff's buttons.
    client.force_login(UserFactory(role=Role.COPIL))
    page = client.get(url).content.decode()
    assert row.search(page).groups() == ("2", "0") and "Envoyer les relances maintenant" not in page
    submit(pacte.actions.get(number="1.1"))
    assert row.search(client.get(url).content.decode()).groups() == ("2", "1")


def test_the_list_filtered_on_its_reports_follows_a_report_transmitted_since(client, pacte):
    """ "Compte rendu transmis" keeps the ids the figures found in the cache; a report transmitted in between puts
    its action in the list at once, and takes it out of "brouillon"."""
    from django.urls import reverse

    from pti.enums import Role

    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("actions:list")
    action = pacte.actions.get(number="1.1")
    link = f'href="{action.get_absolute_url()}"'
    assert link not in client.get(url, {"compte_rendu": "transmis", "annee": 2025}).content.decode()
    assert link in client.get(url, {"compte_rendu": "brouillon", "annee": 2025}).content.decode()
    submit(action)
    assert link in client.get(url, {"compte_rendu": "transmis", "annee": 2025}).content.decode()
    assert link not in client.get(url, {"compte_rendu": "brouillon", "annee": 2025}).content.decode()


def test_the_partner_directory_counts_an_action_joined_since_its_last_display(client, pacte):
    """The directory's page (its rows count each partner's actions) comes from the cache on the second display and
    counts a new link at once."""
    from django.urls import reverse

    from actions.factories import ActionPartnerFactory
    from pti.enums import Role

    link = ActionPartnerFactory(action=pacte.actions.get(number="1.1"), partner__name="Mission locale du Limousin")
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("partners:list") + f"?pacte={pacte.slug}"
    cell = re.compile(r">Mission locale du Limousin</a></td>.*?<td class=\"text-end\">(\d+)</td>", re.S)
    assert cell.search(client.get(url).content.decode()).group(1) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert cell.search(client.get(url).content.decode()).group(1) == "1"
    assert not any("actions_actionpartner" in query["sql"] for query in queries.captured_queries)
    ActionPartnerFactory(action=pacte.actions.get(number="1.2"), partner=link.partner)
    assert cell.search(client.get(url).content.decode()).group(1) == "2"


def test_the_reminders_preview_follows_a_reminder_sent_since_its_last_display(client, pacte):
    """The preview is kept in the cache between two displays; a reminder sent in between (the beat's, another
    agent's) moves its referent to "Déjà relancés aujourd'hui" at once."""
    from django.urls import reverse

    from bilans.enums import ReminderKind
    from bilans.models import Reminder, ReportingCampaign
    from pti.enums import Role

    referent = UserFactory(first_name="Lucie", last_name="Ferrand", email="lucie@haute-vienne.example")
    for action in pacte.actions.all():
        action.referents.add(referent)
    campaign = ReportingCampaign.objects.create(pacte=pacte, year=2025, deadline=datetime.date(2026, 1, 31))
    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("bilans:campaign_reminders", args=[pacte.slug, 2025])
    listed = re.compile(r"<li>(1\.\d) [^<]* – (brouillon à transmettre|à rédiger)</li>")
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    page = response.content.decode()
    assert "actions_action" not in " ".join(query["sql"] for query in queries.captured_queries)
    # The table of recipients is read as rendered the first time.
    assert "bilans/_reminder_recipients.html" not in [template.name for template in response.templates]
    assert listed.findall(page) == listed.findall(first)
    assert "1 référent relancé" in page and "lucie@haute-vienne.example" in page
    assert listed.findall(page) == [("1.1", "brouillon à transmettre"), ("1.2", "brouillon à transmettre")]
    actions = [{"number": a.number, "title": a.title, "state": "draft", "id": a.pk} for a in pacte.actions.all()]
    Reminder.objects.create(
        campaign=campaign, recipient=referent, kind=ReminderKind.MANUAL, email=referent.email, actions=actions
    )
    page = client.get(url).content.decode()
    assert "1 référent relancé" not in page and "Déjà relancés aujourd" in page


def test_the_plan_counts_an_action_added_or_moved_since_its_last_display(client, pacte):
    """The plan's counts of actions per axe and objective come from the cache on the second display (no count
    over the actions), follow an action created or moved to another axe at once, and so the "Supprimer" button
    of an axe that just got its first action disappears."""
    from django.urls import reverse

    from axes.factories import ObjectifFactory
    from pti.enums import Role

    first = pacte.axes.get(number=1)
    second = AxeFactory(pacte=pacte, number=2)
    objectif = ObjectifFactory(axe=first, number=1)
    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("axes:plan", args=[pacte.slug])

    def shown():
        page = client.get(url).content.decode()
        return (
            re.findall(r"(\d+ actions?|aucune action) · Référents thématiques", page),
            "Supprimer l'axe 2" in page,
            re.search(r"<strong>1\.1</strong>[^(]*\((\d+ actions?|aucune action)\)", page).group(1),
        )

    assert shown() == (["2 actions", "aucune action"], True, "aucune action")
    with CaptureQueriesContext(connection) as queries:
        assert shown() == (["2 actions", "aucune action"], True, "aucune action")
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    ActionFactory(axe=second, number="2.1", objectif=None)
    assert shown() == (["2 actions", "1 action"], False, "aucune action")
    Action.objects.filter(number="1.1").update(objectif=objectif)  # a bulk update too
    assert shown() == (["2 actions", "1 action"], False, "1 action")


def test_an_api_list_counts_from_the_cache_and_follows_a_report_written_since(client, pacte):
    """The API's count of a watched model's rows is kept under the stamp (no COUNT on the second call) and
    follows a report written in between; a model that is not watched (notifications) is counted every time."""
    from pti.enums import Role
    from pti.models import Notification

    client.force_login(UserFactory(role=Role.COPIL))
    before = client.get("/api/v1/comptes-rendus/").json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/comptes-rendus/").json()["count"] == before
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
    ProgressReportFactory(action=pacte.actions.get(number="1.2"), year=2023)
    assert client.get("/api/v1/comptes-rendus/").json()["count"] == before + 1
    assert Notification not in stamps.WATCHED
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/notifications/")
    assert any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_every_statement_writing_a_watched_table_changes_the_stamp_even_without_signal(pacte):
    """A bulk update on a model whose queryset sends no signal (indicators, axes), raw SQL, a bulk insert: each
    renews the stamp once it has run; a sign-in's date and a write to a table no figure reads do not."""
    from django.contrib.sessions.backends.db import SessionStore

    from actions.factories import IndicatorFactory
    from actions.models import Indicator
    from axes.models import Axe

    indicator = IndicatorFactory(action=pacte.actions.get(number="1.1"), label="Avant")
    user = UserFactory()

    def renews(write):
        before = stamps.current()
        write()
        return stamps.current() != before

    assert renews(lambda: Indicator.objects.filter(pk=indicator.pk).update(label="Après"))
    assert renews(lambda: Axe.objects.filter(pacte=pacte).update(title="Axe renommé"))
    with connection.cursor() as cursor:
        assert renews(lambda: cursor.execute("UPDATE axes_axe SET title = %s", ["Encore"]))
    with transaction.atomic():
        before = stamps.current()
        Indicator.objects.filter(pk=indicator.pk).update(label="Dans une transaction")
        assert stamps.current() == before  # not before the commit
    assert stamps.current() != before
    user.last_login = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    assert not renews(lambda: user.save(update_fields=["last_login"]))
    assert not renews(lambda: SessionStore().create())


def test_an_unfolded_axe_is_rendered_once_for_every_reader_and_follows_a_change_since(client, pacte):
    """The objectives and actions of an unfolded axe are read from the cache on the second display, whoever reads
    them, without a query on the actions; what belongs to the reader (staff's "Nouvelle action") stays his; an
    action finished in between shows at once."""
    from django.urls import reverse

    from pti.enums import Role

    url = reverse("actions:pacte_axe", args=[pacte.slug, 1])
    referent, staff = UserFactory(), UserFactory(role=Role.STAFF)
    client.force_login(staff)
    assert "Nouvelle action dans cet axe" in client.get(url).content.decode()
    client.force_login(referent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "actions_action" not in " ".join(query["sql"] for query in queries.captured_queries)
    assert "Nouvelle action dans cet axe" not in page
    row = re.compile(r">1\.1</td>.*?<span class=\"small text-nowrap\">(\d+) %</span>", re.S)
    assert row.search(page).group(1) == "40"
    assert row.search(client.get(url, headers={"HX-Request": "true"}).content.decode()).group(1) == "40"
    Action.objects.filter(number="1.1").update(status=ActionStatus.DONE, progress=100)
    assert row.search(client.get(url).content.decode()).group(1) == "100"


def test_a_thematic_referents_axe_is_rendered_once_and_follows_a_report_or_the_next_day(client, pacte, monkeypatch):
    """A thematic referent's axe is read from the cache on the second display; a report transmitted in between
    shows at once, and the next day (the deadline's days left change) it is rendered again."""
    from django.urls import reverse
    from django.utils import timezone

    from actions.models import Axe
    from bilans.models import ReportingCampaign

    axe = Axe.objects.get(pacte=pacte, number=1)
    referent = UserFactory()
    axe.thematic_referents.add(referent)
    ReportingCampaign.objects.create(pacte=pacte, year=2025, deadline=datetime.date(2099, 1, 31))
    client.force_login(referent)
    url = reverse("actions:my_axe_actions", args=[axe.pk])
    row = re.compile(r">1\.1</td>.*?2025 : <span class=\"badge report-(\w+)\">", re.S)

    def read():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return row.search(page).group(1), "actions_action" in " ".join(q["sql"] for q in queries.captured_queries)

    assert read() == ("draft", True)
    assert read() == ("draft", False)
    submit(pacte.actions.get(number="1.1"))
    assert read() == ("submitted", True)
    assert read() == ("submitted", False)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    assert read() == ("submitted", True)


def test_the_action_list_is_rendered_once_per_query_for_every_reader_and_follows_a_change(client, pacte):
    """The results of the same filters are read from the cache on the second display, by another reader too,
    without a query on the actions; other filters are their own results; an action abandoned since shows at once."""
    from django.urls import reverse

    url = reverse("actions:list")
    row = re.compile(r'<td>(1\.\d)</td>.*?<span class="badge status-(\w+)">', re.S)
    first, second = UserFactory(), UserFactory()  # both before: a user written renews the stamp
    client.force_login(first)
    assert row.findall(client.get(url).content.decode()) == [("1.1", "in_progress"), ("1.2", "abandoned")]
    client.force_login(second)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "actions_action" not in " ".join(query["sql"] for query in queries.captured_queries)
    assert row.findall(page) == [("1.1", "in_progress"), ("1.2", "abandoned")]
    assert row.findall(client.get(url + "?statut=abandoned").content.decode()) == [("1.2", "abandoned")]
    assert row.findall(client.get(url, headers={"HX-Request": "true"}).content.decode())[0] == ("1.1", "in_progress")
    Action.objects.filter(number="1.1").update(status=ActionStatus.ABANDONED)
    assert row.findall(client.get(url).content.decode()) == [("1.1", "abandoned"), ("1.2", "abandoned")]


def test_who_writes_which_report_follows_a_referent_named_and_not_a_report_saved(pacte):
    """The reminders' list of who is expected to write each due report (bilans.campaigns) is kept in the cache: a
    referent named shows at once; a report saved leaves it (it reads neither the reports nor their state)."""
    from bilans import campaigns

    action = pacte.actions.get(number="1.1")
    referent = UserFactory()

    def responsible():
        with CaptureQueriesContext(connection) as queries:
            due = {
                row.number: [user.pk for user in row.responsible] for row in campaigns.due_actions(pacte, 2025, TODAY)
            }
        return due, any("resp.user_id" in query["sql"] for query in queries.captured_queries)

    # 1.2, abandoned without a date, still owes its report.
    assert responsible() == ({"1.1": [], "1.2": []}, True)
    assert responsible() == ({"1.1": [], "1.2": []}, False)
    action.referents.add(referent)
    assert responsible() == ({"1.1": [referent.pk], "1.2": []}, True)
    submit(action)
    assert responsible() == ({"1.1": [referent.pk], "1.2": []}, False)


def test_the_dashboard_indicators_and_budgets_outlive_ten_minutes_and_follow_a_value_at_once(
    client, pacte, monkeypatch
):
    """The dashboard's indicators and budgets are kept under the `indicators` counters of the pacte's pieces
    (figures.kept): read again after the other results expired (one second here), or after a report saved, they
    run no query; a value or a budget written since shows at once."""
    import time

    from django.urls import reverse

    from actions.factories import IndicatorFactory, IndicatorValueFactory
    from actions.models import ActionBudget, IndicatorValue
    from pti.enums import Role

    action = pacte.actions.get(number="1.1")
    indicator = IndicatorFactory(action=action, label="Véhicules réparés")
    IndicatorValueFactory(indicator=indicator, year=2025, target=1234, value=987)
    ActionBudget.objects.create(action=action, year=2025, planned=45000)
    monkeypatch.setattr(stamps, "RESULT_SECONDS", 1)
    client.force_login(UserFactory(role=Role.COPIL))
    url = reverse("pilotage:dashboard", args=[pacte.slug]) + "?annee=2025"

    def shown():
        return client.get(url).content.decode().replace("\u202f", " ").replace("\xa0", " ")

    page = shown()
    assert "987 / 1 234" in page and "45 000" in page
    time.sleep(1.2)
    with CaptureQueriesContext(connection) as queries:
        page = shown()
    assert "987 / 1 234" in page and "45 000" in page
    read_tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "actions_indicator" not in read_tables and "actions_actionbudget" not in read_tables
    # A report's new progress changes a figure of the dashboard (its statement runs again over the report's
    # piece), not its list of indicators nor its budgets.
    report = action.reports.get(year=2025)
    report.progress = 55
    report.save()
    with CaptureQueriesContext(connection) as queries:
        page = shown()
    assert "987 / 1 234" in page
    statements = [query["sql"] for query in queries.captured_queries]
    assert any(sql.startswith("WITH ") for sql in statements)
    assert not any(sql.startswith('SELECT "actions_indicator"') for sql in statements)
    assert not any("actions_actionbudget" in sql for sql in statements)
    IndicatorValue.objects.filter(indicator=indicator).update(value=654)
    ActionBudget.objects.filter(action=action).update(planned=78000)
    page = shown()
    assert "654 / 1 234" in page and "987 / 1 234" not in page
    assert "78 000" in page and "45 000" not in page


def test_the_action_list_and_its_filters_outlive_ten_minutes_and_follow_what_they_show_at_once(
    client, pacte, monkeypatch
):
    """The list's results are kept under the counters of the pactes' pieces and its filters' options under their
    tables' stamps, a day: read again after the other results expired (one second here) they run no query on the
    actions nor on the users; a draft's text saved again leaves them; a progress, a referent named or renamed
    shows at once."""
    import time

    from django.urls import reverse

    from pti.enums import Role

    monkeypatch.setattr(stamps, "RESULT_SECONDS", 1)
    action = pacte.actions.get(number="1.1")
    referent = UserFactory(first_name="Lucie", last_name="Ferrand")
    action.referents.add(referent)
    client.force_login(UserFactory(role=Role.STAFF))
    url = reverse("actions:list")
    row = re.compile(r"<td>(1\.\d)</td>.*?(\d+)\s*%.*?<td>([^<]*)</td>\s*<td>2025", re.S)

    def shown():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        results = re.sub(r"<select.*?</select>", "", page, flags=re.S)
        options = re.findall(r'<option value="\d+">([^<]*Ferrand[^<]*)</option>', page)
        return row.findall(results), options, "actions_action" in sql, "DISTINCT" in sql

    expected = [("1.1", "40", "Lucie Ferrand"), ("1.2", "10", "—")]
    assert shown() == (expected, ["Lucie Ferrand"], True, True)
    time.sleep(1.2)
    assert shown() == (expected, ["Lucie Ferrand"], False, False)
    ProgressReport.objects.filter(action=action, year=2025).update(advances="Nouveau texte du brouillon")
    assert shown() == (expected, ["Lucie Ferrand"], False, False)
    Action.objects.filter(pk=action.pk).update(progress=65)
    expected[0] = ("1.1", "65", "Lucie Ferrand")
    assert shown() == (expected, ["Lucie Ferrand"], True, False)
    type(referent).objects.filter(pk=referent.pk).update(last_name="Ferrand-Roux")
    expected[0] = ("1.1", "65", "Lucie Ferrand-Roux")
    assert shown() == (expected, ["Lucie Ferrand-Roux"], True, True)


def rendered_rows(client, url, template, pattern):
    """(what `pattern` finds in the page at `url`, the numbers of the actions whose row `template` rendered)."""
    from django.test.signals import template_rendered

    numbers = []

    def record(sender, template=None, context=None, **kwargs):
        if template.name == row_template:
            numbers.append(context["action"].number)

    row_template = template
    template_rendered.connect(record)
    try:
        page = client.get(url).content.decode()
    finally:
        template_rendered.disconnect(record)
    return re.findall(pattern, page, re.S), sorted(numbers)


def test_an_unfolded_axe_renders_again_only_the_row_of_the_action_written(client, pacte):
    """Each row of an unfolded axe is kept under what it shows: after an action renamed, the axe's part is
    computed again and only that action's row rendered; a status changed is the new row of its action alone."""
    from django.urls import reverse

    ActionFactory(
        axe=pacte.axes.get(number=1),
        number="1.3",
        objectif=None,
        title="Garage solidaire",
        status=ActionStatus.TO_LAUNCH,
        progress=0,
    )
    url = reverse("actions:pacte_axe", args=[pacte.slug, 1])
    client.force_login(UserFactory())
    pattern = r"<td>(1\.\d)</td><td><a [^>]*>([^<]*)</a></td><td><span class=\"badge status-(\w+)\">"

    def read():
        return rendered_rows(client, url, "actions/_action_row.html", pattern)

    titles = {number: title for number, title in pacte.actions.values_list("number", "title")}
    shown = [("1.1", titles["1.1"], "in_progress"), ("1.2", titles["1.2"], "abandoned")]
    shown.append(("1.3", "Garage solidaire", "to_launch"))
    assert read() == (shown, ["1.1", "1.2", "1.3"])
    assert read() == (shown, [])
    Action.objects.filter(number="1.3").update(title="Garage solidaire et mobilité")
    shown[2] = ("1.3", "Garage solidaire et mobilité", "to_launch")
    assert read() == (shown, ["1.3"])
    Action.objects.filter(number="1.2").update(status=ActionStatus.DONE)
    shown[1] = ("1.2", titles["1.2"], "done")
    assert read() == (shown, ["1.2"])


def test_a_thematic_referents_rows_follow_a_report_and_a_deadline_moved(client, pacte):
    """A thematic referent's rows are kept one by one: a report transmitted renders its action's row alone; the
    campaign's deadline moved (a table outside the pieces) renders them all with the new date."""
    from django.urls import reverse

    from actions.models import Axe
    from bilans.models import ReportingCampaign

    axe = Axe.objects.get(pacte=pacte, number=1)
    referent = UserFactory()
    axe.thematic_referents.add(referent)
    campaign = ReportingCampaign.objects.create(pacte=pacte, year=2025, deadline=datetime.date(2099, 1, 31))
    client.force_login(referent)
    url = reverse("actions:my_axe_actions", args=[axe.pk])
    pattern = r">(1\.\d)</td>.*?2025 : <span class=\"badge report-(\w+)\">.*?date limite le (\d+ \w+ 2099)"

    def read():
        return rendered_rows(client, url, "actions/_my_action_row.html", pattern)

    shown = [("1.1", "draft", "31 janvier 2099"), ("1.2", "draft", "31 janvier 2099")]
    assert read() == (shown, ["1.1", "1.2"])
    assert read() == (shown, [])
    submit(pacte.actions.get(number="1.1"))
    shown[0] = ("1.1", "submitted", "31 janvier 2099")
    assert read() == (shown, ["1.1"])
    ReportingCampaign.objects.filter(pk=campaign.pk).update(deadline=datetime.date(2099, 2, 28))
    shown = [(number, state, "28 février 2099") for number, state, _date in shown]
    assert read() == (shown, ["1.1", "1.2"])


def test_the_referents_desk_and_the_thematic_axe_share_the_rows_of_an_action(client, pacte):
    """A referent's desk renders his actions' rows once; the same action's row in a thematic referent's axe is
    read from the cache, and a report transmitted renders that row alone again, on either page."""
    from django.urls import reverse

    from actions.models import Axe

    axe = Axe.objects.get(pacte=pacte, number=1)
    referent = UserFactory()
    pacte.actions.get(number="1.1").referents.add(referent)
    axe.thematic_referents.add(referent)
    client.force_login(referent)
    desk, thematic = reverse("actions:my_actions"), reverse("actions:my_axe_actions", args=[axe.pk])
    pattern = r">(1\.\d)</td>.*?2025 : <span class=\"badge report-(\w+)\">"
    template = "actions/_my_action_row.html"

    assert rendered_rows(client, desk, template, pattern) == ([("1.1", "draft")], ["1.1"])
    assert rendered_rows(client, thematic, template, pattern) == ([("1.1", "draft"), ("1.2", "draft")], ["1.2"])
    submit(pacte.actions.get(number="1.1"))
    assert rendered_rows(client, thematic, template, pattern) == ([("1.1", "submitted"), ("1.2", "draft")], ["1.1"])
    assert rendered_rows(client, desk, template, pattern)[1] == []
