"""The assembly's decision on a submitted bilan (approval or rejection), through the pages and the API alike: the
deliberation's date lies between the submission and today, an approval being finalised stays in charge, and
what the page offers follows the transition table."""

import datetime
import hashlib
import re
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bilans import services
from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.tests.builders import YEAR, small_pacte

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% bilan soumis\n%%EOF\n"
FIRST = "CD-2026-11-001"
SECOND = "CD-2026-11-002"


def url(name, bilan):
    return reverse(f"bilans:{name}", args=[bilan.pacte.slug, bilan.year])


def api_url(name, bilan):
    return reverse(f"v1:bilan-{name}", args=[bilan.pk])


def body(response):
    return response.content.decode().replace("&#x27;", "'")


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def submitted(submitted_at=None, **fields):
    """A submitted bilan with its generated PDF, as the workflow leaves it."""
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR, status=S.SUBMITTED)
    bilan.pdf.save("bilan.pdf", ContentFile(PDF), save=False)
    Bilan.objects.filter(pk=bilan.pk).update(
        pdf=bilan.pdf.name,
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        snapshot={"introduction": "", "conclusion": ""},
        submitted_at=submitted_at or timezone.now() - datetime.timedelta(days=20),
        **fields,
    )
    bilan.refresh_from_db()
    return bilan


def being_approved(staff):
    """A submitted bilan whose approval (deliberation FIRST) is being finalised by task `tache-1`."""
    now = timezone.now()
    return submitted(
        approving=True,
        approval_date=timezone.localdate(),
        deliberation_reference=FIRST,
        approved_by=staff,
        task_id="tache-1",
        generation_step="rendering",
        generation_progress=35,
        generation_started_at=now,
        generation_heartbeat_at=now,
    )


def unchanged(bilan):
    stored = Bilan.objects.get(pk=bilan.pk)
    fields = ("status", "approving", "approval_date", "deliberation_reference", "rejection_reason", "task_id")
    return {name: getattr(stored, name) for name in (*fields, "version")} == {
        name: getattr(bilan, name) for name in (*fields, "version")
    }


# The deliberation's date


@pytest.mark.parametrize(
    "days, message",
    [
        (-21, "ne peut pas précéder la soumission du bilan à l'assemblée"),
        (+1, "ne peut pas être dans le futur"),
    ],
    ids=["before-the-submission", "tomorrow"],
)
def test_an_impossible_deliberation_date_is_a_400_next_to_the_field_on_the_page(client, staff, days, message):
    bilan = submitted()
    client.force_login(staff)
    date = timezone.localdate() + datetime.timedelta(days=days)

    response = client.post(url("approve", bilan), {"approval_date": date.isoformat(), "deliberation_reference": FIRST})

    assert response.status_code == 400
    content = body(response)
    # The message is the approval date's own feedback, under its field, which points to it (aria-describedby).
    field = re.search(r'<input type="date" name="approval_date"[^>]*>', content).group(0)
    assert "is-invalid" in field and 'aria-describedby="id_approval_date_error"' in field
    feedback = re.search(
        r'<div id="id_approval_date_error"[^>]*>\s*<div class="invalid-feedback[^"]*">([^<]*)</div>', content
    )
    assert message in feedback.group(1)
    assert unchanged(bilan) and not BilanTransition.objects.exists()


@pytest.mark.parametrize("days", [-21, +1])
def test_an_impossible_deliberation_date_is_a_400_through_the_api(staff, days):
    bilan = submitted()
    date = timezone.localdate() + datetime.timedelta(days=days)

    response = as_user(staff).post(
        api_url("approve", bilan), {"approval_date": date.isoformat(), "deliberation_reference": FIRST}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["approval_date"]
    assert "ne peut pas" in response.json()["approval_date"][0]
    assert unchanged(bilan) and not BilanTransition.objects.exists()


def test_the_deliberation_may_be_dated_the_day_of_the_submission(client, staff, django_capture_on_commit_callbacks):
    submitted_at = timezone.now() - datetime.timedelta(days=3)
    bilan = submitted(submitted_at=submitted_at)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            url("approve", bilan),
            {
                "approval_date": timezone.localdate(submitted_at).isoformat(),
                "deliberation_reference": FIRST,
                "confirmed": "1",
            },
        )

    assert response.status_code == 302 and len(queued) == 1
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.approving, stored.approval_date) == (True, timezone.localdate(submitted_at))


# An approval being finalised stays in charge


@pytest.mark.parametrize(
    "action, data",
    [
        ("approve", {"approval_date": "{today}", "deliberation_reference": SECOND}),
        ("reject", {"rejection_reason": "Le vote est annulé."}),
    ],
)
def test_a_second_decision_while_the_approval_is_finalised_is_a_409_on_the_page(client, staff, action, data):
    bilan = being_approved(staff)
    client.force_login(staff)
    data = {name: value.format(today=timezone.localdate().isoformat()) for name, value in data.items()}

    response = client.post(url(action, bilan), data)

    assert response.status_code == 409
    assert f"déjà en cours de finalisation (délibération n° {FIRST})" in body(response)
    assert unchanged(bilan) and not BilanTransition.objects.exists()


@pytest.mark.parametrize(
    "action, data",
    [
        ("approve", {"approval_date": "{today}", "deliberation_reference": SECOND}),
        ("reject", {"rejection_reason": "Le vote est annulé."}),
    ],
)
def test_a_second_decision_while_the_approval_is_finalised_is_a_409_through_the_api(staff, action, data):
    bilan = being_approved(staff)
    data = {name: value.format(today=timezone.localdate().isoformat()) for name, value in data.items()}

    response = as_user(staff).post(api_url(action, bilan), data, format="json")

    assert response.status_code == 409
    assert f"déjà en cours de finalisation (délibération n° {FIRST})" in response.json()["detail"]
    assert unchanged(bilan) and not BilanTransition.objects.exists()


def test_the_first_approval_completes_after_a_second_one_was_refused(
    client, staff, administrator, django_capture_on_commit_callbacks
):
    """A real bilan: generated, submitted, approved by staff; while its approved PDF is queued, an administrator
    posts another approval (page), then a rejection (API). Both are refused, and the first approval ends the job."""
    bilan = services.generate_now(Bilan.objects.create(pacte=small_pacte(), year=YEAR), staff)
    services.submit(bilan, staff)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.request_approval(bilan, staff, timezone.localdate(), FIRST)
    assert len(queued) == 1 and Bilan.objects.get(pk=bilan.pk).approving

    client.force_login(administrator)
    today = timezone.localdate().isoformat()
    second = client.post(url("approve", bilan), {"approval_date": today, "deliberation_reference": SECOND})
    rejection = as_user(administrator).post(api_url("reject", bilan), {"rejection_reason": "Non."}, format="json")
    assert (second.status_code, rejection.status_code) == (409, 409)

    queued[0]()  # the first approval's task runs (eagerly) now

    bilan.refresh_from_db()
    assert (bilan.status, bilan.approving, bilan.deliberation_reference, bilan.approved_by) == (
        S.APPROVED,
        False,
        FIRST,
        staff,
    )
    assert list(bilan.transitions.values_list("target", "user__username")) == [
        (S.GENERATING, "staff"),
        (S.GENERATED, None),
        (S.SUBMITTED, "staff"),
        (S.APPROVED, "staff"),
    ]


# The decision through the API


def test_staff_approves_a_submitted_bilan_through_the_api(staff, django_capture_on_commit_callbacks):
    bilan = submitted()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = as_user(staff).post(
            api_url("approve", bilan),
            {"approval_date": timezone.localdate().isoformat(), "deliberation_reference": FIRST},
            format="json",
        )

    assert response.status_code == 202
    assert (response.json()["approving"], response.json()["status"]) == (True, "submitted")
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.approving, stored.deliberation_reference, stored.approved_by) == (True, FIRST, staff)
    assert len(queued) == 1


def test_staff_records_a_rejection_through_the_api(staff):
    bilan = submitted()

    response = as_user(staff).post(api_url("reject", bilan), {"rejection_reason": "Axe 2 incomplet."}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert Bilan.objects.get(pk=bilan.pk).rejection_reason == "Axe 2 incomplet."
    assert BilanTransition.objects.get(bilan=bilan).user == staff


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_draft_cannot_be_decided_through_the_api(staff, action):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR)
    data = {"approval_date": timezone.localdate().isoformat(), "deliberation_reference": FIRST, "rejection_reason": "x"}

    response = as_user(staff).post(api_url(action, bilan), data, format="json")

    assert response.status_code == 409
    assert "Seul un bilan soumis à l'assemblée" in response.json()["detail"]
    assert Bilan.objects.get(pk=bilan.pk).status == S.DRAFT


@pytest.mark.parametrize("role", ["referent", "copil_member"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_staff_decides_through_the_api(request, role, action):
    bilan = submitted()
    data = {"approval_date": timezone.localdate().isoformat(), "deliberation_reference": FIRST, "rejection_reason": "x"}

    response = as_user(request.getfixturevalue(role)).post(api_url(action, bilan), data, format="json")

    assert response.status_code == 403
    assert unchanged(bilan)


@pytest.mark.parametrize("data", [{}, {"rejection_reason": "   "}])
def test_a_rejection_without_reason_is_a_400_through_the_api(staff, data):
    bilan = submitted()

    response = as_user(staff).post(api_url("reject", bilan), data, format="json")

    assert response.status_code == 400 and "rejection_reason" in response.json()
    assert unchanged(bilan)


# What the page offers, for each status: written out, not read from the workflow


OFFERS = {
    #              generate, edit texts, submit, decide
    S.DRAFT: (True, True, False, False),
    S.GENERATING: (False, False, False, False),
    S.GENERATED: (True, True, True, False),
    S.FAILED: (True, True, False, False),
    S.SUBMITTED: (False, False, False, True),
    S.APPROVED: (False, False, False, False),
    S.REJECTED: (True, True, False, False),
}
BUTTONS = ("bilans:generate", "bilans:texts", "bilans:submit", "bilans:approve")


@pytest.mark.parametrize("status", list(OFFERS), ids=[str(s) for s in OFFERS])
def test_the_page_offers_what_the_status_allows(client, staff, status):
    bilan = submitted(status=status, approval_date=timezone.localdate(), deliberation_reference=FIRST)
    if status == S.GENERATING:
        Bilan.objects.filter(pk=bilan.pk).update(generation_heartbeat_at=timezone.now(), generation_step="charts")
    client.force_login(staff)

    content = body(client.get(url("detail", bilan)))

    forms = tuple(f'action="{reverse(name, args=[bilan.pacte.slug, YEAR])}"' in content for name in BUTTONS)
    assert forms == OFFERS[status]


def test_the_page_offers_no_decision_while_an_approval_is_finalised(client, staff):
    bilan = being_approved(staff)
    client.force_login(staff)

    content = body(client.get(url("detail", bilan)))

    assert "Production du PDF approuvé" in content
    assert url("approve", bilan) not in content and url("reject", bilan) not in content


# At the same moment, on PostgreSQL: the row lock orders the decisions


def in_thread(function, *args):
    outcome = {}

    def run():
        try:
            outcome["result"] = function(*args)
        except Exception as error:  # reported to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_decisions_posted_at_the_same_moment_leave_the_first_approval_in_charge(staff, administrator, monkeypatch):
    bilan = submitted()
    queued = []
    monkeypatch.setattr(services, "_enqueue", lambda task, bilan_id, task_id: queued.append((task, task_id)))
    holding, release = threading.Event(), threading.Event()
    check_date = services.workflow.approval_date_error

    def first_holds_the_lock(locked, date):
        if not holding.is_set():  # the first approval, between its lock and its write
            holding.set()
            assert release.wait(10)
        return check_date(locked, date)

    monkeypatch.setattr(services.workflow, "approval_date_error", first_holds_the_lock)
    today = timezone.localdate()
    first, first_outcome = in_thread(services.request_approval, bilan, staff, today, FIRST)
    assert holding.wait(10)
    second, second_outcome = in_thread(services.request_approval, bilan, administrator, today, SECOND)
    rejection, rejection_outcome = in_thread(services.reject, bilan, administrator, "Le vote est annulé.")
    time.sleep(0.5)
    assert second.is_alive() and rejection.is_alive(), "both must wait for the first approval's lock"
    release.set()
    for thread in (first, second, rejection):
        thread.join(10)

    assert "error" not in first_outcome, first_outcome
    for outcome in (second_outcome, rejection_outcome):
        assert isinstance(outcome["error"], services.BilanError)
        assert f"déjà en cours de finalisation (délibération n° {FIRST})" in outcome["error"].message
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.approving, stored.deliberation_reference, stored.approved_by) == (
        S.SUBMITTED,
        True,
        FIRST,
        staff,
    )
    assert queued == [("approve_bilan", stored.task_id)]
    assert not BilanTransition.objects.exists()
