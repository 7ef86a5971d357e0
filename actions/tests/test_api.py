"""The API of actions and yearly reports: same access rule, same validation and same "no lost update" as the pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.enums import ActionStatus, ReportState
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgressReportFactory,
)
from actions.models import Action, IndicatorValue, ProgressReport
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restart_action_numbers():
    """ActionFactory numbers actions from a per-process sequence that no number may pass 999 (2.999): this module
    creates many actions, so it hands the sequence back at zero (each test's rows are rolled back anyway)."""
    yield
    ActionFactory.reset_sequence()


@pytest.fixture
def api():
    return APIClient()


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def action_url(action):
    return reverse("v1:action-detail", args=[action.pk])


# --- authentication and access ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["v1:action-list", "v1:pacte-list", "v1:report-list", "v1:decision-list", "v1:bilan-list", "v1:schema"]
)
def test_anonymous_gets_401_everywhere(api, name):
    response = api.get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_cannot_patch_an_action(api):
    action = ActionFactory()
    response = api.patch(action_url(action), {"version": 1, "title": "Piraté"}, format="json")
    assert response.status_code == 401
    action.refresh_from_db()
    assert action.title != "Piraté"


def test_anonymous_gets_no_docs_page(client):
    assert client.get(reverse("v1:docs")).status_code in (401, 403)


def test_token_authentication_reads_the_api(api, copil_member):
    ActionFactory(title="Plateforme mobilité")
    token = Token.objects.create(user=copil_member)
    response = api.get(reverse("v1:action-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "Plateforme mobilité"


def test_session_authentication_reads_the_api(client, referent):
    ActionFactory()
    client.force_login(referent)
    response = client.get(reverse("v1:action-list"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_copil_member_reads_but_cannot_patch(copil_member):
    action = ActionFactory(progress=10)
    client = as_user(copil_member)
    assert client.get(action_url(action)).status_code == 200
    response = client.patch(action_url(action), {"version": 1, "progress": 90}, format="json")
    assert response.status_code == 403
    assert "droit" in response.json()["detail"]
    action.refresh_from_db()
    assert action.progress == 10


def test_referent_cannot_patch_another_referents_action(referent):
    action = ActionFactory(referents=[UserFactory(username="autre")], progress=10)
    response = as_user(referent).patch(action_url(action), {"version": 1, "progress": 90}, format="json")
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.progress == 10


def test_thematic_referent_patches_an_action_of_his_axe(referent):
    action = ActionFactory(axe=AxeFactory(thematic_referents=[referent]))
    response = as_user(referent).patch(action_url(action), {"version": 1, "progress": 55}, format="json")
    assert response.status_code == 200


# --- PATCH of an action -------------------------------------------------------------------------------------


def test_referent_patches_his_action_through_the_service(referent):
    action = ActionFactory(referents=[referent], status=ActionStatus.TO_LAUNCH, progress=0)
    response = as_user(referent).patch(
        action_url(action), {"version": 1, "status": "in_progress", "progress": 30}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress" and body["progress"] == 30 and body["version"] == 2
    assert response["ETag"] == '"2"'
    action.refresh_from_db()
    assert action.version == 2 and action.status == ActionStatus.IN_PROGRESS
    assert action.history.latest().history_user == referent


def test_patch_without_version_is_refused_in_french(referent):
    action = ActionFactory(referents=[referent], progress=10)
    response = as_user(referent).patch(action_url(action), {"progress": 90}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert "obligatoire" in response.json()["version"][0]
    action.refresh_from_db()
    assert action.progress == 10


def test_patch_from_a_stale_version_is_refused_with_the_other_persons_changes(referent, staff):
    action = ActionFactory(referents=[referent], title="Plateforme", progress=10)
    assert as_user(staff).patch(action_url(action), {"version": 1, "progress": 70}, format="json").status_code == 200

    response = as_user(referent).patch(action_url(action), {"version": 1, "title": "Autre titre"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["changed_by"] == str(staff)
    assert {"field": "avancement (%)", "before": "10", "after": "70"} in body["changes"]
    assert body["current"]["progress"] == 70
    assert "n'ont pas été enregistrées" in body["detail"]
    action.refresh_from_db()
    assert action.title == "Plateforme" and action.progress == 70 and action.version == 2


def test_if_match_header_replaces_the_version_and_a_stale_one_gets_412(referent):
    action = ActionFactory(referents=[referent], progress=10)
    client = as_user(referent)
    read = client.get(action_url(action))
    assert read["ETag"] == '"1"'
    ok = client.patch(action_url(action), {"progress": 20}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = client.patch(action_url(action), {"progress": 30}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    action.refresh_from_db()
    assert action.progress == 20


def test_patch_is_validated_like_the_form_with_french_messages_per_field(referent):
    action = ActionFactory(referents=[referent])
    other_axe_objectif = ObjectifFactory()
    response = as_user(referent).patch(
        action_url(action),
        {
            "version": 1,
            "start_date": "2024-06-01",
            "end_date": "2024-01-01",
            "objectif": other_axe_objectif.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["end_date"] == ["La date de fin doit être postérieure à la date de début."]
    assert "objectif" in errors
    action.refresh_from_db()
    assert action.version == 1


def test_patch_refuses_dates_outside_the_pacte_and_progress_over_100(referent):
    action = ActionFactory(referents=[referent])
    client = as_user(referent)
    response = client.patch(action_url(action), {"version": 1, "end_date": "2031-01-01"}, format="json")
    assert response.status_code == 400
    assert "années du pacte" in response.json()["end_date"][0]
    response = client.patch(action_url(action), {"version": 1, "progress": 150}, format="json")
    assert response.status_code == 400 and "progress" in response.json()


def test_patch_refuses_fields_that_cannot_be_changed(referent):
    action = ActionFactory(referents=[referent], number="1.1")
    response = as_user(referent).patch(action_url(action), {"version": 1, "number": "9.9"}, format="json")
    assert response.status_code == 400
    assert "number" in response.json()
    action.refresh_from_db()
    assert action.number == "1.1"


def test_put_and_delete_are_not_offered(staff):
    action = ActionFactory()
    client = as_user(staff)
    assert client.put(action_url(action), {"version": 1}, format="json").status_code == 405
    assert client.delete(action_url(action)).status_code == 405
    assert Action.objects.filter(pk=action.pk).exists()


# --- list: filters, ordering, pagination --------------------------------------------------------------------


def test_action_list_offers_the_filters_of_the_page(copil_member, referent):
    pacte = PacteFactory(slug="pti-test")
    axe = AxeFactory(pacte=pacte, number=1)
    ActionFactory(axe=axe, number="1.1", title="Garage solidaire", referents=[referent])
    done = ActionFactory(axe=axe, number="1.2", title="Chantier d'insertion", done=True)
    partnered = ActionFactory(axe=axe, number="1.3", title="Mobilité")
    partner = ActionPartnerFactory(action=partnered).partner
    ProgressReportFactory(action=done, year=2023, submitted=True)
    client = as_user(copil_member)

    def numbers(**params):
        response = client.get(reverse("v1:action-list"), params)
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert numbers(pacte="pti-test") == ["1.1", "1.2", "1.3"]
    assert numbers(statut="done") == ["1.2"]
    assert numbers(q="garage") == ["1.1"]
    assert numbers(referent=referent.pk) == ["1.1"]
    assert numbers(partenaire=partner.pk) == ["1.3"]
    assert numbers(axe=axe.pk, annee=2023, compte_rendu="transmis") == ["1.2"]
    assert numbers(axe=axe.pk, annee=2023, compte_rendu="manquant") == ["1.1", "1.3"]
    assert numbers(pacte="pti-test", ordering="-number") == ["1.3", "1.2", "1.1"]
    assert numbers(pacte="pti-test", ordering="title") == ["1.2", "1.1", "1.3"]


def test_invalid_filter_values_get_400_in_french(copil_member):
    response = as_user(copil_member).get(reverse("v1:action-list"), {"statut": "inconnu"})
    assert response.status_code == 400
    assert "statut" in response.json()


def test_numbers_sort_naturally(copil_member):
    axe = AxeFactory(number=2)
    for number in ("2.10", "2.9", "2.1"):
        ActionFactory(axe=axe, number=number)
    response = as_user(copil_member).get(reverse("v1:action-list"), {"ordering": "number"})
    assert [row["number"] for row in response.json()["results"]] == ["2.1", "2.9", "2.10"]


def test_pagination_and_page_size(copil_member):
    axe = AxeFactory()
    for index in range(7):
        ActionFactory(axe=axe, number=f"{axe.number}.{index + 1}")
    response = as_user(copil_member).get(reverse("v1:action-list"), {"page_size": 5, "page": 2})
    body = response.json()
    assert body["count"] == 7 and len(body["results"]) == 2 and body["previous"]


def _populate(count):
    referent = UserFactory()
    pacte = PacteFactory()
    for axe_number in (1, 2):
        axe = AxeFactory(pacte=pacte, number=axe_number, thematic_referents=[referent])
        objectif = ObjectifFactory(axe=axe, number=1)
        # Explicit numbers: the factory's sequence would soon pass 999, which no action number may.
        for index in range(count // 2):
            action = ActionFactory(
                axe=axe, objectif=objectif, number=f"{axe_number}.{index + 1}", referents=[referent, UserFactory()]
            )
            ActionPartnerFactory(action=action)
            indicator = IndicatorFactory(action=action)
            IndicatorValueFactory(indicator=indicator, year=2023, value=Decimal("12"))
            ProgressReportFactory(action=action, year=2023)


@pytest.mark.parametrize(
    "name", ["v1:action-list", "v1:report-list", "v1:indicator-list", "v1:axe-list", "v1:objectif-list"]
)
def test_list_query_count_does_not_grow_with_the_page_size(client, name, copil_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _populate(60)
    client.force_login(copil_member)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name), {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, response.json()["count"])
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10


# --- yearly reports -------------------------------------------------------------------------------------


def report_list_url():
    return reverse("v1:report-list")


def test_referent_creates_a_report_with_indicator_values(referent):
    action = ActionFactory(referents=[referent], status=ActionStatus.TO_LAUNCH, progress=0)
    indicator = IndicatorFactory(action=action)
    IndicatorValueFactory(indicator=indicator, year=2024, target=Decimal("100"))
    response = as_user(referent).post(
        report_list_url(),
        {
            "action": action.pk,
            "year": 2024,
            "status": "in_progress",
            "progress": 40,
            "advances": "Premières sessions.",
            "indicator_values": [{"indicator": indicator.pk, "value": "42.5"}],
            "submit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["version"] == 1
    assert body["indicator_values"] == [
        {
            "indicator": indicator.pk,
            "label": indicator.label,
            "target": "100.00",
            "value": "42.50",
            "unavailable_reason": "",
        }
    ]
    assert response["Location"] == reverse("v1:report-detail", args=[body["id"]])
    assert IndicatorValue.objects.get(indicator=indicator, year=2024).value == Decimal("42.5")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.progress == 40


def test_creating_a_report_that_exists_is_a_conflict(referent):
    action = ActionFactory(referents=[referent])
    ProgressReportFactory(action=action, year=2024, advances="Écrit par un collègue")
    response = as_user(referent).post(
        report_list_url(), {"action": action.pk, "year": 2024, "advances": "Le mien"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current"]["advances"] == "Écrit par un collègue"
    assert ProgressReport.objects.get(action=action, year=2024).advances == "Écrit par un collègue"


def test_report_for_a_year_outside_the_pacte_is_refused(referent):
    action = ActionFactory(referents=[referent])
    response = as_user(referent).post(report_list_url(), {"action": action.pk, "year": 2030}, format="json")
    assert response.status_code == 400 and "year" in response.json()


def test_copil_member_and_other_referents_cannot_write_reports(copil_member, referent):
    action = ActionFactory(referents=[UserFactory(username="autre")])
    for user in (copil_member, referent):
        response = as_user(user).post(report_list_url(), {"action": action.pk, "year": 2024}, format="json")
        assert response.status_code == 403
    assert not ProgressReport.objects.exists()


def test_report_of_a_closed_year_cannot_be_changed(referent):
    action = ActionFactory(referents=[referent])
    report = ProgressReportFactory(action=action, year=2023)
    ClosedYear.objects.create(pacte=action.pacte, year=2023)
    response = as_user(referent).patch(
        reverse("v1:report-detail", args=[report.pk]), {"version": 1, "advances": "Trop tard"}, format="json"
    )
    assert response.status_code == 403


def test_report_patch_keeps_the_values_it_does_not_name_and_refuses_stale_versions(referent):
    action = ActionFactory(referents=[referent])
    first, second = IndicatorFactory(action=action, label="A"), IndicatorFactory(action=action, label="B")
    IndicatorValueFactory(indicator=first, year=2024, value=Decimal("5"))
    IndicatorValueFactory(indicator=second, year=2024, value=Decimal("7"))
    report = ProgressReportFactory(action=action, year=2024, advances="Début", state=ReportState.DRAFT)
    url = reverse("v1:report-detail", args=[report.pk])
    client = as_user(referent)

    response = client.patch(
        url, {"version": 1, "indicator_values": [{"indicator": first.pk, "value": 6}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert IndicatorValue.objects.get(indicator=first, year=2024).value == Decimal("6")
    assert IndicatorValue.objects.get(indicator=second, year=2024).value == Decimal("7")
    report.refresh_from_db()
    assert report.version == 2 and report.advances == "Début" and report.state == ReportState.DRAFT

    stale = client.patch(url, {"version": 1, "advances": "Écrasé ?"}, format="json")
    assert stale.status_code == 409
    report.refresh_from_db()
    assert report.advances == "Début"


def test_report_patch_validation_errors_are_per_field(referent):
    action = ActionFactory(referents=[referent])
    indicator = IndicatorFactory(action=action)
    other = IndicatorFactory()
    report = ProgressReportFactory(action=action, year=2024)
    url = reverse("v1:report-detail", args=[report.pk])
    client = as_user(referent)
    response = client.patch(url, {"version": 1, "weather": "orage", "progress": -3}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"weather", "progress"}
    response = client.patch(
        url, {"version": 1, "indicator_values": [{"indicator": other.pk, "value": 1}]}, format="json"
    )
    assert response.status_code == 400 and "indicator_values" in response.json()
    response = client.patch(
        url, {"version": 1, "indicator_values": [{"indicator": indicator.pk, "value": -1}]}, format="json"
    )
    assert response.status_code == 400
    # A PATCH is partial, not its rows: a row without its indicator or its value is refused, field by field.
    response = client.patch(
        url, {"version": 1, "indicator_values": [{"value": 2}, {"indicator": indicator.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["indicator_values"] == {
        "0": {"indicator": ["Ce champ est obligatoire."]},
        "1": {"value": ["Ce champ est obligatoire."]},
    }
    report.refresh_from_db()
    assert report.version == 1


def test_report_list_filters(copil_member):
    action = ActionFactory()
    ProgressReportFactory(action=action, year=2023, submitted=True)
    ProgressReportFactory(action=action, year=2024)
    client = as_user(copil_member)
    response = client.get(report_list_url(), {"annee": 2023, "etat": "submitted"})
    assert [row["year"] for row in response.json()["results"]] == [2023]
    response = client.get(report_list_url(), {"action": action.pk})
    assert [row["year"] for row in response.json()["results"]] == [2024, 2023]


# --- the plan's read-only resources -------------------------------------------------------------------------


def test_pactes_axes_objectifs_partners_and_indicators_read(copil_member):
    pacte = PacteFactory(slug="pti-2022", first_year=2022, last_year=2025)
    ClosedYear.objects.create(pacte=pacte, year=2022)
    axe = AxeFactory(pacte=pacte, number=3)
    objectif = ObjectifFactory(axe=axe, number=2)
    action = ActionFactory(axe=axe, objectif=objectif, number="3.1", start_date=datetime.date(2022, 1, 1))
    ActionPartnerFactory(action=action, funder=True)
    indicator = IndicatorFactory(action=action)
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("10"), value=Decimal("12"))
    client = as_user(copil_member)

    pacte_body = client.get(reverse("v1:pacte-detail", args=["pti-2022"])).json()
    assert pacte_body["closed_years"] == [2022] and pacte_body["status_label"] == "en cours"
    assert client.get(reverse("v1:axe-list"), {"pacte": "pti-2022"}).json()["results"][0]["number"] == 3
    assert client.get(reverse("v1:objectif-list"), {"axe": axe.pk}).json()["results"][0]["code"] == "3.2"
    action_body = client.get(action_url(action)).json()
    assert action_body["objectif_code"] == "3.2"
    assert action_body["partners"][0]["role"] == "funder" and action_body["partners"][0]["amount"] == "10000.00"
    values = client.get(reverse("v1:indicator-list"), {"action": action.pk}).json()["results"][0]["values"]
    assert values == [{"year": 2023, "target": "10.00", "value": "12.00", "gap": "2.00", "on_target": True}]
    assert client.get(reverse("v1:partner-list")).json()["count"] == 1
    assert client.post(reverse("v1:partner-list"), {"name": "X"}, format="json").status_code == 403


def test_docs_page_loads_redoc_from_our_static_files_without_inline_script(client, copil_member):
    client.force_login(copil_member)
    page = client.get(reverse("v1:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr">' in html and "<main>" in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert "cdn" not in html.lower() and "https://" not in html and "googleapis" not in html
    assert "<script>" not in html  # no inline script (Content-Security-Policy)
    assert f'spec-url="{reverse("v1:schema")}"' in html
    schema = client.get(reverse("v1:schema"), {"format": "json"}).json()
    assert schema["info"]["title"] == "API du Pacte territorial d'insertion"
    assert "/api/v1/actions/{id}/" in schema["paths"]
