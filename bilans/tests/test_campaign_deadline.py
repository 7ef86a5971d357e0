"""The campaign's deadline and the days left, where the referent works: /mes-actions/ (at the top and per report)
and the report form, through bilans' template tag `campaign_deadline` (actions may not import bilans)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actions.factories import ActionFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from bilans.models import ReportingCampaign

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def pacte():
    return PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025", first_year=2022, last_year=2025)


@pytest.fixture
def action(pacte, referent):
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", referents=[referent])


def campaign(pacte, deadline, year=2025):
    return ReportingCampaign.objects.create(pacte=pacte, year=year, deadline=deadline)


def form(client, referent, action):
    client.force_login(referent)
    response = client.get(reverse("actions:report_edit", args=[action.pk, 2025]))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (datetime.date(2025, 3, 25), "Campagne 2025</strong> – date limite le 25 mars 2025, dans 15 jours"),
        (datetime.date(2025, 3, 12), "Campagne 2025</strong> – date limite le 12 mars 2025, dans 2 jours"),
        (datetime.date(2025, 3, 11), "Campagne 2025</strong> – date limite demain, le 11 mars 2025"),
        (datetime.date(2025, 3, 10), "Campagne 2025</strong> – date limite aujourd’hui, le 10 mars 2025"),
    ],
)
def test_the_form_shows_the_deadline_with_the_days_left(client, referent, pacte, action, deadline, expected):
    campaign(pacte, deadline)
    response = form(client, referent, action)
    assertContains(response, expected)
    assertNotContains(response, "en retard")


def test_the_form_marks_a_report_late_once_the_deadline_passed(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 9))
    ProgressReportFactory(action=action, year=2025)
    response = form(client, referent, action)
    assertContains(
        response,
        'date limite dépassée : c’était le 9 mars 2025, il y a 1 jour <span class="badge late">en retard</span>',
    )


def test_a_transmitted_report_is_not_late(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 1))
    ProgressReportFactory(action=action, year=2025, submitted=True)
    response = form(client, referent, action)
    assertContains(response, "date limite dépassée : c’était le 1er mars 2025, il y a 9 jours")
    assertNotContains(response, "en retard")


def test_no_campaign_no_deadline(client, referent, pacte, action):
    campaign(pacte, datetime.date(2024, 3, 1), year=2024)
    assertNotContains(form(client, referent, action), "date limite")


def test_a_closed_year_shows_no_deadline(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 25))
    ClosedYear.objects.create(pacte=pacte, year=2025, approval_date=datetime.date(2025, 3, 5))
    content = my_actions(client, referent)
    assert "année close" in content
    assert "date limite" not in content


def my_actions(client, referent):
    client.force_login(referent)
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_actions_shows_the_deadline_at_the_top_and_per_report(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 11))
    ActionFactory(axe=action.axe, number="1.2", referents=[referent])
    content = my_actions(client, referent)
    top = content[content.index('<div class="my-deadlines') : content.index("À faire")]
    assert (
        '<p class="campaign-deadline mb-2"><strong>Campagne 2025</strong> – date limite demain, le 11 mars 2025</p>'
        in top
    )
    assert (
        content.count('<span class="d-block small campaign-deadline">date limite demain, le 11 mars 2025</span>') == 2
    )


def test_my_actions_marks_late_reports_only(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 7))
    ProgressReportFactory(action=action, year=2025, submitted=True)
    ActionFactory(axe=action.axe, number="1.2", referents=[referent])  # no report yet: late
    content = my_actions(client, referent)
    passed = "date limite dépassée : c’était le 7 mars 2025, il y a 3 jours"
    assert f'<p class="campaign-deadline mb-2"><strong>Campagne 2025</strong> – {passed} <span class="badge late">' in (
        content
    )
    assert (
        f'<span class="d-block small campaign-deadline">{passed} <span class="badge late">en retard</span>' in content
    )
    assert f'<span class="d-block small campaign-deadline">{passed}</span>' in content  # the transmitted one


def test_my_actions_reads_the_campaign_once_whatever_the_number_of_actions(client, referent, pacte, action):
    campaign(pacte, datetime.date(2025, 3, 25))
    client.force_login(referent)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("actions:my_actions")).status_code == 200
        return len(queries)

    few = count()
    for number in range(2, 6):
        ActionFactory(axe=action.axe, number=f"1.{number}", referents=[referent])
    assert count() == few


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("before", datetime.date(2025, 3, 18), "Il reste 7 jours avant la date limite."),
        ("manual", datetime.date(2025, 3, 24), "La date limite est demain."),
        ("manual", datetime.date(2025, 3, 25), "La date limite est aujourd’hui."),
        ("after", datetime.date(2025, 3, 26), "La date limite est dépassée depuis 1 jour."),
        ("after", datetime.date(2025, 4, 4), "La date limite est dépassée depuis 10 jours."),
    ],
)
def test_reminders_say_the_days_left(pacte, action, referent, kind, day, expected):
    from bilans import campaigns

    referent.email = "claire@haute-vienne.example"
    action.report_state = "missing"
    message = campaigns._reminder_email(campaign(pacte, datetime.date(2025, 3, 25)), kind, referent, [action], day)
    assert "le 25 mars 2025" in message.body
    assert f"\n\n{expected}\n\n" in message.body
    assert f"<p>{expected}</p>" in message.alternatives[0][0]
