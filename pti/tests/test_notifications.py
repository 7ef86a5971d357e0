"""Notifications: each app's events recorded once per user, e-mailed once after the commit if the user wants it."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actions import notifications as action_notifications
from actions.enums import ActionStatus, ReportState
from actions.factories import ActionFactory, MilestoneFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from bilans import campaigns
from bilans.enums import ReminderKind
from bilans.models import ReportingCampaign
from pilotage import services as pilotage_services
from pilotage.factories import CopilFactory
from pti import notifications
from pti.enums import NotificationKind
from pti.factories import UserFactory
from pti.models import Notification, NotificationPreferences

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)


@pytest.fixture
def camille():
    return UserFactory(username="camille", first_name="Camille", email="camille@example.fr")


@pytest.fixture
def action(camille):
    pacte = PacteFactory(slug="pti-2022-2025", first_year=2022, last_year=2025)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.4", referents=[camille])


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


# --- the service ---------------------------------------------------------------------------------------------


def test_the_same_event_is_recorded_once_per_user(camille, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify([camille], NotificationKind.MILESTONE_DUE, action, "Titre", "/mes-actions/")
        again = notifications.notify([camille], NotificationKind.MILESTONE_DUE, action, "Titre", "/mes-actions/")
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1
    # The milestones are not e-mailed by default.
    assert mail.outbox == []


def test_the_database_refuses_a_second_row_for_the_same_event(camille, action):
    notifications.notify([camille], NotificationKind.MILESTONE_DUE, action, "Titre", "/x/", email=False)
    first = Notification.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=camille,
            kind=first.kind,
            content_type=first.content_type,
            object_id=first.object_id,
            key=first.key,
            title="Encore",
            url="/x/",
        )


def test_an_email_is_sent_once_even_if_its_task_runs_twice(camille, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notifications.notify(
            [camille], NotificationKind.CAMPAIGN_OPENED, action, "La campagne est ouverte", "/mes-actions/"
        )
    assert len(mail.outbox) == 1
    assert notifications.send_email(notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert mail.outbox[0].subject == "La campagne est ouverte" and mail.outbox[0].to == ["camille@example.fr"]


def test_no_email_for_a_kind_the_user_turned_off(camille, action, django_capture_on_commit_callbacks):
    NotificationPreferences.objects.create(user=camille, email_campaign_opened=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([camille], NotificationKind.CAMPAIGN_OPENED, action, "Ouverte", "/mes-actions/")
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_a_failed_email_stays_unsent_and_is_tried_again(camille, action, monkeypatch):
    (notification,) = notifications.notify(
        [camille], NotificationKind.CAMPAIGN_OPENED, action, "Ouverte", "/mes-actions/", email=False
    )

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        notifications.send_email(notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    monkeypatch.undo()
    assert notifications.send_email(notification.pk) is True and len(mail.outbox) == 1


def test_inactive_users_are_not_told(action):
    gone = UserFactory(username="parti", is_active=False)
    assert notifications.notify([gone], NotificationKind.CAMPAIGN_OPENED, action, "Ouverte", "/x/") == []


# --- report sent back ----------------------------------------------------------------------------------------


def test_a_report_sent_back_tells_its_referents_with_the_comment(
    client, staff, camille, action, django_capture_on_commit_callbacks
):
    report = ProgressReportFactory(action=action, year=2024, state=ReportState.SUBMITTED, submitted_at=timezone.now())
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("actions:report_return", args=[action.pk, 2024]),
            {"version": report.version, "comment": "Chiffrez les sessions."},
        )
    assert response.status_code == 302
    notification = Notification.objects.get(user=camille)
    assert notification.kind == NotificationKind.REPORT_RETURNED
    assert notification.title == "Compte rendu 2024 de l'action 1.4 renvoyé : un complément est demandé"
    assert notification.body == "Chiffrez les sessions."
    assert notification.url == reverse("actions:report_edit", args=[action.pk, 2024])
    (message,) = mail.outbox
    assert message.subject == "Compte rendu 2024 de l'action 1.4 : un complément est demandé"
    assert "« Chiffrez les sessions. »" in message.body

    # Transmitted again, then sent back a second time: a new event.
    report.refresh_from_db()
    report.state = ReportState.SUBMITTED
    report.version += 1
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("actions:report_return", args=[action.pk, 2024]),
            {"version": report.version, "comment": "Et les entreprises ?"},
        )
    assert Notification.objects.filter(user=camille, kind=NotificationKind.REPORT_RETURNED).count() == 2
    assert len(mail.outbox) == 2


# --- decisions -----------------------------------------------------------------------------------------------


def test_a_decision_assigned_tells_its_owner_once_and_a_new_owner_again(camille, action):
    julien = UserFactory(username="julien")
    copil = CopilFactory(pacte=action.pacte, date=datetime.date(2025, 2, 4))
    decision = pilotage_services.create_decision(
        copil, {"text": "Relancer les entreprises", "owner": camille, "due_date": datetime.date(2025, 6, 30)}
    )
    notification = Notification.objects.get(user=camille)
    assert notification.kind == NotificationKind.DECISION_ASSIGNED
    assert notification.title == "Décision du COPIL du 4 février 2025 qui vous est confiée : Relancer les entreprises"
    assert notification.body == "Échéance : 30 juin 2025."
    assert notification.url == reverse("pilotage:decision_follow_up", args=[decision.pk])

    decision = pilotage_services.update_decision(decision, {"follow_up": "En cours"}, decision.version)
    assert Notification.objects.count() == 1
    pilotage_services.update_decision(decision, {"owner": julien}, decision.version)
    assert kinds(julien) == ["decision_assigned"] and Notification.objects.count() == 2


def test_a_decision_without_owner_tells_nobody(action):
    pilotage_services.create_decision(CopilFactory(pacte=action.pacte), {"text": "Sans responsable"})
    assert Notification.objects.count() == 0


# --- milestones ----------------------------------------------------------------------------------------------


def test_milestones_due_within_15_days_are_told_once(camille, action):
    due = MilestoneFactory(action=action, title="Comité de sélection", planned_date=TODAY + datetime.timedelta(15))
    MilestoneFactory(action=action, title="Trop loin", planned_date=TODAY + datetime.timedelta(16))
    MilestoneFactory(action=action, title="Passée", planned_date=TODAY - datetime.timedelta(1))
    MilestoneFactory(action=action, title="Franchie", planned_date=TODAY + datetime.timedelta(3), done_date=TODAY)
    today = MilestoneFactory(action=action, title="Aujourd'hui", planned_date=TODAY)
    abandoned = ActionFactory(axe=action.axe, number="1.5", referents=[camille], status=ActionStatus.ABANDONED)
    MilestoneFactory(action=abandoned, planned_date=TODAY + datetime.timedelta(2))

    assert action_notifications.milestones_due(TODAY) == 2
    assert action_notifications.milestones_due(TODAY) == 0
    rows = {n.object_id: n for n in Notification.objects.filter(kind=NotificationKind.MILESTONE_DUE)}
    assert set(rows) == {due.pk, today.pk}
    assert rows[due.pk].title == "Étape « Comité de sélection » de l'action 1.4 prévue le 25 mars 2025"
    assert rows[due.pk].body == "Dans 15 jours."
    assert rows[today.pk].body == "C'est aujourd'hui."
    assert rows[due.pk].url == reverse("actions:detail", args=[action.pk]) + "#etapes"
    # Moved to a new date: told again.
    due.planned_date = TODAY + datetime.timedelta(10)
    due.save()
    assert action_notifications.milestones_due(TODAY) == 1


def test_milestones_of_an_action_without_referent_go_to_the_thematic_referents(camille):
    nadia = UserFactory(username="nadia")
    axe = AxeFactory(thematic_referents=[nadia])
    MilestoneFactory(action=ActionFactory(axe=axe), planned_date=TODAY + datetime.timedelta(5))
    assert action_notifications.milestones_due(TODAY) == 1
    assert kinds(nadia) == ["milestone_due"] and kinds(camille) == []


def test_milestone_emails_only_for_those_who_asked(camille, action, django_capture_on_commit_callbacks):
    julien = UserFactory(username="julien", email="julien@example.fr")
    action.referents.add(julien)
    NotificationPreferences.objects.create(user=julien, email_milestone_due=True)
    MilestoneFactory(action=action, planned_date=TODAY + datetime.timedelta(5))
    with django_capture_on_commit_callbacks(execute=True):
        action_notifications.milestones_due(TODAY)
    assert [message.to for message in mail.outbox] == [["julien@example.fr"]]


def test_the_command_tells_the_milestones_due_and_can_run_again(camille, action, capsys):
    MilestoneFactory(action=action, planned_date=TODAY + datetime.timedelta(5))
    call_command("notify_milestones", "--date", TODAY.isoformat())
    call_command("notify_milestones", "--date", TODAY.isoformat())
    assert capsys.readouterr().out.splitlines() == [
        "1 notification(s) d'étape créée(s).",
        "0 notification(s) d'étape créée(s).",
    ]


def test_the_daily_beat_schedule_runs_the_milestone_task(settings):
    assert settings.CELERY_BEAT_SCHEDULE["notify-milestones-due"]["task"] == "actions.tasks.notify_milestones_due"


# --- the campaign --------------------------------------------------------------------------------------------


def test_opening_the_campaign_tells_the_referents_who_owe_a_report(
    client, staff, camille, action, django_capture_on_commit_callbacks
):
    nobody = UserFactory(username="sans-action")
    client.force_login(staff)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bilans:campaign", args=[action.pacte.slug, 2025]),
            {"deadline": deadline.isoformat(), "reminder_days_before": 7, "reminder_days_after": 1, "version": 0},
        )
    assert response.status_code == 302
    notification = Notification.objects.get(user=camille)
    assert notification.kind == NotificationKind.CAMPAIGN_OPENED
    assert notification.title.startswith("La campagne de comptes rendus 2025 est ouverte : à transmettre avant le ")
    assert notification.body == "1 compte rendu attendu de vous : 1.4."
    assert kinds(nobody) == []
    assert [message.to for message in mail.outbox] == [["camille@example.fr"]]
    # Changing the deadline afterwards is no new opening.
    campaign = ReportingCampaign.objects.get()
    client.post(
        reverse("bilans:campaign", args=[action.pacte.slug, 2025]),
        {"deadline": deadline.isoformat(), "reminder_days_before": 5, "reminder_days_after": 1, "version": 1},
    )
    assert ReportingCampaign.objects.get().version == campaign.version + 1
    assert Notification.objects.count() == 1


def test_a_reminder_is_in_the_panel_and_by_email_unless_turned_off(camille, action, staff):
    julien = UserFactory(username="julien", email="julien@example.fr")
    action.referents.add(julien)
    NotificationPreferences.objects.create(user=julien, email_reminder=False)
    deadline = datetime.date(2026, 1, 31)
    campaign = ReportingCampaign.objects.create(pacte=action.pacte, year=2025, deadline=deadline, opened_by=staff)
    sent = campaigns.send_campaign_reminders(campaign, ReminderKind.BEFORE, deadline - datetime.timedelta(days=3))
    assert sent == 2
    assert kinds(camille) == ["reminder"] and kinds(julien) == ["reminder"]
    assert [message.to for message in mail.outbox] == [["camille@example.fr"]]
    told = Notification.objects.get(user=camille)
    assert told.emailed_at is not None and told.title == "Comptes rendus 2025 à transmettre avant le 31 janvier 2026"
    assert Notification.objects.get(user=julien).emailed_at is None


def test_the_former_report_task_tells_once(camille, action):
    from actions import tasks

    report = ProgressReportFactory(action=action, year=2024, state=ReportState.DRAFT, return_comment="Chiffrez.")
    assert tasks.notify_report_returned(report.pk) == 1
    assert tasks.notify_report_returned(report.pk) == 0
    assert kinds(camille) == ["report_returned"]
