"""Two people edit the same action or report at the same time: the second save is refused and shows the first
person's changes; nothing is silently overwritten."""

import pytest
from django.urls import reverse

from actions.enums import ActionStatus, Weather
from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import Action, ProgressReport
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


def action_data(action, **overrides):
    data = {
        "version": action.version,
        "title": action.title,
        "objectif": "",
        "description": action.description,
        "target_public": "",
        "start_date": action.start_date.isoformat(),
        "end_date": action.end_date.isoformat(),
        "priority": action.priority,
        "status": action.status,
        "progress": action.progress,
    }
    data.update(overrides)
    return data


def test_second_save_of_an_action_from_a_stale_version_is_refused_and_shows_the_first_change(client, referent, staff):
    action = ActionFactory(referents=[referent], title="Plateforme d'orientation", progress=10)
    stale = action_data(action)  # both open the form on version 1

    client.force_login(staff)
    first = client.post(reverse("actions:edit", args=[action.pk]), action_data(action, progress=70))
    assert first.status_code == 302

    client.force_login(referent)
    second = client.post(reverse("actions:edit", args=[action.pk]), {**stale, "title": "Autre titre", "progress": 20})
    assert second.status_code == 409
    content = second.content.decode()
    assert "Modification concurrente" in content
    assert str(staff) in content
    assert "Avancement (%)" in content and "10" in content and "70" in content
    action.refresh_from_db()
    assert action.title == "Plateforme d'orientation" and action.progress == 70 and action.version == 2


def test_action_edit_saves_and_records_history(client, referent):
    action = ActionFactory(referents=[referent], status=ActionStatus.TO_LAUNCH)
    client.force_login(referent)
    response = client.post(
        reverse("actions:edit", args=[action.pk]), action_data(action, status=ActionStatus.IN_PROGRESS)
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.version == 2
    record = action.history.latest()
    assert record.history_user == referent
    page = client.get(reverse("actions:history", args=[action.pk])).content.decode()
    assert "Historique des modifications" in page
    assert "Statut : à lancer → en cours" in page
    assert str(referent) in page


def test_second_save_of_a_report_from_a_stale_version_is_refused(client, referent):
    action = ActionFactory(referents=[referent])
    colleague = UserFactory(username="collegue")
    action.referents.add(colleague)
    report = ProgressReportFactory(action=action, year=2024, advances="Version initiale")
    url = reverse("actions:report_edit", args=[action.pk, 2024])
    base = {
        "version": report.version,
        "status": ActionStatus.IN_PROGRESS,
        "progress": 50,
        "weather": Weather.ON_TRACK,
        "draft": "1",
    }
    client.force_login(colleague)
    assert client.post(url, {**base, "advances": "Texte du collègue"}).status_code == 302

    client.force_login(referent)
    response = client.post(url, {**base, "advances": "Mon texte"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Texte du collègue" in content and "Version initiale" in content
    report.refresh_from_db()
    assert report.advances == "Texte du collègue"


def test_two_referents_creating_the_same_report_do_not_overwrite_each_other(client, referent):
    action = ActionFactory(referents=[referent])
    colleague = UserFactory(username="collegue")
    action.referents.add(colleague)
    url = reverse("actions:report_edit", args=[action.pk, 2024])
    data = {"version": 0, "status": ActionStatus.IN_PROGRESS, "progress": 30, "weather": Weather.ON_TRACK, "draft": "1"}
    client.force_login(colleague)
    assert client.post(url, {**data, "advances": "Premier"}).status_code == 302
    client.force_login(referent)
    assert client.post(url, {**data, "advances": "Second"}).status_code == 409
    assert ProgressReport.objects.get().advances == "Premier"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"progress": 150}, "progress", "inférieure ou égale à 100"),
        ({"title": "x" * 20_000}, "title", "au plus 300 caractères"),
        ({"status": "terminee"}, "status", "Sélectionnez un choix valide"),
        ({"start_date": "2019-01-01"}, "start_date", "comprise dans les années du pacte"),
        ({"end_date": "2031-12-31"}, "end_date", "comprise dans les années du pacte"),
        ({"start_date": "2024-06-01", "end_date": "2023-01-01"}, "end_date", "postérieure à la date de début"),
        ({"start_date": "pas une date"}, "start_date", "Saisissez une date valide"),
    ],
)
def test_bad_action_input_gets_a_french_message_next_to_the_field_and_changes_nothing(
    client, referent, overrides, field, message
):
    action = ActionFactory(referents=[referent], title="Titre d'origine", progress=10)
    client.force_login(referent)
    response = client.post(reverse("actions:edit", args=[action.pk]), action_data(action, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.title, fresh.progress, fresh.version) == ("Titre d'origine", 10, 1)


def test_referent_cannot_edit_an_action_that_is_not_his(client, referent):
    action = ActionFactory()
    client.force_login(referent)
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == 403
    response = client.post(reverse("actions:edit", args=[action.pk]), action_data(action, progress=99))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.progress == 40


def test_copil_member_cannot_edit_actions(client, copil_member):
    action = ActionFactory()
    client.force_login(copil_member)
    assert client.post(reverse("actions:edit", args=[action.pk]), action_data(action, progress=99)).status_code == 403
