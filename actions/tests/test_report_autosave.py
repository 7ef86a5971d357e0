"""The yearly report's draft saving itself in the background (actions/views_autosave.py): the same service and
version check as "Enregistrer le brouillon", a small JSON answer, and nothing written when it is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from actions.enums import ActionStatus, ReportState, Weather
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import IndicatorValue, ProgressReport
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    action = ActionFactory(referents=[referent], status=ActionStatus.TO_LAUNCH, progress=0)
    IndicatorValueFactory(indicator=IndicatorFactory(action=action, label="Personnes orientées"), year=2024, target=50)
    return action


def autosave_url(action, year=2024):
    return reverse("actions:report_autosave", args=[action.pk, year])


def form_data(**overrides):
    data = {
        "version": 0,
        "status": ActionStatus.IN_PROGRESS,
        "progress": 60,
        "weather": Weather.SOME_DIFFICULTIES,
        "advances": "Plateforme ouverte en mars.",
        "difficulties": "",
        "next_steps": "",
        "adjustments": "",
        "means": "",
    }
    data.update(overrides)
    return data


def test_first_autosave_creates_the_draft_and_answers_its_version_and_time(client, referent, action):
    client.force_login(referent)
    indicator = action.indicators.get()
    response = client.post(autosave_url(action), form_data(**{f"indicator_{indicator.pk}": "12,5"}))
    assert response.status_code == 200
    body = response.json()
    report = ProgressReport.objects.get(action=action, year=2024)
    assert body["version"] == report.version == 1
    assert body["message"].startswith("Brouillon enregistré à ")
    assert len(body["saved_at"]) == 5 and body["saved_at"][2] == ":"
    assert report.state == ReportState.DRAFT
    assert report.advances == "Plateforme ouverte en mars."
    assert report.author == referent
    assert IndicatorValue.objects.get(indicator=indicator, year=2024).value == Decimal("12.50")
    assert report.history.count() == 1


def test_next_autosave_carries_the_answered_version(client, referent, action):
    client.force_login(referent)
    first = client.post(autosave_url(action), form_data()).json()
    second = client.post(
        autosave_url(action), form_data(version=first["version"], advances="Ouverte en mars, puis avril.")
    )
    assert second.status_code == 200
    assert second.json()["version"] == 2
    report = ProgressReport.objects.get()
    assert report.version == 2
    assert report.advances == "Ouverte en mars, puis avril."


def test_stale_version_is_a_conflict_with_the_other_persons_changes_and_nothing_written(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, advances="Texte de départ.")
    colleague = UserFactory(username="colleague", first_name="Paul", last_name="Martin")
    action.referents.add(colleague)
    client.force_login(colleague)
    assert (
        client.post(autosave_url(action), form_data(version=report.version, advances="Texte de Paul.")).status_code
        == 200
    )
    client.force_login(referent)
    response = client.post(autosave_url(action), form_data(version=report.version, advances="Texte de Claire."))
    assert response.status_code == 409
    body = response.json()
    assert "a modifié cette fiche pendant que vous la complétiez" in body["message"]
    assert 'id="conflit"' in body["conflict"]
    assert "Texte de Paul." in body["conflict"]
    report.refresh_from_db()
    assert report.advances == "Texte de Paul."
    assert report.version == 2


def test_report_created_meanwhile_is_a_conflict(client, referent, action):
    ProgressReportFactory(action=action, year=2024, advances="Créé par un collègue.")
    client.force_login(referent)
    response = client.post(autosave_url(action), form_data(version=0))
    assert response.status_code == 409
    assert ProgressReport.objects.get().advances == "Créé par un collègue."


def test_another_referent_is_refused_and_nothing_written(client, action):
    client.force_login(UserFactory(username="autre"))
    response = client.post(autosave_url(action), form_data())
    assert response.status_code == 403
    assert response.json()["stopped"] == "Vous n'êtes pas référent de cette action."
    assert not ProgressReport.objects.exists()


def test_bad_input_is_refused_with_french_messages_next_to_the_fields(client, referent, action):
    client.force_login(referent)
    response = client.post(autosave_url(action), form_data(progress="beaucoup"))
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Le brouillon n'a pas été enregistré automatiquement : corrigez les champs signalés."
    assert body["errors"]["progress"] == ["Saisissez un nombre entier."]
    assert not ProgressReport.objects.exists()


def test_missing_version_is_refused(client, referent, action):
    client.force_login(referent)
    data = form_data()
    del data["version"]
    response = client.post(autosave_url(action), data)
    assert response.status_code == 400
    assert "ne dit pas de quelle version" in response.json()["errors"]["__all__"][0]
    assert not ProgressReport.objects.exists()


def test_a_transmitted_report_is_never_autosaved(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, submitted=True, advances="Transmis.")
    client.force_login(referent)
    response = client.post(autosave_url(action), form_data(version=report.version, advances="Retouche."))
    assert response.status_code == 403
    assert response.json()["stopped"] == (
        "Ce compte rendu est transmis : il n'est pas enregistré automatiquement. "
        "Enregistrez la correction quand vous avez fini."
    )
    report.refresh_from_db()
    assert report.advances == "Transmis."
    assert report.version == 1


def test_a_closed_year_is_never_autosaved(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, advances="Avant clôture.")
    ClosedYear.objects.create(pacte=action.pacte, year=2024)
    client.force_login(referent)
    response = client.post(autosave_url(action), form_data(version=report.version, advances="Après clôture."))
    assert response.status_code == 403
    assert response.json()["stopped"]
    report.refresh_from_db()
    assert report.advances == "Avant clôture."


def test_get_is_not_allowed(client, referent, action):
    client.force_login(referent)
    assert client.get(autosave_url(action)).status_code == 405


def test_the_form_points_its_script_at_the_autosave_address_unless_transmitted(client, referent, action):
    client.force_login(referent)
    page = client.get(reverse("actions:report_edit", args=[action.pk, 2024])).content.decode()
    assert f'data-autosave-url="{autosave_url(action)}"' in page
    assert 'id="autosave-status" role="status" aria-live="polite"' in page
    ProgressReportFactory(action=action, year=2024, submitted=True)
    page = client.get(reverse("actions:report_edit", args=[action.pk, 2024])).content.decode()
    assert "data-autosave-url" not in page
    assert "data-autosave-stopped=\"Ce compte rendu est transmis : il n'est pas enregistré automatiquement." in page


def test_after_a_conflict_on_the_form_the_script_is_told_to_stay_quiet(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, advances="Texte à jour.")
    client.force_login(referent)
    response = client.post(
        reverse("actions:report_edit", args=[action.pk, 2024]),
        form_data(version=report.version - 1, advances="Mon texte.", draft="1"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "data-autosave-url" not in page
    assert 'data-autosave-stopped="Enregistrement automatique arrêté : une autre personne a modifié' in page
    assert "Mon texte." in page
