""" "Envoyer les relances maintenant": staff see who gets which reminder today, then send them through a task
queued after the commit; each reminder is recorded, no report is reminded of twice the same day; the campaigns
and their reminders are in the Django admin for administrators, the reminders read-only."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from pti.formats import long_date

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = timezone.localdate()
DEADLINE = TODAY + datetime.timedelta(days=10)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://pti.haute-vienne.example"


@pytest.fixture
def people():
    return {
        "camille": UserFactory(username="camille", first_name="Camille", last_name="Durand"),
        "julien": UserFactory(username="julien", first_name="Julien", last_name="Morel"),
        "nadia": UserFactory(username="nadia", first_name="Nadia", last_name="Benali"),
        "sophie": UserFactory(username="sophie", first_name="Sophie", last_name="Roux", email=""),
    }


@pytest.fixture
def pacte(people):
    """Reports owed for 2025: camille 1.2 (draft) and 1.3 (missing, with julien), nadia 2.1 (missing, as the
    axe's thematic referent), sophie 3.1 (missing, but she has no e-mail address). Owe nothing: camille's 1.1
    (transmitted) and julien's 2.2 (abandoned in 2024)."""
    pacte = PacteFactory(slug="pti-relances", title="PTI 2022-2025", first_year=2022, last_year=2025)
    orienter = AxeFactory(pacte=pacte, number=1, title="Orienter")
    emploi = AxeFactory(pacte=pacte, number=2, title="Emploi", thematic_referents=[people["nadia"]])
    mobilite = AxeFactory(pacte=pacte, number=3, title="Mobilité")
    camille, julien = people["camille"], people["julien"]
    transmitted = ActionFactory(axe=orienter, number="1.1", title="Plateforme", referents=[camille])
    ProgressReportFactory(action=transmitted, year=YEAR, state=ReportState.SUBMITTED)
    draft = ActionFactory(axe=orienter, number="1.2", title="Garage solidaire", referents=[camille])
    ProgressReportFactory(action=draft, year=YEAR, state=ReportState.DRAFT)
    ActionFactory(axe=orienter, number="1.3", title="Clauses sociales", referents=[camille, julien])
    ActionFactory(axe=emploi, number="2.1", title="Emploi des jeunes")
    ActionFactory(
        axe=emploi,
        number="2.2",
        title="Abandonnée en 2024",
        referents=[julien],
        status=ActionStatus.ABANDONED,
        end_date=datetime.date(2024, 6, 30),
    )
    ActionFactory(axe=mobilite, number="3.1", title="Auto-école sociale", referents=[people["sophie"]])
    return pacte


@pytest.fixture
def campaign(pacte, staff):
    return ReportingCampaign.objects.create(
        pacte=pacte, year=YEAR, deadline=DEADLINE, reminder_days_before=7, reminder_days_after=1, opened_by=staff
    )


def action_item(pacte, number):
    action = pacte.actions.get(number=number)
    return {"number": action.number, "title": action.title, "state": "missing", "id": action.pk}


@pytest.fixture
def nadia_reminded_today(campaign, people):
    """The beat reminded nadia of 2.1 this morning."""
    return Reminder.objects.create(
        campaign=campaign,
        recipient=people["nadia"],
        kind=ReminderKind.BEFORE,
        email="nadia@haute-vienne.example",
        actions=[action_item(campaign.pacte, "2.1")],
    )


def reminders_url(campaign):
    return reverse("bilans:campaign_reminders", args=[campaign.pacte.slug, campaign.year])


def campaign_url(campaign):
    return reverse("bilans:campaign", args=[campaign.pacte.slug, campaign.year])


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())))


def preview_rows(rows):
    return [
        (row["user"].username, [a.number for a in row["actions"]], [a.number for a in row["reminded"]]) for row in rows
    ]


def test_the_preview_lists_who_gets_which_reports(campaign, nadia_reminded_today):
    preview = campaigns.reminders_now(campaign)
    assert preview_rows(preview["recipients"]) == [("camille", ["1.2", "1.3"], []), ("julien", ["1.3"], [])]
    assert preview_rows(preview["already"]) == [("nadia", [], ["2.1"])]
    assert preview_rows(preview["unreachable"]) == [("sophie", ["3.1"], [])]
    assert (preview["deadline"], preview["after"]) == (DEADLINE, False)


def test_a_report_reminded_of_today_is_left_out_of_the_next_reminder(campaign, people):
    Reminder.objects.create(
        campaign=campaign,
        recipient=people["camille"],
        kind=ReminderKind.MANUAL,
        email="camille@haute-vienne.example",
        actions=[action_item(campaign.pacte, "1.2")],
    )
    yesterday = Reminder.objects.create(
        campaign=campaign,
        recipient=people["julien"],
        kind=ReminderKind.MANUAL,
        email="julien@haute-vienne.example",
        actions=[action_item(campaign.pacte, "1.3")],
    )
    Reminder.objects.filter(pk=yesterday.pk).update(sent_at=timezone.now() - datetime.timedelta(days=1))

    rows = preview_rows(campaigns.reminders_now(campaign)["recipients"])
    # By name: Benali, Durand, Morel.
    assert rows == [("nadia", ["2.1"], []), ("camille", ["1.3"], ["1.2"]), ("julien", ["1.3"], [])]


def test_staff_see_the_preview_page_from_the_campaign_page(client, staff, campaign, nadia_reminded_today):
    client.force_login(staff)
    page = html.unescape(client.get(campaign_url(campaign)).content.decode())
    assert f'href="{reminders_url(campaign)}"' in page and "Envoyer les relances maintenant" in page

    response = client.get(reminders_url(campaign))
    assert response.status_code == 200
    content = text(response)
    assert "2 référents relancés" in content
    assert f"à transmettre avant le {long_date(DEADLINE)}" in content
    assert "Camille Durand camille@haute-vienne.example 1.2 Garage solidaire – brouillon à transmettre" in content
    assert "1.3 Clauses sociales – à rédiger" in content
    assert "Julien Morel julien@haute-vienne.example 1.3 Clauses sociales – à rédiger" in content
    assert "Déjà relancés aujourd'hui Nadia Benali : 2.1" in content
    assert "Sans relance possible Sophie Roux : pas d'adresse électronique (3.1)" in content
    assert "Plateforme" not in content and "Abandonnée en 2024" not in content
    assert "Envoyer les relances à 2 référents" in content
    # Looking sends nothing.
    assert mail.outbox == [] and Reminder.objects.count() == 1


def test_sending_records_each_reminder_and_emails_it_once(
    client, staff, campaign, people, nadia_reminded_today, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reminders_url(campaign), {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == campaign_url(campaign)
    assert len(callbacks) == 1  # the task is queued after the commit

    assert sorted(m.to[0] for m in mail.outbox) == ["camille@haute-vienne.example", "julien@haute-vienne.example"]
    message = next(m for m in mail.outbox if m.to == ["camille@haute-vienne.example"])
    assert message.subject == f"Comptes rendus 2025 à transmettre avant le {long_date(DEADLINE)}"
    assert "- 1.2 Garage solidaire (brouillon enregistré, à transmettre)" in message.body
    assert "- 1.3 Clauses sociales (à rédiger)" in message.body and "Plateforme" not in message.body
    manual = Reminder.objects.filter(kind=ReminderKind.MANUAL).order_by("recipient__username")
    assert [(r.recipient.username, r.email, r.sent_by, [a["number"] for a in r.actions]) for r in manual] == [
        ("camille", "camille@haute-vienne.example", staff, ["1.2", "1.3"]),
        ("julien", "julien@haute-vienne.example", staff, ["1.3"]),
    ]

    page = text(client.get(response["Location"]))
    assert (
        f"Les relances de 2 référents partent maintenant (date limite du {long_date(DEADLINE)}) ; elles apparaissent "
        "dans « Relances envoyées » une fois envoyées." in page
    )
    assert "Envoyée par un agent" in page

    # A second click the same day sends nothing more.
    mail.outbox.clear()
    assert "Personne à relancer aujourd'hui." in text(client.get(reminders_url(campaign)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(reminders_url(campaign), {"confirmed": "1"})
    assert again.status_code == 302 and callbacks == []
    assert "Aucune relance à envoyer aujourd'hui" in text(client.get(again["Location"]))
    # Nor does the task delivered twice, nor the beat the same day.
    assert tasks.send_reminders_now.apply(args=[campaign.pk, staff.pk]).get() == 0
    assert campaigns.send_campaign_reminders(campaign, ReminderKind.BEFORE) == 0
    assert mail.outbox == [] and Reminder.objects.count() == 3


def test_a_post_without_the_confirmation_only_shows_the_preview(client, staff, campaign):
    client.force_login(staff)
    response = client.post(reminders_url(campaign))
    assert response.status_code == 200 and "Envoyer les relances à 3 référents" in text(response)
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_a_report_transmitted_after_the_preview_is_not_in_the_reminder(campaign, staff):
    # Staff looked: camille would get 1.2 and 1.3; then 1.3 is transmitted before the task runs.
    assert [a.number for a in campaigns.reminders_now(campaign)["recipients"][1]["actions"]] == ["1.2", "1.3"]
    report = ProgressReportFactory(action=campaign.pacte.actions.get(number="1.3"), year=YEAR)
    report.state = ReportState.SUBMITTED
    report.save()

    assert tasks.send_reminders_now.apply(args=[campaign.pk, staff.pk]).get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["camille@haute-vienne.example", "nadia@haute-vienne.example"]
    camille = Reminder.objects.get(recipient__username="camille")
    assert [a["number"] for a in camille.actions] == ["1.2"]


def test_after_the_deadline_the_reminder_says_the_reports_are_late(client, staff, campaign):
    campaign.deadline = TODAY - datetime.timedelta(days=3)
    campaign.save()
    client.force_login(staff)
    assert "est dépassée" in text(client.get(reminders_url(campaign)))

    assert tasks.send_reminders_now.apply(args=[campaign.pk, staff.pk]).get() == 3
    deadline = long_date(campaign.deadline)
    assert {m.subject for m in mail.outbox} == {f"Comptes rendus 2025 en retard – date limite du {deadline} dépassée"}


def test_nothing_is_sent_once_the_year_is_closed(client, staff, campaign):
    ClosedYear.objects.create(pacte=campaign.pacte, year=YEAR)
    client.force_login(staff)
    page = client.get(reminders_url(campaign))
    assert page.status_code == 200 and "plus aucune relance ne part" in text(page)
    assert 'name="confirmed"' not in page.content.decode()
    assert client.post(reminders_url(campaign), {"confirmed": "1"}).status_code == 403
    assert tasks.send_reminders_now.apply(args=[campaign.pk, staff.pk]).get() == 0
    assert mail.outbox == [] and not Reminder.objects.exists()
    assert "Envoyer les relances maintenant" not in text(client.get(campaign_url(campaign)))


def test_an_unreachable_address_does_not_stop_the_others(campaign, staff, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    send = EmailMultiAlternatives.send

    def refuse_camille(message, *args, **kwargs):
        if message.to == ["camille@haute-vienne.example"]:
            raise ConnectionRefusedError("SMTP en panne")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_camille)
    assert campaigns.send_reminders_now(campaign.pk, staff.pk) == 2
    assert not Reminder.objects.filter(recipient__username="camille").exists()  # tried again next time
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert campaigns.send_reminders_now(campaign.pk, staff.pk) == 1
    assert Reminder.objects.filter(recipient__username="camille").exists()


@pytest.mark.parametrize("role", ["referent", "copil_member"])
def test_only_staff_send_reminders(client, request, campaign, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reminders_url(campaign)).status_code == 403
    assert client.post(reminders_url(campaign), {"confirmed": "1"}).status_code == 403
    assert mail.outbox == [] and not Reminder.objects.exists()
    assert "Envoyer les relances maintenant" not in text(client.get(campaign_url(campaign)))


def test_no_campaign_or_a_year_outside_the_pacte_is_a_404(client, staff, pacte):
    client.force_login(staff)
    assert client.get(reverse("bilans:campaign_reminders", args=[pacte.slug, 2024])).status_code == 404
    assert client.get(reverse("bilans:campaign_reminders", args=[pacte.slug, 2030])).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_preview_runs_the_same_number_of_queries_whatever_the_number_of_referents(
    client, staff, campaign, nadia_reminded_today
):
    client.force_login(staff)
    first = count_queries(client, reminders_url(campaign))
    axe = campaign.pacte.axes.get(number=1)
    for i in range(8):
        user = UserFactory(username=f"referent-{i}")
        ActionFactory(axe=axe, number=f"1.{10 + i}", title=f"Action {i}", referents=[user])
        Reminder.objects.create(campaign=campaign, recipient=user, kind=ReminderKind.MANUAL, email=user.email)
    assert count_queries(client, reminders_url(campaign)) == first


# The Django admin


def test_administrators_open_the_campaigns_and_reminders_in_the_admin(
    client, administrator, campaign, nadia_reminded_today
):
    client.force_login(administrator)
    pages = [
        reverse("admin:bilans_reportingcampaign_changelist"),
        reverse("admin:bilans_reportingcampaign_change", args=[campaign.pk]),
        reverse("admin:bilans_reportingcampaign_history", args=[campaign.pk]),
        reverse("admin:bilans_reportingcampaign_add"),
        reverse("admin:bilans_reminder_changelist"),
        reverse("admin:bilans_reminder_change", args=[nadia_reminded_today.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    change = text(client.get(pages[1]))
    assert "Nadia Benali" in change and "2.1" in change


def test_reminders_are_read_only_in_the_admin(client, administrator, campaign, nadia_reminded_today):
    client.force_login(administrator)
    reminder = nadia_reminded_today
    page = client.get(reverse("admin:bilans_reminder_change", args=[reminder.pk])).content.decode()
    assert 'name="email"' not in page and "Enregistrer" not in page
    assert client.get(reverse("admin:bilans_reminder_add")).status_code == 403
    assert client.post(reverse("admin:bilans_reminder_delete", args=[reminder.pk]), {"post": "yes"}).status_code == 403
    assert Reminder.objects.filter(pk=reminder.pk).exists()
    # Deleting its campaign would delete it: refused.
    delete = client.post(reverse("admin:bilans_reportingcampaign_delete", args=[campaign.pk]), {"post": "yes"})
    assert delete.status_code in (200, 403)
    assert ReportingCampaign.objects.filter(pk=campaign.pk).exists()


def test_an_administrator_corrects_a_campaign_deadline_and_the_version_moves(client, administrator, campaign):
    client.force_login(administrator)
    url = reverse("admin:bilans_reportingcampaign_change", args=[campaign.pk])
    response = client.post(
        url,
        {
            "deadline": "2026-12-20",
            "reminder_days_before": "5",
            "reminder_days_after": "2",
            "reminders-TOTAL_FORMS": "0",
            "reminders-INITIAL_FORMS": "0",
            "reminders-MIN_NUM_FORMS": "0",
            "reminders-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert (campaign.deadline, campaign.reminder_days_before, campaign.version) == (datetime.date(2026, 12, 20), 5, 2)
    assert campaign.pacte.slug == "pti-relances" and campaign.year == YEAR
    assert campaign.history.latest().history_user == administrator


def test_a_closed_year_campaign_is_read_only_in_the_admin(client, administrator, campaign):
    ClosedYear.objects.create(pacte=campaign.pacte, year=YEAR)
    client.force_login(administrator)
    url = reverse("admin:bilans_reportingcampaign_change", args=[campaign.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"deadline": "2030-01-01", "reminder_days_before": "5", "reminder_days_after": "2"})
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.deadline == DEADLINE


def test_without_a_worker_nothing_is_sent_and_staff_are_told(client, staff, campaign, monkeypatch):
    from bilans import services

    def no_broker():
        raise services.JobUnavailable("broker")

    monkeypatch.setattr(services, "ensure_broker", no_broker)
    client.force_login(staff)
    response = client.post(reminders_url(campaign), {"confirmed": "1"})
    assert response.status_code == 302
    assert "aucune relance n'est partie" in text(client.get(response["Location"]))
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_preview_shows_its_referents_a_page_at_a_time(client, staff, campaign, monkeypatch):
    """Hundreds of referents at a big département's scale: the table shows a page of them (by name: Benali, Durand,
    Morel), the count and the button still say how many get a reminder, and a page past the last shows the last."""
    from bilans import views

    monkeypatch.setattr(views, "REMINDERS_PER_PAGE", 1)
    client.force_login(staff)
    first = text(client.get(reminders_url(campaign)))
    assert "Nadia Benali nadia@" in first and "Camille Durand" not in first and "Julien Morel" not in first
    assert "Page 1 sur 3" in first and "3 référents relancés" in first
    assert "Envoyer les relances à 3 référents" in first
    second = text(client.get(reminders_url(campaign), {"page": 2}))
    assert "Camille Durand camille@haute-vienne.example" in second and "Nadia Benali nadia@" not in second
    last = text(client.get(reminders_url(campaign), {"page": 9}))
    assert "Julien Morel julien@haute-vienne.example" in last and "Page 3 sur 3" in last


def test_the_staff_preview_shows_page_by_page_what_the_sending_sends(campaign, people, nadia_reminded_today):
    """The preview is computed from the figures by referent, the sending from every report owed: both list the
    same referents in the same order with the same reports. Camille was reminded of 1.2 alone this morning (1.3
    is still to remind), julien's account is closed, yann (first by name) owes 3.2; three pages of one."""
    yann = UserFactory(username="yann", first_name="Yann", last_name="Abel")
    ActionFactory(axe=campaign.pacte.axes.get(number=3), number="3.2", title="Permis", referents=[yann])
    camille, julien = people["camille"], people["julien"]
    Reminder.objects.create(
        campaign=campaign,
        recipient=camille,
        kind=ReminderKind.MANUAL,
        email=camille.email,
        actions=[action_item(campaign.pacte, "1.2")],
    )
    julien.is_active = False
    julien.save()

    def rows(rows):
        return [
            (row["user"].pk, [a.number for a in row["actions"]], [a.number for a in row["reminded"]]) for row in rows
        ]

    expected = {
        "recipients": [(yann.pk, ["3.2"], []), (camille.pk, ["1.3"], ["1.2"])],
        "already": [(people["nadia"].pk, [], ["2.1"])],
        "unreachable": [(julien.pk, ["1.3"], []), (people["sophie"].pk, ["3.1"], [])],
    }
    sent = campaigns.reminders_now(campaign)
    assert {key: rows(sent[key]) for key in expected} == expected
    pages = [campaigns.reminders_preview(campaign, number, per_page=1) for number in (1, 2, 3)]
    assert [rows(page["recipients"]) for page in pages] == [
        [expected["recipients"][0]],
        *[[expected["recipients"][1]]] * 2,
    ]
    assert [page["recipients"].number for page in pages] == [1, 2, 2]  # past the last page, the last
    assert {page["count"] for page in pages} == {2}
    for key in ("already", "unreachable"):
        assert rows(pages[0][key]) == expected[key]
