"""The pacte's calendar: its actions by axe as bars from their start to their end date on the pacte's years
(clamped to them), coloured by status with its label in words, milestones as marks, a line for today, and the
same data as a table."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory, MilestoneFactory
from axes.factories import AxeFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("actions.views_timeline.localdate", lambda: TODAY)


@pytest.fixture
def pacte():
    """2024-2027: 1461 days, from 1 January 2024."""
    pacte = PacteFactory(slug="pti-2024", title="PTI 2024-2027", first_year=2024, last_year=2027)
    first = AxeFactory(pacte=pacte, number=1, title="Emploi")
    second = AxeFactory(pacte=pacte, number=2, title="Logement")
    ActionFactory(
        axe=first,
        number="1.1",
        title="Forum de l'emploi",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2024, 12, 31),
        status="in_progress",
    )
    ActionFactory(axe=first, number="1.2", title="Garage solidaire", start_date=None, end_date=None, status="to_launch")
    ActionFactory(
        axe=second,
        number="2.1",
        title="Maison relais",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        status="abandoned",
        status_reason="Pas de terrain",
        status_date=datetime.date(2025, 3, 1),
    )
    followed = ActionFactory(
        axe=second,
        number="2.2",
        title="Accompagnement vers le logement",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        status="done",
        progress=100,
    )
    MilestoneFactory(
        action=followed,
        title="Convention signée",
        planned_date=datetime.date(2024, 7, 1),
        done_date=datetime.date(2024, 7, 3),
    )
    MilestoneFactory(action=followed, title="Premier bilan", planned_date=datetime.date(2025, 3, 31))
    return pacte


def page(client, user, slug="pti-2024"):
    client.force_login(user)
    return client.get(reverse("actions:pacte_timeline", args=[slug]))


def chart_row(html, number):
    """The chart's row of one action (the chart comes before the table)."""
    marker = f'<div class="tl-row" data-action="{number}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("data-action=", start)]


def table_rows(html):
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells])
    return rows


def test_an_action_starting_before_the_pacte_is_clamped_to_its_first_year(client, referent, pacte):
    row = chart_row(page(client, referent).content.decode(), "1.1")
    assert 'data-left="0.0" data-width="25.05"' in row
    assert "tl-clamped-start" in row
    assert "background-color:#0b5ed7" in row
    assert "En cours" in row


def test_an_action_without_dates_has_no_bar_and_says_so(client, referent, pacte):
    row = chart_row(page(client, referent).content.decode(), "1.2")
    assert "tl-bar" not in row
    assert "dates non renseignées" in row
    assert "À lancer" in row


def test_an_abandoned_action_is_dark_grey_with_its_status_in_words(client, referent, pacte):
    row = chart_row(page(client, referent).content.decode(), "2.1")
    assert 'data-left="25.05" data-width="24.98"' in row
    assert "background-color:#343a40" in row
    assert "Abandonnée" in row


def test_milestones_are_marks_late_or_done_and_today_is_a_line(client, referent, pacte):
    html = page(client, referent).content.decode()
    row = chart_row(html, "2.2")
    assert 'data-left="0.0" data-width="100.0"' in row
    assert 'left:12.46%;background-color:#146c43" data-mark="done" data-left="12.46"' in row
    assert 'left:31.14%;background-color:#b02a37" data-mark="late" data-left="31.14"' in row
    assert 'data-today="36.34"' in html
    assert "aujourd'hui (15/06/2025)" in html.replace("&#x27;", "'")


def test_the_table_gives_every_action_literally(client, copil_member, pacte):
    assert table_rows(page(client, copil_member).content.decode()) == [
        ["1.1 Forum de l'emploi".replace("'", "&#x27;"), "1", "En cours", "01/06/2023", "31/12/2024", "—"],
        ["1.2 Garage solidaire", "1", "À lancer", "non renseignée", "non renseignée", "—"],
        ["2.1 Maison relais", "2", "Abandonnée", "01/01/2025", "31/12/2025", "—"],
        [
            "2.2 Accompagnement vers le logement",
            "2",
            "Réalisée",
            "01/01/2024",
            "31/12/2027",
            "Convention signée : prévue le 01/07/2024, franchie le 03/07/2024 "
            "Premier bilan : prévue le 31/03/2025, en retard",
        ],
    ]


def test_the_chart_is_hidden_from_screen_readers_in_a_labelled_scrolling_region(client, referent, pacte):
    html = page(client, referent).content.decode()
    assert (
        '<div class="table-responsive pti-timeline-scroll mb-4" tabindex="0" role="region" aria-label="Calendrier'
        in html
    )
    assert '<div class="pti-timeline" aria-hidden="true">' in html
    assert "pti/css/timeline.css" in html


def test_an_unknown_pacte_is_404(client, referent, pacte):
    assert page(client, referent, slug="inconnu").status_code == 404


@pytest.mark.parametrize("role", ["referent", "copil", "staff", "admin"])
def test_every_signed_in_role_reads_the_calendar(client, pacte, role):
    assert page(client, UserFactory(username=f"u-{role}", role=role)).status_code == 200


def test_the_pacte_page_links_to_the_calendar(client, referent, pacte):
    client.force_login(referent)
    response = client.get(reverse("actions:pacte_detail", args=["pti-2024"]))
    assert 'href="/pactes/pti-2024/calendrier/"' in response.content.decode()


def test_the_query_count_does_not_grow_with_the_actions(client, referent, pacte):
    client.force_login(referent)
    url = reverse("actions:pacte_timeline", args=["pti-2024"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    axe = pacte.axes.get(number=2)
    for n in range(3, 7):
        action = ActionFactory(axe=axe, number=f"2.{n}")
        MilestoneFactory(action=action)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)
