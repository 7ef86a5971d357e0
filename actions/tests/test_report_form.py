import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.enums import ActionStatus, ReportState, Weather
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import IndicatorValue, ProgressReport, ReportDocument
from axes.models import ClosedYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(referent):
    action = ActionFactory(referents=[referent], status=ActionStatus.TO_LAUNCH, progress=0)
    IndicatorValueFactory(indicator=IndicatorFactory(action=action, label="Personnes orientées"), year=2024, target=50)
    return action


def url(action, year=2024):
    return reverse("actions:report_edit", args=[action.pk, year])


def form_data(**overrides):
    data = {
        "version": 0,
        "status": ActionStatus.IN_PROGRESS,
        "progress": 60,
        "weather": Weather.SOME_DIFFICULTIES,
        "advances": "Plateforme ouverte en mars.",
        "difficulties": "Recrutement des conseillers.",
        "next_steps": "Étendre au sud du département.",
        "adjustments": "Calendrier revu avec France Travail.",
        "means": "2 ETP",
    }
    data.update(overrides)
    return data


def indicator_field(action):
    return f"indicator_{action.indicators.get().pk}"


def transmit(client, action, data, year=2024):
    """ "Transmettre", then the confirmation page, then "Confirmer la transmission"; the last response."""
    for indicator in action.indicators.all():
        data.setdefault(f"indicator_{indicator.pk}", "12")
    response = client.post(url(action, year), data)
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("actions:report_transmit", args=[action.pk, year])
    summary = client.get(response.url)
    assert summary.status_code == 200
    report = ProgressReport.objects.get(action=action, year=year)
    assert report.state == ReportState.DRAFT  # saved, not transmitted yet
    return client.post(response.url, {"version": report.version})


def test_referent_sees_the_form_with_indicator_target(client, referent, action):
    client.force_login(referent)
    response = client.get(url(action))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Compte rendu 2024" in content
    assert "Personnes orientées" in content
    assert "Cible 2024 : 50" in content


def test_referent_saves_a_draft_that_does_not_touch_the_action(client, referent, action):
    client.force_login(referent)
    data = form_data(draft="1", **{indicator_field(action): "42,5"})
    response = client.post(url(action), data)
    assert response.status_code == 302
    report = ProgressReport.objects.get(action=action, year=2024)
    assert report.state == ReportState.DRAFT
    assert report.author == referent
    assert IndicatorValue.objects.get(indicator__action=action, year=2024).value == Decimal("42.5")
    action.refresh_from_db()
    assert action.status == ActionStatus.TO_LAUNCH and action.progress == 0


def test_submitting_the_report_updates_the_action_status_and_progress(client, referent, action):
    client.force_login(referent)
    response = transmit(client, action, form_data(submit="1", **{indicator_field(action): "55"}))
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    report = ProgressReport.objects.get(action=action, year=2024)
    assert report.state == ReportState.SUBMITTED and report.submitted_at is not None
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.progress == 60
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Plateforme ouverte en mars." in page
    assert "60 %" in page


def test_draft_can_be_finished_later(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, progress=10)
    client.force_login(referent)
    response = transmit(client, action, form_data(version=report.version, submit="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    # Saved (version 2), then transmitted (version 3).
    assert report.state == ReportState.SUBMITTED and report.progress == 60 and report.version == 3


def test_submitting_an_older_year_does_not_override_the_action(client, referent, action):
    ProgressReportFactory(action=action, year=2024, submitted=True, status=ActionStatus.DONE, progress=100)
    action.status, action.progress = ActionStatus.DONE, 100
    action.save()
    client.force_login(referent)
    assert transmit(client, action, form_data(submit="1"), year=2023).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.progress == 100


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"progress": "150"}, "progress", "inférieure ou égale à 100"),
        ({"progress": "abc"}, "progress", "Saisissez un nombre entier"),
        ({"status": "finished"}, "status", "Sélectionnez un choix valide"),
        ({"weather": "sunny"}, "weather", "Sélectionnez un choix valide"),
        ({"advances": "x" * 20_000}, "advances", "au plus 10000 caractères"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_changes_nothing(
    client, referent, action, overrides, field, message
):
    client.force_login(referent)
    response = client.post(url(action), form_data(submit="1", **overrides))
    assert response.status_code == 400
    assert message in response.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert field in response.context["form"].errors
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("value, message", [("-3", "supérieure ou égale à 0"), ("beaucoup", "Saisissez un nombre")])
def test_negative_or_non_numeric_indicator_values_are_refused(client, referent, action, value, message):
    client.force_login(referent)
    response = client.post(url(action), form_data(submit="1", **{indicator_field(action): value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert IndicatorValue.objects.get(indicator__action=action).value is None


def test_user_text_is_escaped_on_the_action_page(client, referent, action):
    client.force_login(referent)
    data = form_data(submit="1", advances="<script>alert(1)</script><img src=x onerror=alert(2)>")
    data[indicator_field(action)] = "3"
    client.post(url(action), data)
    summary = client.get(reverse("actions:report_transmit", args=[action.pk, 2024])).content.decode()
    assert "<script>alert(1)" not in summary and "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    report = ProgressReport.objects.get()
    client.post(reverse("actions:report_transmit", args=[action.pk, 2024]), {"version": report.version})
    page = client.get(action.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_pdf_document_is_attached_and_downloadable(client, referent, action):
    client.force_login(referent)
    upload = SimpleUploadedFile("bilan.pdf", b"%PDF-1.7\n% test\n", content_type="application/pdf")
    response = client.post(url(action), form_data(draft="1", document=upload, document_title="Bilan du prestataire"))
    assert response.status_code == 302
    document = ReportDocument.objects.get()
    assert document.title == "Bilan du prestataire" and document.content_type == "application/pdf"
    download = client.get(reverse("actions:document", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.exe", b"MZ\x90\x00", "Type de fichier non accepté"),
        ("faux.pdf", b"<html>not a pdf</html>", "ne correspond pas à son extension"),
        ("vide.pdf", b"", "Le fichier soumis est vide"),
    ],
)
def test_bad_documents_are_refused(client, referent, action, name, content, message):
    client.force_login(referent)
    upload = SimpleUploadedFile(name, content)
    response = client.post(url(action), form_data(draft="1", document=upload))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportDocument.objects.exists() and not ProgressReport.objects.exists()


def test_too_large_documents_are_refused(client, referent, action, settings):
    settings.PTI_MAX_UPLOAD_SIZE = 1024
    client.force_login(referent)
    upload = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * 2048)
    response = client.post(url(action), form_data(draft="1", document=upload))
    assert response.status_code == 400
    assert "trop volumineux" in response.content.decode()


def test_other_referent_is_refused_the_form_even_by_replaying_a_post(client, action):
    from pti.factories import UserFactory

    other = UserFactory(username="autre")
    client.force_login(other)
    assert client.get(url(action)).status_code == 403
    assert client.post(url(action), form_data(submit="1")).status_code == 403
    assert not ProgressReport.objects.exists()


def test_copil_member_cannot_write_a_report(client, copil_member, action):
    client.force_login(copil_member)
    assert client.get(url(action)).status_code == 403
    assert client.post(url(action), form_data(submit="1")).status_code == 403


def test_staff_can_write_any_report(client, staff, action):
    client.force_login(staff)
    assert transmit(client, action, form_data(submit="1")).status_code == 302
    assert ProgressReport.objects.get().author == staff


def test_thematic_referent_can_write_the_reports_of_his_axe(client, action):
    from pti.factories import UserFactory

    thematic = UserFactory(username="thematique")
    action.axe.thematic_referents.add(thematic)
    client.force_login(thematic)
    assert transmit(client, action, form_data(submit="1")).status_code == 302
    assert ProgressReport.objects.get().state == ReportState.SUBMITTED


def test_report_is_read_only_once_the_years_bilan_is_approved(client, referent, action):
    report = ProgressReportFactory(action=action, year=2024, submitted=True)
    ClosedYear.objects.create(pacte=action.pacte, year=2024)
    client.force_login(referent)
    assert client.get(url(action)).status_code == 403
    assert client.post(url(action), form_data(version=report.version, submit="1")).status_code == 403
    report.refresh_from_db()
    assert report.progress == 50


def test_year_outside_the_pacte_is_not_found(client, referent, action):
    client.force_login(referent)
    assert client.get(url(action, 2030)).status_code == 404


def test_anonymous_is_sent_to_login(client, action):
    response = client.get(url(action))
    assert response.status_code == 302 and "/comptes/login/" in response.url


def test_dates_are_irrelevant_to_reports_but_year_must_be_in_pacte(client, referent, action):
    assert action.pacte.contains_year(2024)
    assert not action.pacte.contains_year(datetime.date(2030, 1, 1).year)


def test_a_whole_count_reads_as_a_whole_number_in_its_input(client, referent, action):
    IndicatorValue.objects.filter(indicator__action=action, year=2024).update(value=Decimal("97.00"))
    second = IndicatorFactory(action=action, label="Taux")
    IndicatorValueFactory(indicator=second, year=2024, value=Decimal("12.50"))
    client.force_login(referent)
    content = client.get(url(action)).content.decode()
    assert 'value="97"' in content and "97,00" not in content
    assert 'value="12,5"' in content
