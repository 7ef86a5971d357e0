"""The version check cannot be skipped: a form or an API write that edits a versioned row without saying which
version it started from is refused (400, French message) and changes nothing; `lock_version` itself refuses None.
"""

import datetime
import html

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token

from actions.factories import ActionFactory, ProgressReportFactory
from actions.models import Action, ProgressReport
from axes.factories import AxeFactory, PacteFactory
from bilans.factories import BilanFactory
from bilans.models import Bilan, ReportingCampaign
from pilotage.factories import CopilFactory, DecisionFactory
from pilotage.models import Copil, Decision
from pti.concurrency import MissingVersion, lock_version

pytestmark = pytest.mark.django_db

MESSAGE = "le formulaire ne dit pas de quelle version de la fiche il part"
API_MESSAGE = "La version lue est obligatoire"


@pytest.fixture
def rows(staff):
    pacte = PacteFactory(slug="pti-versions", first_year=2022, last_year=2030)
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", title="Avant", referents=[staff])
    report = ProgressReportFactory(action=action, year=2024, advances="Avant")
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Avant")
    decision = DecisionFactory(copil=copil, text="Avant", follow_up="Avant", due_date=datetime.date(2025, 6, 30))
    bilan = BilanFactory(pacte=pacte, year=2024, introduction="Avant")
    campaign = ReportingCampaign.objects.create(
        pacte=pacte, year=2026, deadline=datetime.date(2099, 1, 31), opened_by=staff
    )
    return {
        "pacte": pacte,
        "action": action,
        "report": report,
        "copil": copil,
        "decision": decision,
        "bilan": bilan,
        "campaign": campaign,
    }


def text(response):
    return html.unescape(response.content.decode())


# Each edit form, what it posts (without the version), and how to read back the field it would change.
FORMS = {
    "action": (
        lambda r: reverse("actions:edit", args=[r["action"].pk]),
        {"title": "Après", "status": "in_progress", "priority": "normal", "progress": 40},
        lambda r: Action.objects.get(pk=r["action"].pk).title,
    ),
    "report": (
        lambda r: reverse("actions:report_edit", args=[r["action"].pk, 2024]),
        {"status": "in_progress", "progress": 50, "weather": "on_track", "advances": "Après"},
        lambda r: ProgressReport.objects.get(pk=r["report"].pk).advances,
    ),
    "copil": (
        lambda r: reverse("pilotage:copil_edit", args=[r["copil"].pk]),
        {"date": "2024-11-26", "place": "Après", "agenda": "", "minutes": "", "highlights": ""},
        lambda r: Copil.objects.get(pk=r["copil"].pk).place,
    ),
    "decision": (
        lambda r: reverse("pilotage:decision_edit", args=[r["decision"].pk]),
        {"text": "Après", "action": "", "owner": "", "due_date": "2025-06-30", "status": "open", "follow_up": ""},
        lambda r: Decision.objects.get(pk=r["decision"].pk).text,
    ),
    "decision follow-up": (
        lambda r: reverse("pilotage:decision_follow_up", args=[r["decision"].pk]),
        {"status": "open", "follow_up": "Après"},
        lambda r: Decision.objects.get(pk=r["decision"].pk).follow_up,
    ),
    "bilan texts": (
        lambda r: reverse("bilans:texts", args=[r["pacte"].slug, 2024]),
        {"introduction": "Après", "conclusion": ""},
        lambda r: Bilan.objects.get(pk=r["bilan"].pk).introduction,
    ),
    "campaign": (
        lambda r: reverse("bilans:campaign", args=[r["pacte"].slug, 2026]),
        {"deadline": "2099-03-31", "reminder_days_before": 7, "reminder_days_after": 1},
        lambda r: str(ReportingCampaign.objects.get(pk=r["campaign"].pk).deadline),
    ),
}
BEFORE = {
    "action": "Avant",
    "report": "Avant",
    "copil": "Avant",
    "decision": "Avant",
    "decision follow-up": "Avant",
    "bilan texts": "Avant",
    "campaign": "2099-01-31",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_an_edit_form_posted_without_its_version_is_refused_and_changes_nothing(client, staff, rows, form):
    url, data, current = FORMS[form]
    client.force_login(staff)
    # The page's own form sends it (the bilan's texts are edited on the bilan's page).
    page = reverse("bilans:detail", args=[rows["pacte"].slug, 2024]) if form == "bilan texts" else url(rows)
    assert 'name="version"' in client.get(page).content.decode()

    response = client.post(url(rows), data)

    assert response.status_code == 400
    assert MESSAGE in text(response)
    assert current(rows) == BEFORE[form]


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999"])
def test_an_edit_form_with_a_version_that_is_no_version_is_refused(client, staff, rows, form, version):
    url, data, current = FORMS[form]
    client.force_login(staff)

    response = client.post(url(rows), {**data, "version": version})

    assert response.status_code == 400
    assert "version de la fiche" in text(response)
    assert current(rows) == BEFORE[form]


def test_a_stale_copil_form_without_version_does_not_overwrite_the_save_made_meanwhile(client, staff, rows):
    copil = rows["copil"]
    client.force_login(staff)
    url, data, _current = FORMS["copil"]
    assert client.post(url(rows), {**data, "place": "Salle du conseil", "version": copil.version}).status_code == 302

    stale = client.post(url(rows), {**data, "place": "Bellac"})

    assert stale.status_code == 400
    assert (Copil.objects.get(pk=copil.pk).place, Copil.objects.get(pk=copil.pk).version) == ("Salle du conseil", 2)


def test_the_forms_that_create_need_no_version(client, staff, rows):
    client.force_login(staff)
    copil = rows["copil"]
    decision = FORMS["decision"][1]
    response = client.post(reverse("pilotage:decision_create", args=[copil.pk]), {**decision, "text": "Nouvelle"})
    assert response.status_code == 302 and Decision.objects.filter(text="Nouvelle").exists()
    copil_data = {**FORMS["copil"][1], "date": "2025-01-15"}
    response = client.post(reverse("pilotage:copil_create", args=[rows["pacte"].slug]), copil_data)
    assert response.status_code == 302 and Copil.objects.filter(date=datetime.date(2025, 1, 15)).exists()


@pytest.mark.parametrize(
    ("resource", "body"),
    [("actions", {"title": "Après"}), ("comptes-rendus", {"advances": "Après"})],
)
def test_an_api_write_without_version_nor_if_match_is_refused(client, staff, rows, resource, body):
    token = Token.objects.create(user=staff)
    pk = rows["action"].pk if resource == "actions" else rows["report"].pk
    response = client.patch(
        f"/api/v1/{resource}/{pk}/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 400
    assert API_MESSAGE in response.json()["version"][0]
    assert Action.objects.get(pk=rows["action"].pk).title == "Avant"
    assert ProgressReport.objects.get(pk=rows["report"].pk).advances == "Avant"


def test_an_api_report_created_over_an_existing_one_without_version_is_a_conflict(client, staff, rows):
    token = Token.objects.create(user=staff)
    response = client.post(
        "/api/v1/comptes-rendus/",
        {"action": rows["action"].pk, "year": 2024, "advances": "Après"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 409
    assert ProgressReport.objects.get(pk=rows["report"].pk).advances == "Avant"


@pytest.mark.parametrize("version", [None, "", "abc", 2**40])
def test_lock_version_itself_refuses_a_missing_version(rows, version):
    with pytest.raises(MissingVersion), transaction.atomic():
        lock_version(Copil.objects.all(), rows["copil"].pk, version)


def test_the_services_refuse_a_missing_version(rows, staff):
    from actions import services as action_services
    from bilans import services as bilan_services
    from pilotage import services as pilotage_services

    calls = [
        lambda: action_services.update_action(rows["action"], {"title": "Après"}, staff, None),
        lambda: action_services.save_report(rows["action"], 2024, staff, {"advances": "Après"}, {}, None, False),
        lambda: pilotage_services.update_copil(rows["copil"], {"place": "Après"}, None),
        lambda: pilotage_services.update_decision(rows["decision"], {"text": "Après"}, None),
        lambda: bilan_services.save_texts(rows["bilan"], staff, "Après", "", None),
    ]
    for call in calls:
        with pytest.raises(MissingVersion):
            call()
    assert [current(rows) for _url, _data, current in FORMS.values()] == list(BEFORE.values())


def test_a_missing_version_reaching_a_page_is_a_400_with_the_message(client, staff, rows, monkeypatch, settings):
    """Even a caller that forgot the version (here: a form made to accept none) gets a 400, not a 500."""
    from pilotage.forms import DecisionForm

    settings.DEBUG = False
    client.raise_request_exception = False
    monkeypatch.setattr(DecisionForm, "__init__", _optional_version(DecisionForm.__init__))
    client.force_login(staff)
    url, data, current = FORMS["decision"]

    response = client.post(url(rows), data)

    assert response.status_code == 400
    assert MESSAGE in text(response)
    assert current(rows) == "Avant"


def _optional_version(init):
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.fields["version"].required = False

    return patched
