"""A report is saved as a draft with anything in it, transmitted only when it says something, after its referent
read it as the bilan will print it; staff can send it back with a request ("demande de complément")."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from actions.enums import ActionStatus, ReportState, Weather
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import IndicatorValue, ProgressReport
from bilans import campaigns
from bilans.models import ReportingCampaign
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def referent():
    return UserFactory(username="t-referent", email="referent@example.fr", first_name="Camille")


@pytest.fixture
def action(referent):
    action = ActionFactory(referents=[referent], number="3.2", status=ActionStatus.IN_PROGRESS, progress=30)
    IndicatorValueFactory(indicator=IndicatorFactory(action=action, label="Personnes orientées"), year=YEAR, target=50)
    IndicatorValueFactory(indicator=IndicatorFactory(action=action, label="Entreprises"), year=YEAR, target=5)
    return action


def edit_url(action):
    return reverse("actions:report_edit", args=[action.pk, YEAR])


def transmit_url(action):
    return reverse("actions:report_transmit", args=[action.pk, YEAR])


def fields(action):
    people, firms = action.indicators.order_by("pk")
    return f"indicator_{people.pk}", f"indicator_{firms.pk}"


def data(action, **overrides):
    people, firms = fields(action)
    values = {
        "version": 0,
        "status": ActionStatus.IN_PROGRESS,
        "progress": 50,
        "weather": Weather.ON_TRACK,
        "advances": "Deux sessions tenues.",
        "difficulties": "",
        people: "40",
        firms: "6",
    }
    values.update(overrides)
    return values


def plain(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("&#x27;", "'")


def test_a_draft_may_hold_anything(client, referent, action):
    client.force_login(referent)
    people, firms = fields(action)
    response = client.post(edit_url(action), data(action, advances="", **{people: "", firms: ""}, draft="1"))
    assert response.status_code == 302
    assert ProgressReport.objects.get(action=action).state == ReportState.DRAFT


def test_a_report_that_says_nothing_is_not_transmitted(client, referent, action):
    client.force_login(referent)
    response = client.post(edit_url(action), data(action, advances="  ", difficulties="", submit="1"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "dites ce qui a avancé ou ce qui a été difficile" in errors["advances"][0]
    assert "difficulties" in errors
    assert not ProgressReport.objects.exists()


def test_every_indicator_needs_a_value_or_a_reason(client, referent, action):
    client.force_login(referent)
    people, firms = fields(action)
    response = client.post(edit_url(action), data(action, submit="1", **{firms: ""}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [firms]
    assert "donnez la valeur 2024 de cet indicateur, ou dites pourquoi elle n'est pas disponible" in errors[firms][0]
    assert "donnez la valeur 2024" in plain(response)
    assert not ProgressReport.objects.exists()
    assert IndicatorValue.objects.filter(value__isnull=False).count() == 0


def test_a_value_and_a_reason_together_are_refused(client, referent, action):
    client.force_login(referent)
    people, firms = fields(action)
    response = client.post(edit_url(action), data(action, draft="1", **{f"{firms}_reason": "Pas de suivi"}))
    assert response.status_code == 400
    assert "laissez vide la raison" in response.context["form"].errors[f"{firms}_reason"][0]


def test_transmitting_asks_once_with_the_report_as_the_bilan_prints_it(client, referent, action):
    client.force_login(referent)
    people, firms = fields(action)
    response = client.post(
        edit_url(action),
        data(action, submit="1", **{firms: "", f"{firms}_reason": "Fichier des entreprises en refonte"}),
    )
    assert response.status_code == 302 and response.url == transmit_url(action)
    report = ProgressReport.objects.get(action=action)
    assert report.state == ReportState.DRAFT  # nothing is transmitted before the confirmation

    summary = client.get(transmit_url(action))
    text = plain(summary)
    assert "Transmettre le compte rendu 2024 de l'action 3.2 ?" in text
    assert "tel qu'il figurera dans le bilan" in text
    assert "Deux sessions tenues." in text
    assert "non disponible : Fichier des entreprises en refonte" in text
    assert "Confirmer la transmission" in text

    confirmed = client.post(transmit_url(action), {"version": report.version})
    assert confirmed.status_code == 302 and confirmed.url == action.get_absolute_url()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.submitted_at is not None
    firms_value = IndicatorValue.objects.get(indicator__action=action, indicator__label="Entreprises", year=YEAR)
    assert (firms_value.value, firms_value.unavailable_reason) == (None, "Fichier des entreprises en refonte")
    assert firms_value.state == "no_value"
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.IN_PROGRESS, 50)


def test_a_stale_confirmation_is_a_conflict(client, referent, action):
    client.force_login(referent)
    client.post(edit_url(action), data(action, submit="1"))
    report = ProgressReport.objects.get(action=action)
    response = client.post(transmit_url(action), {"version": report.version - 1})
    assert response.status_code == 409
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_the_api_refuses_an_incomplete_transmission_next_to_the_fields(referent, action):
    client = APIClient()
    client.force_authenticate(referent)
    response = client.post(
        reverse("v1:report-list"),
        {"action": action.pk, "year": YEAR, "advances": "", "submit": True},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "advances" in body and "indicator_values" in body
    assert not ProgressReport.objects.exists()
    people, firms = action.indicators.order_by("pk")
    response = client.post(
        reverse("v1:report-list"),
        {
            "action": action.pk,
            "year": YEAR,
            "difficulties": "Recrutement",
            "indicator_values": [
                {"indicator": people.pk, "value": "12"},
                {"indicator": firms.pk, "value": None, "unavailable_reason": "Pas encore mesuré"},
            ],
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "submitted"


# --- "demande de complément" ---------------------------------------------------------------------------------


@pytest.fixture
def submitted(action, referent):
    return ProgressReportFactory(
        action=action, year=YEAR, state=ReportState.SUBMITTED, advances="Fait.", submitted_at=timezone.now()
    )


def return_url(action):
    return reverse("actions:report_return", args=[action.pk, YEAR])


def test_staff_send_a_report_back_and_the_referent_sees_why(
    client, staff, referent, action, submitted, django_capture_on_commit_callbacks
):
    ReportingCampaign.objects.create(pacte=action.pacte, year=YEAR, deadline=datetime.date(2025, 1, 31))
    client.force_login(staff)
    assert "Demander un complément" in client.get(action.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(return_url(action), {"version": submitted.version, "comment": "Chiffrez les sessions."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReportState.DRAFT
    assert (submitted.return_comment, submitted.returned_by) == ("Chiffrez les sessions.", staff)
    # Both steps are in the history.
    assert [record.state for record in submitted.history.order_by("history_date")][-2:] == ["submitted", "draft"]

    (message,) = mail.outbox
    assert message.to == ["referent@example.fr"]
    assert "un complément est demandé" in message.subject and "3.2" in message.subject
    assert "Chiffrez les sessions." in message.body
    assert edit_url(action) in message.body

    client.force_login(referent)
    desk = plain(client.get(reverse("actions:my_actions")))
    assert "Compléter le compte rendu 2024 de l'action 3.2" in desk and "Chiffrez les sessions." in desk
    form = plain(client.get(edit_url(action)))
    assert "Complément demandé par" in form and "Chiffrez les sessions." in form

    # The campaign counts only transmitted reports: this one is a draft again.
    totals = campaigns.completion(ReportingCampaign.objects.get())["totals"]
    assert (totals["submitted"], totals["draft"]) == (0, 1)


def test_only_staff_send_reports_back_with_a_comment_and_only_transmitted_ones(client, referent, staff, action):
    draft = ProgressReportFactory(action=action, year=YEAR, state=ReportState.DRAFT)
    client.force_login(referent)
    assert client.post(return_url(action), {"version": draft.version, "comment": "x"}).status_code == 403
    client.force_login(staff)
    response = client.post(return_url(action), {"version": draft.version, "comment": ""})
    assert response.status_code == 400
    response = client.post(return_url(action), {"version": draft.version, "comment": "Complétez"})
    assert response.status_code == 409 and "Seul un compte rendu transmis" in plain(response)
    assert ProgressReport.objects.get(pk=draft.pk).return_comment == ""
    assert mail.outbox == []


def test_sending_back_from_a_stale_page_is_a_conflict(client, staff, action, submitted):
    client.force_login(staff)
    response = client.post(return_url(action), {"version": submitted.version + 1, "comment": "Complétez"})
    assert response.status_code == 409
    assert ProgressReport.objects.get(pk=submitted.pk).state == ReportState.SUBMITTED


def test_a_returned_report_transmitted_again_leaves_the_to_do_list(client, staff, referent, action, submitted):
    client.force_login(staff)
    client.post(return_url(action), {"version": submitted.version, "comment": "Chiffrez."})
    client.force_login(referent)
    report = ProgressReport.objects.get(pk=submitted.pk)
    client.post(edit_url(action), data(action, version=report.version, submit="1"))
    report.refresh_from_db()
    client.post(transmit_url(action), {"version": report.version})
    assert ProgressReport.objects.get(pk=submitted.pk).state == ReportState.SUBMITTED
    assert "Compléter le compte rendu" not in plain(client.get(reverse("actions:my_actions")))
    assert IndicatorValue.objects.get(indicator__label="Personnes orientées", year=YEAR).value == Decimal(40)
