"""A closed year looks closed and is closed everywhere: pages, API, admin, import, services, shell.

The pacte 2022-2025 had its 2024 bilan approved on 12 March 2025 (délibération CD-2025-012): 2024 is closed,
2025 is open. A second pacte is closed as a whole.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from actions import services
from actions.enums import ActionStatus, ReportState
from actions.exports import pacte_workbook_bytes
from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from actions.models import Action, ActionBudget, IndicatorValue, ProgressReport, ReportDocument
from axes.closing import ClosedYearError
from axes.enums import PacteStatus
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "L'année 2024 est close : son bilan a été approuvé le 12 mars 2025 (délibération CD-2025-012)."


def plain(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("&#x27;", "'")


@pytest.fixture
def people():
    return {
        "referent": UserFactory(username="c-referent", email="referent@example.fr"),
        "staff": UserFactory(username="c-agent", staff=True),
        "admin": UserFactory(username="c-admin", admin=True),
    }


@pytest.fixture
def world(people):
    pacte = PacteFactory(slug="pti-clos", first_year=2022, last_year=2025, status=PacteStatus.ACTIVE)
    axe = AxeFactory(pacte=pacte, number=1)
    action = ActionFactory(axe=axe, number="1.1", referents=[people["referent"]], objectif=None)
    report = ProgressReportFactory(action=action, year=2024, state=ReportState.SUBMITTED, advances="Fait en 2024")
    indicator = IndicatorFactory(action=action, label="Personnes accompagnées")
    value = IndicatorValueFactory(indicator=indicator, year=2024, target=Decimal(10), value=Decimal(8))
    budget = ActionBudget.objects.create(action=action, year=2024, planned=Decimal(1000))
    document = ReportDocument.objects.create(report=report, file=ContentFile(b"%PDF-1.7\n", name="p.pdf"), title="P")
    ClosedYear.objects.create(
        pacte=pacte, year=2024, approval_date=datetime.date(2025, 3, 12), deliberation_reference="CD-2025-012"
    )
    return {
        "pacte": pacte,
        "action": action,
        "report": report,
        "indicator": indicator,
        "value": value,
        "budget": budget,
        "document": document,
    }


# --- the models refuse, whatever the path ------------------------------------------------------------------


def test_a_closed_years_report_value_budget_and_document_cannot_change(world):
    for obj, field, new in [
        (world["report"], "advances", "Réécrit"),
        (world["value"], "value", Decimal(9)),
        (world["budget"], "planned", Decimal(2000)),
        (world["document"], "title", "Autre"),
    ]:
        fresh = type(obj).objects.get(pk=obj.pk)
        setattr(fresh, field, new)
        with pytest.raises(ClosedYearError, match="L'année 2024 est close"):
            fresh.save()
        with pytest.raises(ClosedYearError):
            fresh.delete()
    world["report"].refresh_from_db()
    assert world["report"].advances == "Fait en 2024"


def test_bulk_updates_of_a_closed_year_are_refused(world):
    with pytest.raises(ClosedYearError):
        ProgressReport.objects.filter(pk=world["report"].pk).update(advances="En masse")
    with pytest.raises(ClosedYearError):
        IndicatorValue.objects.filter(pk=world["value"].pk).update(target=Decimal(1))
    assert IndicatorValue.objects.get(pk=world["value"].pk).target == Decimal(10)


def test_a_new_row_in_a_closed_year_is_refused_and_moving_a_row_out_of_it_too(world):
    with pytest.raises(ClosedYearError):
        IndicatorValue.objects.create(indicator=IndicatorFactory(action=world["action"]), year=2024, target=1)
    report = ProgressReport.objects.get(pk=world["report"].pk)
    report.year = 2025
    with pytest.raises(ClosedYearError):
        report.save()


def test_an_unchanged_save_of_a_closed_row_is_harmless(world):
    report = ProgressReport.objects.get(pk=world["report"].pk)
    report.save()  # nothing changes: nothing refused


def test_an_action_with_closed_year_data_cannot_be_deleted_but_can_be_abandoned(world):
    action = world["action"]
    with pytest.raises(ClosedYearError, match="L'action 1.1 a des données de 2024, année close"):
        action.delete()
    with pytest.raises(ClosedYearError):
        Action.objects.filter(pk=action.pk).delete()
    assert Action.objects.filter(pk=action.pk).exists()
    services.update_action(action, {"status": ActionStatus.ABANDONED}, None, action.version)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.ABANDONED


def test_the_open_year_is_unaffected(world):
    report = ProgressReportFactory(action=world["action"], year=2025)
    report.advances = "Libre"
    report.save()
    report.delete()


def test_every_year_of_a_closed_pacte_is_closed():
    pacte = PacteFactory(first_year=2017, last_year=2021)
    report = ProgressReportFactory(action=ActionFactory(axe=AxeFactory(pacte=pacte)), year=2021)
    pacte.status = PacteStatus.CLOSED
    pacte.save()
    report = ProgressReport.objects.get(pk=report.pk)
    report.advances = "Trop tard"
    with pytest.raises(ClosedYearError, match="Le pacte est clos"):
        report.save()


def test_model_clean_says_why_next_to_the_form(world):
    report = ProgressReport.objects.get(pk=world["report"].pk)
    report.advances = "Réécrit"
    with pytest.raises(ValidationError) as error:
        report.full_clean()
    assert REASON in str(error.value)


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_report_form_of_a_closed_year_answers_403_with_the_true_reason(client, world, people):
    for user in (people["referent"], people["staff"]):
        client.force_login(user)
        for method in ("get", "post"):
            response = getattr(client, method)(reverse("actions:report_edit", args=[world["action"].pk, 2024]))
            assert response.status_code == 403
            assert REASON in plain(response)
            assert "Vous n'êtes pas référent" not in plain(response)
        transmit = reverse("actions:report_transmit", args=[world["action"].pk, 2024])
        assert client.post(transmit, {"version": world["report"].version}).status_code == 403


def test_the_action_page_offers_no_correction_of_a_closed_year(client, world, people):
    client.force_login(people["referent"])
    page = client.get(world["action"].get_absolute_url())
    content = page.content.decode()
    assert reverse("actions:report_edit", args=[world["action"].pk, 2024]) not in content
    assert "définitif" in content and REASON in plain(page)


def test_staff_cannot_send_a_closed_report_back(client, world, people):
    client.force_login(people["staff"])
    url = reverse("actions:report_return", args=[world["action"].pk, 2024])
    response = client.post(url, {"version": world["report"].version, "comment": "Complétez"})
    assert response.status_code == 403 and REASON in plain(response)
    assert ProgressReport.objects.get(pk=world["report"].pk).state == ReportState.SUBMITTED


def test_my_actions_offers_no_correction_for_a_closed_pacte(client, people):
    pacte = PacteFactory(first_year=2017, last_year=2021)
    action = ActionFactory(axe=AxeFactory(pacte=pacte), referents=[people["referent"]])
    ProgressReportFactory(action=action, year=2021, submitted=True)
    pacte.status = PacteStatus.CLOSED
    pacte.save()
    client.force_login(people["referent"])
    content = client.get(reverse("actions:my_actions")).content.decode()
    assert "année close" in content
    assert reverse("actions:report_edit", args=[action.pk, 2021]) not in content
    assert "Corriger" not in content


def test_the_approved_bilans_campaign_is_not_offered(client, world, people):
    client.force_login(people["staff"])
    response = client.get(reverse("bilans:detail", args=[world["pacte"].slug, 2024]))
    assert reverse("bilans:campaign", args=[world["pacte"].slug, 2024]) not in response.content.decode()
    assert REASON in plain(response)
    campaign = client.post(reverse("bilans:campaign", args=[world["pacte"].slug, 2024]), {"deadline": "2025-01-31"})
    assert campaign.status_code == 403


# --- API -----------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_closed_years_report_with_the_reason(world, people):
    client = APIClient()
    client.force_authenticate(people["referent"])
    response = client.patch(
        reverse("v1:report-detail", args=[world["report"].pk]), {"version": 1, "advances": "x"}, format="json"
    )
    assert response.status_code == 403 and REASON in response.json()["detail"]
    response = client.post(
        reverse("v1:report-list"), {"action": ActionFactory(axe=world["action"].axe).pk, "year": 2024}, format="json"
    )
    assert response.status_code == 403 and REASON in response.json()["detail"]


# --- admin ---------------------------------------------------------------------------------------------------


def admin_url(obj, view):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def test_the_admin_refuses_to_edit_or_delete_a_closed_year_with_the_reason(client, world, people):
    from pti.tests.test_admin import admin_form_data

    client.force_login(people["admin"])
    report = world["report"]
    page = client.get(admin_url(report, "change"))
    data = admin_form_data(page) | {"advances": "Réécrit dans l'admin"}
    response = client.post(admin_url(report, "change"), data)
    assert response.status_code == 200 and REASON in plain(response)
    assert ProgressReport.objects.get(pk=report.pk).advances == "Fait en 2024"

    value = world["value"]
    data = admin_form_data(client.get(admin_url(value, "change"))) | {"target": "99"}
    assert REASON in plain(client.post(admin_url(value, "change"), data))
    assert IndicatorValue.objects.get(pk=value.pk).target == Decimal(10)

    for obj in (report, value, world["budget"], world["action"], world["pacte"]):
        response = client.post(admin_url(obj, "delete"), {"post": "yes"}, follow=True)
        assert response.status_code == 200
        assert type(obj).objects.filter(pk=obj.pk).exists(), obj
        assert "close" in plain(response) or "Abandonnez" in plain(response)

    changelist = reverse("admin:actions_action_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [world["action"].pk], "post": "yes"}, follow=True
    )
    assert "Abandonnez-la plutôt" in plain(response)
    assert Action.objects.filter(pk=world["action"].pk).exists()


def test_the_admin_still_edits_an_action_whose_inline_rows_are_closed(client, world, people):
    from pti.tests.test_admin import admin_form_data

    client.force_login(people["admin"])
    action = world["action"]
    page = client.get(admin_url(action, "change"))
    data = admin_form_data(page) | {"title": "Nouvel intitulé"}
    # The inline formsets as the page shows them, unchanged.
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
                f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            }
        )
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = "on" if value is True else str(value)
    response = client.post(admin_url(action, "change"), data)
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).title == "Nouvel intitulé"


# --- import --------------------------------------------------------------------------------------------------


def test_an_import_changing_a_closed_years_target_is_refused_in_the_preview(client, world, people):
    from openpyxl import load_workbook

    client.force_login(people["staff"])
    workbook = load_workbook(io.BytesIO(pacte_workbook_bytes(world["pacte"])))
    sheet = workbook["Indicateurs"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Cible 2024") + 1
    sheet.cell(row=2, column=column).value = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = ContentFile(buffer.getvalue(), name="pacte.xlsx")
    response = client.post(reverse("actions_io:import_pacte"), {"file": upload})
    assert response.status_code == 400
    content = plain(response)
    assert "années closes" in content and REASON in content
    assert "Confirmer l'import" not in content
    assert IndicatorValue.objects.get(pk=world["value"].pk).target == Decimal(10)
