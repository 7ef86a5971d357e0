"""The yearly reporting campaign: its page, its completion, its reminders and the new referents' e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from bilans import campaigns, tasks
from bilans.enums import ReminderKind
from bilans.models import Reminder, ReportingCampaign
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
DEADLINE = datetime.date(2026, 1, 31)
SITE = "https://pti.haute-vienne.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def people():
    return {
        "camille": UserFactory(username="camille", first_name="Camille", last_name="Durand"),
        "julien": UserFactory(username="julien", first_name="Julien", last_name="Morel"),
        "nadia": UserFactory(username="nadia", first_name="Nadia", last_name="Benali"),
    }


@pytest.fixture
def pacte(people):
    """Five actions owe a 2025 report: one submitted, one draft, three missing (one of them without anyone)."""
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)
    orienter = AxeFactory(pacte=pacte, number=1, title="Orienter")
    emploi = AxeFactory(pacte=pacte, number=2, title="Emploi", thematic_referents=[people["nadia"]])
    sans = AxeFactory(pacte=pacte, number=3, title="Sans référent")
    camille, julien = people["camille"], people["julien"]
    submitted = ActionFactory(axe=orienter, number="1.1", title="Plateforme", referents=[camille])
    ProgressReportFactory(action=submitted, year=YEAR, state=ReportState.SUBMITTED)
    draft = ActionFactory(axe=orienter, number="1.2", title="Garage <solidaire>", referents=[camille])
    ProgressReportFactory(action=draft, year=YEAR, state=ReportState.DRAFT)
    ActionFactory(axe=orienter, number="1.3", title="Clauses sociales", referents=[camille, julien])
    ActionFactory(axe=emploi, number="2.1", title="Emploi des jeunes")  # the axe's thematic referent answers for it
    ActionFactory(
        axe=emploi,
        number="2.2",
        title="Terminée en 2023",
        referents=[julien],
        status=ActionStatus.DONE,
        progress=100,
        end_date=datetime.date(2023, 12, 31),
    )
    ActionFactory(axe=sans, number="3.1", title="Personne")
    return pacte


@pytest.fixture
def campaign(pacte, staff):
    return ReportingCampaign.objects.create(
        pacte=pacte, year=YEAR, deadline=DEADLINE, reminder_days_before=7, reminder_days_after=1, opened_by=staff
    )


def campaign_url(pacte, year=YEAR):
    return reverse("bilans:campaign", args=[pacte.slug, year])


def body(response):
    return response.content.decode().replace("&#x27;", "'")


# Completion


def test_completion_counts_reports_by_axe_and_by_referent(campaign, people):
    result = campaigns.completion(campaign, today=DEADLINE - datetime.timedelta(days=3))

    totals = result["totals"]
    assert (totals["due"], totals["submitted"], totals["draft"], totals["missing"], totals["share"]) == (5, 1, 1, 3, 20)
    assert [
        (row["axe"].number, row["due"], row["submitted"], row["draft"], row["missing"]) for row in result["axes"]
    ] == [
        (1, 3, 1, 1, 1),
        (2, 1, 0, 0, 1),
        (3, 1, 0, 0, 1),
    ]
    referents = {row["user"].username: row for row in result["referents"]}
    assert {name: (r["due"], r["submitted"], r["draft"], r["missing"]) for name, r in referents.items()} == {
        "camille": (3, 1, 1, 1),
        "julien": (1, 0, 0, 1),
        "nadia": (1, 0, 0, 1),
    }
    assert [a.number for a in referents["camille"]["pending"]] == ["1.2", "1.3"]
    assert [a.number for a in result["unassigned"]] == ["3.1"]
    assert result["late"] == [] and not result["past_deadline"]


def test_after_the_deadline_whoever_still_owes_a_report_is_late(campaign):
    result = campaigns.completion(campaign, today=DEADLINE + datetime.timedelta(days=1))

    assert result["past_deadline"]
    assert [row["user"].username for row in result["late"]] == ["camille", "nadia", "julien"]


def test_campaign_page_shows_completion_late_referents_and_reminders(client, campaign, copil_member, people):
    Reminder.objects.create(
        campaign=campaign,
        recipient=people["julien"],
        kind=ReminderKind.BEFORE,
        email="julien@haute-vienne.example",
        actions=[{"number": "1.3", "title": "Clauses sociales", "state": "missing", "id": 1}],
    )
    client.force_login(copil_member)

    response = client.get(campaign_url(campaign.pacte))

    assert response.status_code == 200
    content = body(response)
    assert "Date limite de transmission : 31 janvier 2026." in content
    assert "Camille Durand" in content and "Nadia Benali" in content
    assert "Avant l'échéance" in content and "julien@haute-vienne.example" in content
    assert "Ouvrir la campagne" not in content and "<form" not in content.split("<main")[1]


@pytest.mark.parametrize(
    "before, after, said",
    [
        (7, 1, "relancés par courriel 7 jours avant l'échéance, puis une dernière fois 1 jour après."),
        (1, 3, "relancés par courriel 1 jour avant l'échéance, puis une dernière fois 3 jours après."),
    ],
)
def test_campaign_page_says_its_reminder_days_in_the_singular_or_the_plural(
    client, campaign, staff, before, after, said
):
    ReportingCampaign.objects.filter(pk=campaign.pk).update(reminder_days_before=before, reminder_days_after=after)
    client.force_login(staff)
    assert said in body(client.get(campaign_url(campaign.pacte)))


def test_staff_opens_a_campaign_with_a_deadline(client, pacte, staff):
    client.force_login(staff)
    page = body(client.get(campaign_url(pacte)))
    assert "La campagne de comptes rendus 2025 n'est pas ouverte." in page and "Ouvrir la campagne" in page

    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        campaign_url(pacte),
        {"deadline": deadline.isoformat(), "reminder_days_before": 10, "reminder_days_after": 2, "version": 0},
        follow=True,
    )

    assert "La campagne 2025 est ouverte." in body(response)
    campaign = ReportingCampaign.objects.get(pacte=pacte, year=YEAR)
    assert (campaign.deadline, campaign.reminder_days_before, campaign.reminder_days_after, campaign.opened_by) == (
        deadline,
        10,
        2,
        staff,
    )
    assert "Comptes rendus attendus" in body(response)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"deadline": "2020-01-01"}, "La date limite ne peut pas être dans le passé."),
        ({"deadline": ""}, "Ce champ est obligatoire."),
        ({"reminder_days_after": 0}, "supérieure ou égale à 1"),
        ({"reminder_days_before": 91}, "inférieure ou égale à 90"),
    ],
)
def test_bad_campaign_input_is_a_400(client, pacte, staff, data, error):
    client.force_login(staff)
    valid = {
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "reminder_days_before": 7,
        "reminder_days_after": 1,
        "version": 0,
    }

    response = client.post(campaign_url(pacte), {**valid, **data})

    assert response.status_code == 400
    assert error in body(response)
    assert not ReportingCampaign.objects.exists()


def test_campaign_changed_by_someone_else_meanwhile_is_a_conflict(client, campaign, staff):
    client.force_login(staff)
    data = {"deadline": "2099-02-28", "reminder_days_before": 7, "reminder_days_after": 1, "version": 1}
    assert client.post(campaign_url(campaign.pacte), data).status_code == 302

    response = client.post(campaign_url(campaign.pacte), {**data, "deadline": "2099-03-31"})

    assert response.status_code == 409
    assert ReportingCampaign.objects.get(pk=campaign.pk).deadline == datetime.date(2099, 2, 28)


# Reminders


def sent_to():
    return sorted(message.to[0] for message in mail.outbox)


def test_no_reminder_before_the_configured_days(campaign):
    assert campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=8)) == 0
    assert mail.outbox == []


def test_reminder_before_the_deadline_lists_the_missing_actions_and_links_to_my_actions(campaign):
    assert campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=7)) == 3

    assert sent_to() == [
        "camille@haute-vienne.example",
        "julien@haute-vienne.example",
        "nadia@haute-vienne.example",
    ]
    message = next(m for m in mail.outbox if m.to == ["camille@haute-vienne.example"])
    assert message.subject == "Comptes rendus 2025 à transmettre avant le 31 janvier 2026"
    assert "Bonjour Camille," in message.body
    assert "- 1.2 Garage <solidaire> (brouillon enregistré, à transmettre)" in message.body
    assert "- 1.3 Clauses sociales (à rédiger)" in message.body
    assert "Plateforme" not in message.body and "Emploi des jeunes" not in message.body
    assert f"{SITE}/mes-actions/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Garage &lt;solidaire&gt;" in html and "<solidaire>" not in html
    assert f'href="{SITE}/mes-actions/"' in html
    recorded = Reminder.objects.get(recipient__username="camille", kind=ReminderKind.BEFORE)
    assert [a["number"] for a in recorded.actions] == ["1.2", "1.3"]


def test_reminders_are_never_sent_twice(campaign):
    before = DEADLINE - datetime.timedelta(days=5)
    campaigns.send_reminders(today=before)
    campaigns.send_reminders(today=before)
    campaigns.send_reminders(today=DEADLINE)

    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3


def test_one_more_reminder_after_the_deadline_only_to_who_still_owes_reports(campaign, people):
    campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=7))
    for action in campaign.pacte.actions.filter(number__in=["1.2", "1.3"]):
        report = action.reports.filter(year=YEAR).first() or ProgressReportFactory(action=action, year=YEAR)
        report.state = ReportState.SUBMITTED
        report.save()
    mail.outbox.clear()

    assert campaigns.send_reminders(today=DEADLINE) == 0  # on the day: the "before" reminder was sent already
    assert campaigns.send_reminders(today=DEADLINE + datetime.timedelta(days=1)) == 1

    assert sent_to() == ["nadia@haute-vienne.example"]
    message = mail.outbox[0]
    assert message.subject == "Comptes rendus 2025 en retard – date limite du 31 janvier 2026 dépassée"
    assert "était le 31 janvier 2026" in message.body and "2.1 Emploi des jeunes" in message.body
    campaigns.send_reminders(today=DEADLINE + datetime.timedelta(days=20))
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(kind=ReminderKind.AFTER).count() == 1


def test_referent_without_email_or_inactive_is_skipped(campaign, people):
    people["julien"].email = ""
    people["julien"].save()
    people["nadia"].is_active = False
    people["nadia"].save()

    campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=1))

    assert sent_to() == ["camille@haute-vienne.example"]
    assert list(Reminder.objects.values_list("recipient__username", flat=True)) == ["camille"]


def test_no_reminder_once_the_year_is_closed(campaign):
    ClosedYear.objects.create(pacte=campaign.pacte, year=YEAR)

    assert campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_a_reminder_that_could_not_be_sent_is_not_recorded_and_is_tried_again(campaign, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    send = EmailMultiAlternatives.send

    def refuse_camille(message, *args, **kwargs):
        if message.to == ["camille@haute-vienne.example"]:
            raise ConnectionRefusedError("SMTP en panne")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_camille)
    assert campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=2)) == 2
    assert not Reminder.objects.filter(recipient__username="camille").exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=1)) == 1
    assert Reminder.objects.filter(recipient__username="camille").exists()


def test_beat_task_sends_the_reminders_due_today(campaign):
    campaign.deadline = timezone.localdate() + datetime.timedelta(days=3)
    campaign.save()

    assert tasks.send_campaign_reminders.apply().get() == 3
    assert tasks.send_campaign_reminders.apply().get() == 0


def test_reminders_sent_are_shown_on_the_campaign_page(client, campaign, staff):
    campaigns.send_reminders(today=DEADLINE - datetime.timedelta(days=7))
    client.force_login(staff)

    content = body(client.get(campaign_url(campaign.pacte)))

    assert "Relances envoyées" in content and "Aucune relance envoyée" not in content
    assert content.count("Avant l'échéance") == 3
    assert "1.2, 1.3" in content


# A referent newly named on an action


def test_new_referent_is_told_by_email(people, pacte, django_capture_on_commit_callbacks):
    action = pacte.actions.get(number="2.1")
    newcomer = UserFactory(username="lea", first_name="Léa", email="lea@haute-vienne.example")

    with django_capture_on_commit_callbacks(execute=True):
        action.referents.add(newcomer)

    assert sent_to() == ["lea@haute-vienne.example"]
    message = mail.outbox[0]
    assert message.subject == "Vous êtes référent de l'action 2.1 – Emploi des jeunes"
    assert "Bonjour Léa," in message.body
    assert f"{SITE}/actions/{action.pk}/" in message.body and f"{SITE}/mes-actions/" in message.body


def test_only_the_newly_named_referents_are_told(people, pacte, django_capture_on_commit_callbacks):
    action = pacte.actions.get(number="1.3")  # Camille and Julien already
    with django_capture_on_commit_callbacks(execute=True):
        action.referents.set([people["camille"], people["julien"], people["nadia"]])
        action.referents.set([people["camille"], people["julien"], people["nadia"]])
    assert sent_to() == ["nadia@haute-vienne.example"]


def test_referent_named_from_the_user_side_is_told_too(people, pacte, django_capture_on_commit_callbacks):
    action = pacte.actions.get(number="3.1")
    with django_capture_on_commit_callbacks(execute=True):
        people["julien"].referent_actions.add(action)
    assert sent_to() == ["julien@haute-vienne.example"]
    assert "3.1 Personne" in mail.outbox[0].body


def test_new_referent_email_mentions_the_open_campaign(people, pacte, django_capture_on_commit_callbacks):
    ReportingCampaign.objects.create(pacte=pacte, year=YEAR, deadline=timezone.localdate() + datetime.timedelta(days=9))
    action = pacte.actions.get(number="2.1")

    with django_capture_on_commit_callbacks(execute=True):
        action.referents.add(people["julien"])

    message = mail.outbox[0]
    assert "Son compte rendu 2025 est attendu au plus tard le" in message.body
    assert f"{SITE}/actions/{action.pk}/compte-rendu/2025/" in message.body


def test_no_email_when_the_change_is_rolled_back(people, pacte, django_capture_on_commit_callbacks):
    action = pacte.actions.get(number="2.1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        action.referents.add(people["julien"])
    assert len(callbacks) == 1 and mail.outbox == []  # queued only once the transaction commits


# Completion a page of referents at a time, counted by the database


def test_completion_gives_the_referents_a_page_at_a_time_most_owing_first(campaign, people):
    today = DEADLINE - datetime.timedelta(days=3)
    pages = [campaigns.year_completion(campaign.pacte, YEAR, today, page=n, per_page=2) for n in (1, 2, 3, 0)]

    assert [[row["user"].username for row in result["referents"]] for result in pages] == [
        ["camille", "nadia"],
        ["julien"],
        ["julien"],  # beyond the last page: the last page
        ["camille", "nadia"],  # before the first: the first
    ]
    assert [(r["referent_page"]["number"], r["referent_page"]["pages"]) for r in pages] == [
        (1, 2),
        (2, 2),
        (2, 2),
        (1, 2),
    ]
    assert {r["referent_page"]["count"] for r in pages} == {3}
    assert {r["pending_count"] for r in pages} == {3}
    # The totals and the axes count every action, whatever the page.
    assert {(r["totals"]["due"], r["totals"]["submitted"], len(r["axes"])) for r in pages} == {(5, 1, 3)}


def test_a_referents_owed_reports_are_listed_up_to_a_limit_then_counted(campaign, monkeypatch):
    monkeypatch.setattr(campaigns, "PENDING_SHOWN", 1)

    result = campaigns.year_completion(campaign.pacte, YEAR, DEADLINE - datetime.timedelta(days=3), page=1)

    camille = next(row for row in result["referents"] if row["user"].username == "camille")
    assert [(a.number, a.report_state) for a in camille["pending"]] == [("1.2", "draft")]
    assert camille["pending_more"] == 1
    assert [a.number for a in result["unassigned"]] == ["3.1"] and result["unassigned_count"] == 1


@pytest.mark.parametrize("page", ["2", "99", "abc", "-1"])
def test_campaign_page_of_referents_beyond_the_end_or_not_a_number_shows_a_page(client, campaign, staff, page):
    client.force_login(staff)

    response = client.get(campaign_url(campaign.pacte) + f"?page={page}")

    assert response.status_code == 200
    assert "Camille Durand" in body(response)


def test_campaign_page_links_the_next_page_of_referents(client, campaign, staff, monkeypatch):
    monkeypatch.setattr(campaigns, "REFERENTS_PER_PAGE", 2)
    client.force_login(staff)

    first = body(client.get(campaign_url(campaign.pacte)))
    second = body(client.get(campaign_url(campaign.pacte) + "?page=2"))

    assert "Page 1 sur 2 (3 référents)" in first and 'href="?page=2#titre-referents"' in first
    assert "Camille Durand" in first and "Julien Morel" not in first.split('id="titre-referents"')[1]
    assert "Page 2 sur 2 (3 référents)" in second and 'href="?page=1#titre-referents"' in second


def test_campaign_page_runs_the_same_queries_whatever_the_number_of_actions(client, campaign, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(campaign_url(campaign.pacte)).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    axe = campaign.pacte.axes.get(number=1)
    for n in range(4, 10):
        ActionFactory(axe=axe, number=f"1.{n}", referents=[UserFactory()])
    assert queries() == before


def test_completion_counts_by_axe_and_by_referent_in_one_statement(campaign, people):
    """The totals by axe and by referent come from one figures statement, and are those of two separate ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions import figures

    p = figures.period(campaign.pacte, YEAR)
    separate = {group: figures.compute([p], group=group) for group in ("axe", "responsible")}
    with CaptureQueriesContext(connection) as ctx:
        together = figures.compute_groups([p], ("axe", "responsible"))
    assert len(ctx.captured_queries) == 1
    lean = figures.compute_groups([p], ("axe", "responsible"), reports_only=True)
    for group in ("axe", "responsible"):
        assert together[group].figures == separate[group].figures
        for key, entry in separate[group].figures.items():
            assert lean[group].figures[key]["total"]["reports"] == entry["total"]["reports"]
            assert {g: f["reports"] for g, f in lean[group].figures[key]["groups"].items()} == {
                g: f["reports"] for g, f in entry["groups"].items()
            }
    assert together["axe"].total()["reports"] == separate["axe"].total()["reports"]
    assert together["axe"].total()["reports"]["due"] > 0
    with CaptureQueriesContext(connection) as ctx:
        campaigns.year_completion(campaign.pacte, YEAR, page=1)
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("WITH rep")]
    # One for the totals by axe and by referent (there were two), one for the owed reports of the referents of
    # the page, one for the owed reports nobody is expected to write.
    assert len(statements) == 3
